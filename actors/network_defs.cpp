// The network actor's networks (actors/network_impl.hpp): create, list, inspect, remove.
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/caf_error.hpp"
#include "actors/guard.hpp"
#include "actors/network_impl.hpp"
#include "core/ipam.hpp"
#include "core/registry.hpp"
#include "runtime/proc.hpp"

namespace ctrd::net {

namespace {

std::string next_interface(const network_state& s) {
  for (int i = 0;; ++i) {
    auto name = "ctrd" + std::to_string(i);
    bool used = false;
    for (const auto& [n, def] : s.nets) used = used || def.interface_name == name;
    if (!used) return name;
  }
}

}  // namespace

/// Adds a network (validated) and stores it; answers the network.
network_def add_network(net_t self, const json& p) {
  auto& s = self->state;
  network_def n;
  n.name = p.value("name", "");
  if (!valid_network_name(n.name))
    throw error(ec::invalid_argument, "network name \"" + n.name +
                                          "\" invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* "
                                          "(at most 64 characters) and not be a network mode");
  if (s.nets.count(n.name))
    throw error(ec::name_in_use,
                "network name " + n.name + " already used: network already exists");
  std::vector<ipam::subnet4> used;
  for (const auto& [name, def] : s.nets) used.push_back(ipam::parse_subnet(def.subnet));
  ipam::subnet4 sub;
  auto given = p.value("subnet", "");
  if (given.empty() && n.name == default_network) given = "10.88.0.0/16";
  if (!given.empty()) {
    sub = ipam::parse_subnet(given);
    for (const auto& [name, def] : s.nets)
      if (sub.overlaps(ipam::parse_subnet(def.subnet))) {
        if (n.name == default_network && !p.contains("subnet")) {
          sub = ipam::free_subnet(used);
          break;
        }
        throw error(ec::conflict, "subnet " + sub.to_string() + " overlaps network " + name + " (" +
                                      def.subnet + ")");
      }
  } else {
    sub = ipam::free_subnet(used);
  }
  n.subnet = sub.to_string();
  auto gw = p.value("gateway", "");
  uint32_t g = ipam::default_gateway(sub);
  if (!gw.empty()) {
    auto a = ipam::parse_ipv4(gw);
    if (!a || !sub.contains(*a) || *a == sub.network || *a == sub.broadcast())
      throw error(ec::invalid_argument,
                  "gateway " + gw + " is not a host address of subnet " + n.subnet);
    g = *a;
  }
  n.gateway = ipam::format_ipv4(g);
  n.internal = p.value("internal", false);
  n.dns_enabled = p.value("dns", true);
  if (p.contains("labels") && p["labels"].is_object())
    for (auto& [k, v] : p["labels"].items())
      n.labels[k] = v.is_string() ? v.get<std::string>() : v.dump();
  n.id = generate_id();
  n.interface_name = next_interface(s);
  n.created_ns = proc::now_ns();
  s.nets[n.name] = n;
  return n;
}

json network_map(const network_state& s, const network_def& n) {
  json containers = json::object();
  auto prefix = n.subnet.substr(n.subnet.find('/'));
  for (const auto& [id, rec] : s.atts)
    for (const auto& l : rec.links) {
      if (l.network != n.name) continue;
      json subnet = {{"ipnet", l.ip + prefix}, {"gateway", n.gateway}};
      json iface = {{"subnets", json::array({subnet})}, {"mac_address", l.mac}};
      containers[id] = {{"name", rec.name}, {"interfaces", {{l.interface, iface}}}};
    }
  return {{"name", n.name},
          {"id", n.id},
          {"driver", n.driver},
          {"network_interface", n.interface_name},
          {"created", proc::rfc3339(n.created_ns)},
          {"subnets", json::array({{{"subnet", n.subnet}, {"gateway", n.gateway}}})},
          {"ipv6_enabled", false},
          {"internal", n.internal},
          {"dns_enabled", n.dns_enabled},
          {"labels", n.labels},
          {"ipam_options", {{"driver", "host-local"}}},
          {"containers", containers}};
}

const network_def& find_network(const network_state& s, const std::string& name) {
  auto it = s.nets.find(name);
  if (it == s.nets.end()) throw error(ec::no_such_network, "network " + name + " not found");
  return it->second;
}

/// The network_* methods that need no container. (A json is returned as caf::expected:
/// caf::result would brace-initialise it into [json].)
caf::result<json> method(net_t self, const std::string& m, const json& p) {
  auto& s = self->state;
  if (m == "network_create") {
    auto name = p.value("name", "");
    if (p.value("ignore", false) && s.nets.count(name))
      return caf::expected<json>(network_map(s, s.nets.at(name)));
    auto n = add_network(self, p);
    auto rp = self->make_response_promise<json>();
    self->request(s.d.store, caf::infinite, put_record_atom::value, "net/" + n.name, to_json(n),
                  true)
        .then(guard(self, [=](bool) mutable { rp.deliver(network_map(self->state, n)); }),
              guard(self, [=](caf::error& e) mutable {
                self->state.nets.erase(n.name);
                rp.deliver(e);
              }));
    return rp;
  }
  if (m == "network_list") {
    json out = json::array();
    for (const auto& [name, n] : s.nets) out.push_back(network_map(s, n));
    return caf::expected<json>(std::move(out));
  }
  if (m == "network_inspect")
    return caf::expected<json>(network_map(s, find_network(s, p.value("network", ""))));
  if (m == "exists") {  // {"network"} or {"networks": [...]} (the default one always exists)
    if (p.contains("network")) find_network(s, p.value("network", ""));
    for (const auto& n : p.value("networks", std::vector<std::string>{}))
      if (n != default_network) find_network(s, n);
    return caf::expected<json>(json::object());
  }
  if (m == "network_remove") {
    auto name = p.value("network", "");
    find_network(s, name);
    std::vector<std::string> users;
    for (const auto& [id, rec] : s.atts)
      for (const auto& l : rec.links)
        if (l.network == name) users.push_back(rec.name);
    if (!users.empty()) {
      std::string list;
      for (const auto& u : users) list += (list.empty() ? "" : ", ") + u;
      throw error(ec::network_in_use, "network " + name + " is used by containers " + list);
    }
    s.nets.erase(name);
    auto rp = self->make_response_promise<json>();
    self->request(s.d.store, caf::infinite, erase_record_atom::value, "net/" + name)
        .then(guard(self,
                    [=](bool) mutable {
                      rp.deliver(json{{"name", name}, {"removed", json::array()}});
                    }),
              guard(self, [=](caf::error& e) mutable { rp.deliver(e); }));
    return rp;
  }
  throw error(ec::protocol, "unknown network method " + m);
}

}  // namespace ctrd::net
