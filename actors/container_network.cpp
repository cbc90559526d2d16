// The container actor's bridge networks (docs/network.md): set up through the network
// actor before a start, kept across policy restarts, torn down after the last run or at
// removal; connect/disconnect while it runs. See container_impl.hpp.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/container_impl.hpp"
#include "runtime/netns.hpp"

namespace ctrd::ctr {

namespace {

/// What the network actor is asked for: the container's networks and its wishes.
json network_request_of(const container_config& c) {
  return {{"networks", c.isolation.all_networks()},
          {"static_ip", c.isolation.ip},
          {"ports", c.isolation.ports},
          {"aliases", c.isolation.network_aliases}};
}

/// Takes the network actor's answer: the namespace, the endpoints of what was set up now
/// (kept ones stay), and the networks it is on.
void take_attachment(state& s, const json& r) {
  s.st.netns = r.value("netns", "");
  auto names = r.value("networks", std::vector<std::string>{});
  std::vector<network_endpoint> eps;
  for (const auto& e : s.st.networks)
    if (std::find(names.begin(), names.end(), e.network) != names.end()) eps.push_back(e);
  for (const auto& e : r.value("endpoints", json::array())) {
    auto ep = network_endpoint_from_json(e);
    eps.erase(std::remove_if(eps.begin(), eps.end(),
                             [&](const network_endpoint& x) { return x.network == ep.network; }),
              eps.end());
    eps.push_back(ep);
  }
  // In the order of its networks: the primary first.
  std::stable_sort(eps.begin(), eps.end(), [&](const auto& a, const auto& b) {
    return std::find(names.begin(), names.end(), a.network) <
           std::find(names.begin(), names.end(), b.network);
  });
  s.st.networks = std::move(eps);
}

}  // namespace

void ensure_network(actor_t* self, std::function<void(caf::error)> k) {
  auto& s = self->state;
  if (!s.cfg.isolation.bridge_net() || (!s.st.netns.empty() && netns::exists(s.st.netns))) {
    k(caf::none);
    return;
  }
  self->request(s.deps.network, caf::infinite, netattach_atom::value, s.cfg.id, s.cfg.name,
                network_request_of(s.cfg))
      .await(
          [=](json& r) {
            take_attachment(self->state, r);
            persist(self);
            k(caf::none);
          },
          [=](caf::error& e) {
            auto& st = self->state;
            st.st.error = from_caf_error(e).second;
            persist(self);
            k(e);
          });
}

void release_network(actor_t* self, std::function<void()> then) {
  auto& s = self->state;
  if (!s.cfg.isolation.bridge_net() && s.st.netns.empty()) {
    if (then) then();
    return;
  }
  auto name = s.cfg.name;
  self->request(s.deps.network, caf::infinite, netdetach_atom::value, s.cfg.id)
      .then(
          [=](bool) {
            if (then) then();
          },
          [=](caf::error& e) {
            spdlog::warn("container {}: network teardown: {}", name, from_caf_error(e).second);
            if (then) then();
          });
  if (s.st.netns.empty()) return;
  s.st.netns.clear();
  s.st.networks.clear();
  persist(self);
}

caf::result<json> network_method(actor_t* self, const std::string& m, const json& p) {
  auto& s = self->state;
  auto net = p.value("network", "");
  auto& iso = s.cfg.isolation;
  if (!iso.bridge_net())
    return make_caf_error(ec::invalid_argument,
                          "container " + s.cfg.name + " is on the " +
                              (iso.network == "none" ? std::string("\"none\"") : "host's") +
                              " network: only a container created with --network NAME can join "
                              "or leave networks");
  auto all = iso.all_networks();
  bool member = std::find(all.begin(), all.end(), net) != all.end();
  if (m == "network_connect") {
    if (member)
      return make_caf_error(ec::invalid_argument,
                            "container " + s.cfg.name + " is already connected to network " + net);
    iso.networks.push_back(net);
  } else {
    if (!member)
      return make_caf_error(ec::invalid_argument,
                            "container " + s.cfg.name + " is not connected to network " + net);
    if (net == iso.network)
      return make_caf_error(ec::invalid_argument,
                            "network " + net + " is container " + s.cfg.name +
                                "'s primary network (--network): it cannot be disconnected");
    iso.networks.erase(std::remove(iso.networks.begin(), iso.networks.end(), net),
                       iso.networks.end());
  }
  auto reply = json{{"id", s.cfg.id}, {"network", net}};
  if (s.st.netns.empty()) {  // not set up now: the next start joins what is stored
    persist_config(self);
    return caf::expected<json>(reply);
  }
  auto rp = self->make_response_promise<json>();
  json req = network_request_of(s.cfg);
  if (m == "network_connect" && !p.value("ip", "").empty())
    req["static_ips"] = {{net, p.value("ip", "")}};
  self->request(s.deps.network, caf::infinite, netattach_atom::value, s.cfg.id, s.cfg.name, req)
      .await(
          [=](json& r) mutable {
            take_attachment(self->state, r);
            persist_config(self);
            persist(self);
            rp.deliver(reply);
          },
          [=](caf::error& e) mutable {
            auto& is = self->state.cfg.isolation;  // as it was: nothing changed
            if (m == "network_connect")
              is.networks.erase(std::remove(is.networks.begin(), is.networks.end(), net),
                                is.networks.end());
            else
              is.networks.push_back(net);
            rp.deliver(e);
          });
  return rp;
}

}  // namespace ctrd::ctr
