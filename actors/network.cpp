#include "actors/network.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/caf_error.hpp"
#include "actors/guard.hpp"
#include "actors/network_impl.hpp"
#include "core/ipam.hpp"
#include "runtime/netns.hpp"

namespace ctrd {
namespace net {
namespace {

/// attach: the request's networks become the container's (docs/network.md).
void attach(net_t self, const std::string& id, const std::string& name, const json& req,
            caf::typed_response_promise<json> rp) {
  auto& s = self->state;
  std::vector<std::size_t> todo;
  std::vector<std::size_t> gone;
  bool fresh = !s.atts.count(id);
  try {
    if (s.bin.netavark.empty())
      throw error(ec::internal,
                  "netavark is not installed (looked in /usr/lib/podman and $CTRD_NETAVARK_DIR): "
                  "install Debian's netavark and aardvark-dns packages");
    auto wanted = req.value("networks", std::vector<std::string>{});
    for (const auto& n : wanted)
      if (!s.nets.count(n)) {
        if (n != default_network) throw error(ec::no_such_network, "network " + n + " not found");
        auto def = add_network(self, json{{"name", n}});
        store_record(self, "net/" + n, to_json(def), true);
      }
    attach_rec rec = fresh ? attach_rec{} : s.atts.at(id);
    if (fresh) {
      rec.name = name;
      rec.netns = s.d.netns_dir + "/" + id;
      for (const auto& p : req.value("ports", std::vector<std::string>{}))
        rec.ports.push_back(parse_port_spec(p));
      rec.aliases = req.value("aliases", std::vector<std::string>{});
      check_ports(s, id, rec.ports);
    }
    for (std::size_t i = 0; i < rec.links.size(); ++i)
      if (std::find(wanted.begin(), wanted.end(), rec.links[i].network) == wanted.end())
        gone.push_back(i);
    auto static_ip = req.value("static_ip", "");
    json static_ips = req.value("static_ips", json::object());  // network -> pinned ip
    for (std::size_t w = 0; w < wanted.size(); ++w) {
      const auto& n = wanted[w];
      bool have = false;
      for (const auto& l : rec.links) have = have || l.network == n;
      if (have) continue;
      const auto& def = s.nets.at(n);
      auto sub = ipam::parse_subnet(def.subnet);
      auto gw = *ipam::parse_ipv4(def.gateway);
      auto taken = taken_on(s, n);
      for (const auto& l : rec.links)
        if (l.network == n)
          if (auto a = ipam::parse_ipv4(l.ip)) taken.insert(*a);
      std::string pinned = w == 0 ? static_ip : "";
      if (static_ips.contains(n)) pinned = static_ips[n].get<std::string>();
      uint32_t addr;
      if (!pinned.empty()) {
        auto a = ipam::parse_ipv4(pinned);
        if (!a) throw error(ec::invalid_argument, "invalid IP address \"" + pinned + "\"");
        ipam::check_static(sub, gw, taken, *a, n);
        addr = *a;
      } else {
        addr = ipam::allocate(sub, gw, taken, n);
      }
      std::set<std::string> ifaces;
      for (const auto& l : rec.links) ifaces.insert(l.interface);
      std::string iface;
      for (int k = 0; iface.empty(); ++k)
        if (!ifaces.count("eth" + std::to_string(k))) iface = "eth" + std::to_string(k);
      todo.push_back(rec.links.size());
      rec.links.push_back({n, ipam::format_ipv4(addr), iface, ""});
    }
    if (fresh) {
      // First use of a bridge network: the directories are made now, never at start (a
      // host that uses no bridge network gets no write; docs/architecture.md, "What ctrd
      // writes").
      std::error_code ignored;
      std::filesystem::create_directories(s.d.netns_dir, ignored);
      std::filesystem::create_directories(s.d.config_dir + "/aardvark-dns", ignored);
      netns::create(rec.netns);
    }
    s.atts[id] = std::move(rec);
  } catch (const error& e) {
    rp.deliver(make_caf_error(e.code(), e.what()));
    finish(self, id);
    return;
  }
  store_attachment(self, id);
  auto endpoints = std::make_shared<json>(json::array());
  auto reply = [=](const std::string& failure) mutable {
    auto& st = self->state;
    auto& r = st.atts.at(id);
    json names = json::array();
    for (const auto& l : r.links) names.push_back(l.network);
    auto netns_path = r.netns;
    if (r.links.empty()) {
      try {
        netns::remove(r.netns);
      } catch (const error& e) {
        spdlog::warn("{}", e.what());
      }
      st.atts.erase(id);
    }
    store_attachment(self, id);
    if (!failure.empty())
      rp.deliver(make_caf_error(ec::internal, failure));
    else
      rp.deliver(json{{"netns", netns_path}, {"endpoints", *endpoints}, {"networks", names}});
    finish(self, id);
  };
  teardown_links(self, id, gone, [=] {
    auto& r = self->state.atts.at(id);
    std::vector<net_link> keep;
    std::vector<std::size_t> shifted;
    for (std::size_t i = 0; i < r.links.size(); ++i)
      if (std::find(gone.begin(), gone.end(), i) == gone.end()) keep.push_back(r.links[i]);
    for (auto i : todo) shifted.push_back(i - gone.size());
    r.links = keep;
    setup_links(self, id, shifted, endpoints, true, reply);
  });
}

/// Tears down every network of container `id` and removes its namespace; `done` runs after.
void detach_then(net_t self, const std::string& id, std::function<void()> done) {
  auto& s = self->state;
  auto it = s.atts.find(id);
  if (it == s.atts.end()) {
    finish(self, id);
    done();
    return;
  }
  std::vector<std::size_t> all;
  for (std::size_t i = 0; i < it->second.links.size(); ++i) all.push_back(i);
  teardown_links(self, id, all, [=]() mutable {
    auto& st = self->state;
    try {
      netns::remove(st.atts.at(id).netns);
    } catch (const error& e) {
      spdlog::warn("container {}: {}", id.substr(0, 12), e.what());
    }
    st.atts.erase(id);
    store_attachment(self, id);
    finish(self, id);
    done();
  });
}

void reload(net_t self, const std::string& id, caf::typed_response_promise<std::string> rp) {
  auto& s = self->state;
  auto it = s.atts.find(id);
  if (it == s.atts.end()) {
    rp.deliver(std::string("it has no network set up (it does not run on a bridge network)"));
    finish(self, id);
    return;
  }
  std::vector<std::size_t> all;
  for (std::size_t i = 0; i < it->second.links.size(); ++i) all.push_back(i);
  teardown_links(self, id, all, [=]() mutable {
    setup_links(self, id, all, std::make_shared<json>(json::array()), false,
                [=](const std::string& failure) mutable {
                  store_attachment(self, id);
                  rp.deliver(failure);
                  finish(self, id);
                });
  });
}

network_actor::behavior_type network(net_t self, network_deps deps) {
  auto& s = self->state;
  s.d = std::move(deps);
  s.bin = netavark::find_binaries();
  // No directory is made here: attach() makes the netns and netavark directories at the
  // first attachment to a bridge network.
  self->request(s.d.store, caf::infinite, load_records_atom::value, std::string("net/"))
      .await(guard(self, [=](json& recs) {
        for (auto& [key, v] : recs.items()) {
          try {
            auto n = network_def_from_json(v);
            self->state.nets[n.name] = n;
          } catch (const std::exception& e) {
            spdlog::warn("store: network record {}: {}", key, e.what());
          }
        }
      }));
  self->request(s.d.store, caf::infinite, load_records_atom::value, std::string("natt/"))
      .await(guard(self, [=](json& recs) {
        for (auto& [key, v] : recs.items()) {
          try {
            self->state.atts[key.substr(5)] = attach_from_json(v);
          } catch (const std::exception& e) {
            spdlog::warn("store: attachment record {}: {}", key, e.what());
          }
        }
      }));
  return guarded_typed_behavior<network_actor>(
      self,
      [=](network_atom, const std::string& m, const json& p) -> caf::result<json> {
        return method(self, m, p);
      },
      [=](netattach_atom, const std::string& id, const std::string& name,
          const json& req) -> caf::result<json> {
        auto rp = self->make_response_promise<json>();
        enqueue(self, id, [=] { attach(self, id, name, req, rp); });
        return rp;
      },
      [=](netdetach_atom, const std::string& id) -> caf::result<bool> {
        auto rp = self->make_response_promise<bool>();
        enqueue(self, id,
                [=]() mutable { detach_then(self, id, [=]() mutable { rp.deliver(true); }); });
        return rp;
      },
      [=](netreload_atom, const std::string& id) -> caf::result<std::string> {
        auto rp = self->make_response_promise<std::string>();
        enqueue(self, id, [=] { reload(self, id, rp); });
        return rp;
      },
      [=](shutdown_atom) -> caf::result<bool> {
        auto rp = self->make_response_promise<bool>();
        auto& st = self->state;
        auto left = std::make_shared<std::size_t>(st.atts.size());
        if (*left == 0) rp.deliver(true);
        std::vector<std::string> ids;
        for (const auto& [id, rec] : st.atts) ids.push_back(id);
        for (const auto& id : ids)
          enqueue(self, id, [=]() mutable {
            detach_then(self, id, [=]() mutable {
              if (--*left == 0) rp.deliver(true);
            });
          });
        return rp;
      });
}

}  // namespace
}  // namespace net

network_actor spawn_network(caf::actor_system& sys, network_deps deps) {
  return sys.spawn(net::network, std::move(deps));
}

}  // namespace ctrd