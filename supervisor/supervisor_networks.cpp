// The supervisor's part of the network methods (docs/network.md): what needs its
// containers (who uses a network, names to ids, connect/disconnect) is done here; the
// networks themselves belong to the network actor, which answers the rest.
#include <memory>

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "supervisor/supervisor_impl.hpp"

namespace ctrd::sup {

namespace {

/// Names of the containers that join network `net` (running or not).
std::vector<std::string> users_of(actor_t* self, const std::string& net) {
  std::vector<std::string> out;
  for (const auto& [id, e] : self->state.entries)
    for (const auto& n : e.summary.networks)
      if (n == net) out.push_back(e.summary.name);
  return out;
}

caf::result<json> remove_network(actor_t* self, const json& p) {
  auto& s = self->state;
  auto net = p.value("network", "");
  auto users = users_of(self, net);
  auto rp = self->make_response_promise<json>();
  auto remove_it = [=](json removed) mutable {
    self->request(self->state.deps.network, caf::infinite, network_atom::value,
                  std::string("network_remove"), p)
        .then(
            [=](json& r) mutable {
              r["removed"] = removed;
              rp.deliver(r);
            },
            [=](caf::error& e) mutable { rp.deliver(e); });
  };
  if (users.empty()) {
    remove_it(json::array());
    return rp;
  }
  if (!p.value("force", false)) {
    std::string list;
    for (const auto& u : users) list += (list.empty() ? "" : ", ") + u;
    rp.deliver(make_caf_error(ec::network_in_use, "network " + net + " is used by containers " +
                                                      list +
                                                      ": remove them first, or use --force"));
    return rp;
  }
  // --force: its containers are removed first (podman), then the network.
  auto left = std::make_shared<std::size_t>(users.size());
  auto removed = std::make_shared<json>(json::array());
  auto failure = std::make_shared<caf::error>();
  for (const auto& u : users) {
    auto id = s.reg.resolve(u);
    auto it = s.entries.find(id);
    if (it == s.entries.end()) {
      --*left;
      continue;
    }
    self->request(it->second.actor, caf::infinite, remove_atom::value, true)
        .then(
            [=](json&) mutable {
              removed->push_back(id);
              if (--*left != 0) return;
              if (*failure)
                rp.deliver(*failure);
              else
                remove_it(*removed);
            },
            [=](caf::error& e) mutable {
              *failure = e;
              if (--*left == 0) rp.deliver(*failure);
            });
  }
  if (*left == 0) remove_it(*removed);
  return rp;
}

caf::result<json> reload_networks(actor_t* self, const json& p) {
  auto& s = self->state;
  std::vector<std::pair<std::string, std::string>> targets;  // id, name
  if (p.value("all", false)) {
    for (const auto& [id, e] : s.entries)
      if (!e.summary.networks.empty() &&
          (e.summary.state == "running" || e.summary.state == "paused"))
        targets.emplace_back(id, e.summary.name);
  } else {
    for (const auto& ref : p.value("containers", std::vector<std::string>{})) {
      auto id = s.reg.resolve(ref);  // throws: no such container
      auto it = s.entries.find(id);
      targets.emplace_back(id, it == s.entries.end() ? ref : it->second.summary.name);
    }
  }
  auto rp = self->make_response_promise<json>();
  auto results = std::make_shared<json>(json::array());
  auto left = std::make_shared<std::size_t>(targets.size());
  if (targets.empty()) {
    rp.deliver(json::array());
    return rp;
  }
  for (const auto& target : targets) {
    auto id = target.first, name = target.second;  // copies: a lambda cannot capture bindings
    auto add = [=](const std::string& failure) mutable {
      results->push_back({{"id", id}, {"name", name}, {"error", failure}});
      if (--*left == 0) rp.deliver(*results);
    };
    self->request(s.deps.network, caf::infinite, netreload_atom::value, id)
        .then([=](std::string& failure) mutable { add(failure); },
              [=](caf::error& e) mutable { add(from_caf_error(e).second); });
  }
  return rp;
}

}  // namespace

caf::result<json> network_call(actor_t* self, const std::string& m, const json& p) {
  auto& s = self->state;
  if (m == "network_remove") return remove_network(self, p);
  if (m == "network_reload") return reload_networks(self, p);
  if (m == "network_connect" || m == "network_disconnect") {
    auto id = s.reg.resolve(p.value("container", ""));
    auto it = s.entries.find(id);
    if (it == s.entries.end())
      throw error(ec::no_such_container,
                  "container \"" + p.value("container", "") + "\" is still being created");
    auto rp = self->make_response_promise<json>();
    auto net = p.value("network", "");
    auto forward = [=]() mutable {
      rp.delegate(self->state.entries.at(id).actor, network_atom::value, m, p);
    };
    if (m == "network_disconnect") {
      forward();
      return rp;
    }
    // connect: the network must exist (the network actor says so).
    self->request(s.deps.network, caf::infinite, network_atom::value, std::string("exists"),
                  json{{"network", net}})
        .then([=](json&) mutable { forward(); }, [=](caf::error& e) mutable { rp.deliver(e); });
    return rp;
  }
  auto rp = self->make_response_promise<json>();
  rp.delegate(s.deps.network, network_atom::value, m, p);
  return rp;
}

}  // namespace ctrd::sup
