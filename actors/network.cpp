#include "actors/network.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include <spdlog/spdlog.h>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/caf_error.hpp"
#include "actors/guard.hpp"
#include "actors/helper_run.hpp"
#include "core/ipam.hpp"
#include "core/registry.hpp"
#include "runtime/netavark.hpp"
#include "runtime/netns.hpp"
#include "runtime/proc.hpp"

namespace ctrd {
namespace {

/// One network of a container: its address and interface (part of its attachment).
struct net_link {
  std::string network, ip, interface, mac;
};

/// What is set up for one container (the store's v1/natt/<id>): the allocator's state.
struct attach_rec {
  std::string name, netns;
  std::vector<net_link> links;  ///< links[0] is the primary network (the ports go there)
  std::vector<port_mapping> ports;
  std::vector<std::string> aliases;
};

json to_json(const attach_rec& r) {
  json links = json::array(), ports = json::array();
  for (const auto& l : r.links)
    links.push_back(
        {{"network", l.network}, {"ip", l.ip}, {"interface", l.interface}, {"mac", l.mac}});
  for (const auto& p : r.ports) ports.push_back(to_json(p));
  return {{"name", r.name},
          {"netns", r.netns},
          {"networks", links},
          {"ports", ports},
          {"aliases", r.aliases}};
}

attach_rec attach_from_json(const json& j) {
  attach_rec r;
  r.name = j.value("name", "");
  r.netns = j.value("netns", "");
  for (const auto& l : j.value("networks", json::array()))
    r.links.push_back(
        {l.value("network", ""), l.value("ip", ""), l.value("interface", ""), l.value("mac", "")});
  for (const auto& p : j.value("ports", json::array()))
    r.ports.push_back(port_mapping_from_json(p));
  r.aliases = j.value("aliases", std::vector<std::string>{});
  return r;
}

struct network_state {
  static inline const char* name = "network";
  network_deps d;
  netavark::binaries bin;
  std::map<std::string, network_def> nets;
  std::map<std::string, attach_rec> atts;  ///< by container id
  /// One operation at a time (see enqueue): the ones waiting, in order.
  std::map<std::string, std::deque<std::function<void()>>> waiting;
  std::set<std::string> busy;
};

using net_t = network_actor::stateful_pointer<network_state>;
using done_fn = std::function<void(const std::string& failure)>;

/// Runs `op` for container `id` once the operations before it have finished; `op` calls
/// finish(self, id) when it is done. One at a time for all containers: concurrent netavark
/// runs on one bridge race (a teardown removed the bridge another setup was using), and
/// podman serializes them with a lock too.
void enqueue(net_t self, const std::string& container_id, std::function<void()> op) {
  (void)container_id;
  const std::string id;  // the one queue
  auto& s = self->state;
  if (s.busy.count(id)) {
    s.waiting[id].push_back(std::move(op));
    return;
  }
  s.busy.insert(id);
  op();
}

void finish(net_t self, const std::string& container_id) {
  (void)container_id;
  const std::string id;
  auto& s = self->state;
  auto it = s.waiting.find(id);
  if (it == s.waiting.end() || it->second.empty()) {
    s.waiting.erase(id);
    s.busy.erase(id);
    return;
  }
  auto op = std::move(it->second.front());
  it->second.pop_front();
  op();
}

/// Logs a failed write of the store (the state in memory stays right; the next write of
/// the same record repairs it).
void log_store_failure(caf::error& e) {
  spdlog::error("network: cannot store: {}", from_caf_error(e).second);
}

void store_record(net_t self, const std::string& key, const json& value, bool durable) {
  self->request(self->state.d.store, caf::infinite, put_record_atom::value, key, value, durable)
      .then([](bool) {}, log_store_failure);
}

void store_attachment(net_t self, const std::string& id) {
  auto& s = self->state;
  auto it = s.atts.find(id);
  if (it == s.atts.end())
    self->request(s.d.store, caf::infinite, erase_record_atom::value, "natt/" + id)
        .then([](bool) {}, log_store_failure);
  else
    store_record(self, "natt/" + id, to_json(it->second), false);
}

/// Runs netavark `verb` for link `idx` of container `id`; `k` gets exit code, stdout, stderr.
void run_netavark(net_t self, const std::string& verb, const std::string& id, std::size_t idx,
                  std::function<void(int, const std::string&, const std::string&)> k) {
  auto& s = self->state;
  const auto& rec = s.atts.at(id);
  const auto& link = rec.links.at(idx);
  auto net = s.nets.find(link.network);
  if (net == s.nets.end()) {
    k(1, "", "network " + link.network + " no longer exists");
    return;
  }
  std::vector<std::string> names{rec.name};
  names.insert(names.end(), rec.aliases.begin(), rec.aliases.end());
  netavark::attachment a{net->second, link.ip, link.interface, link.mac, names};
  helper_command cmd;
  cmd.path = s.bin.netavark;
  cmd.argv = netavark::argv(s.bin, s.d.config_dir, verb, rec.netns);
  cmd.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  cmd.input =
      netavark::options(id, rec.name, {a}, idx == 0 ? rec.ports : std::vector<port_mapping>{})
          .dump();
  auto h = spawn_helper_run(self->system(), s.d.h, std::move(cmd));
  self->request(h, caf::infinite, run_atom::value)
      .then(guard(self, [=](int code, std::string& out, std::string& err) { k(code, out, err); }),
            guard(self, [=](caf::error& e) { k(-1, "", from_caf_error(e).second); }));
}

/// Sets up links `todo` (indices) of container `id` one after the other; a failed one is
/// torn down again (netavark does not roll back) and ends the chain with its reason. With
/// `forget_failed` (new links, always the last ones), the failed link and those after it
/// are dropped from the attachment, their addresses freed.
void setup_links(net_t self, const std::string& id, std::vector<std::size_t> todo,
                 std::shared_ptr<json> endpoints, bool forget_failed, done_fn done) {
  if (todo.empty()) {
    done("");
    return;
  }
  auto idx = todo.front();
  todo.erase(todo.begin());
  run_netavark(
      self, "setup", id, idx, [=](int code, const std::string& out, const std::string& err) {
        auto& s = self->state;
        auto& link = s.atts.at(id).links.at(idx);
        std::string failure;
        if (code == 0) {
          try {
            for (auto& ep : netavark::parse_status(out)) {
              if (ep.network != link.network) continue;
              link.mac = ep.mac;
              ep.interface = link.interface;
              endpoints->push_back(to_json(ep));
            }
          } catch (const std::exception& e) {
            failure = e.what();
          }
        } else {
          failure = netavark::failure_text(out, err, code);
        }
        if (failure.empty()) {
          setup_links(self, id, todo, endpoints, forget_failed, done);
          return;
        }
        failure = "cannot set up network " + link.network + ": " + failure;
        run_netavark(self, "teardown", id, idx, [=](int, const std::string&, const std::string&) {
          if (forget_failed) self->state.atts.at(id).links.resize(idx);
          done(failure);
        });
      });
}

/// Tears down links `todo` one after the other; failures are logged and the rest goes on.
void teardown_links(net_t self, const std::string& id, std::vector<std::size_t> todo,
                    std::function<void()> done) {
  if (todo.empty()) {
    done();
    return;
  }
  auto idx = todo.back();
  todo.pop_back();
  run_netavark(self, "teardown", id, idx,
               [=](int code, const std::string& out, const std::string& err) {
                 if (code != 0)
                   spdlog::warn("container {}: network teardown: {}", id.substr(0, 12),
                                netavark::failure_text(out, err, code));
                 teardown_links(self, id, todo, done);
               });
}

std::set<uint32_t> taken_on(const network_state& s, const std::string& net) {
  std::set<uint32_t> out;
  for (const auto& [id, rec] : s.atts)
    for (const auto& l : rec.links)
      if (l.network == net)
        if (auto a = ipam::parse_ipv4(l.ip)) out.insert(*a);
  return out;
}

/// ec::conflict when a port of `ports` is published by another container or bound on the
/// host already.
void check_ports(const network_state& s, const std::string& id,
                 const std::vector<port_mapping>& ports) {
  for (const auto& p : ports) {
    for (const auto& [other, rec] : s.atts) {
      if (other == id) continue;
      for (const auto& q : rec.ports) {
        bool same_ip = p.host_ip.empty() || q.host_ip.empty() || p.host_ip == q.host_ip;
        bool overlap = p.host_port < q.host_port + q.range && q.host_port < p.host_port + p.range;
        if (p.protocol == q.protocol && same_ip && overlap)
          throw error(ec::conflict, "port " + std::to_string(p.host_port) + "/" + p.protocol +
                                        " is already published by container " + rec.name);
      }
    }
    if (p.protocol == "sctp") continue;
    for (uint16_t i = 0; i < p.range; ++i) {
      int fd =
          ::socket(AF_INET, (p.protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
      if (fd < 0) continue;
      int one = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      sockaddr_in sa{};
      sa.sin_family = AF_INET;
      sa.sin_port = htons(static_cast<uint16_t>(p.host_port + i));
      auto ip = p.host_ip.empty() ? std::optional<uint32_t>(0) : ipam::parse_ipv4(p.host_ip);
      sa.sin_addr.s_addr = htonl(ip ? *ip : 0);
      int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
      int err = errno;
      ::close(fd);
      if (rc != 0 && err == EADDRINUSE)
        throw error(ec::conflict, "port " + std::to_string(p.host_port + i) + "/" + p.protocol +
                                      " is already in use on the host");
    }
  }
}

std::string next_interface(const network_state& s) {
  for (int i = 0;; ++i) {
    auto name = "ctrd" + std::to_string(i);
    bool used = false;
    for (const auto& [n, def] : s.nets) used = used || def.interface_name == name;
    if (!used) return name;
  }
}

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
    if (fresh) netns::create(rec.netns);
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
  std::error_code ignored;
  std::filesystem::create_directories(s.d.netns_dir, ignored);
  std::filesystem::create_directories(s.d.config_dir + "/aardvark-dns", ignored);
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

network_actor spawn_network(caf::actor_system& sys, network_deps deps) {
  return sys.spawn(network, std::move(deps));
}

}  // namespace ctrd
