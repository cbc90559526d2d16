// The network actor's links (actors/network_impl.hpp): the queue of operations, the stored
// attachments and netavark's runs for a container's networks.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/caf_error.hpp"
#include "actors/guard.hpp"
#include "actors/helper_run.hpp"
#include "actors/network_impl.hpp"
#include "core/ipam.hpp"

namespace ctrd::net {

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

namespace {

/// Logs a failed write of the store (the state in memory stays right; the next write of
/// the same record repairs it).
void log_store_failure(caf::error& e) {
  spdlog::error("network: cannot store: {}", from_caf_error(e).second);
}

}  // namespace

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
  // netavark's --config (aardvark-dns's files) on a tmpfs: gone after a reboot, made again
  // by the first run that needs it (never at ctrd's start).
  std::error_code ignored;
  std::filesystem::create_directories(s.d.config_dir + "/aardvark-dns", ignored);
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

}  // namespace ctrd::net
