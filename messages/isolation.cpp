#include "messages/isolation.hpp"

#include "messages/network.hpp"

#include <arpa/inet.h>
#include <algorithm>

#include "messages/error.hpp"
#include "messages/refuse.hpp"

namespace ctrd {
namespace {

std::string ns_word(const json& v, const std::string& key) {
  auto t = string_value(v, key);
  if (!t.empty() && t != "private" && t != "host")
    throw_invalid_value(key, "must be \"private\" or \"host\"");
  return t;
}

/// A non-negative integer however it was encoded (msgpack signed or unsigned formats).
bool non_negative(const json& v) {
  return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
}

bool absolute_no_dotdot(const std::string& p) {
  if (p.empty() || p[0] != '/') return false;
  std::size_t pos = 0;
  while (pos < p.size()) {
    auto next = p.find('/', pos + 1);
    auto part = p.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
    if (part == "..") return false;
    if (next == std::string::npos) break;
    pos = next;
  }
  return p.find('\0') == std::string::npos;
}

}  // namespace

void isolation_to_json(const isolation_spec& s, json& out) {
  json mounts = json::array();
  for (const auto& m : s.mounts)
    mounts.push_back(
        json{{"source", m.source}, {"destination", m.destination}, {"read_only", m.read_only}});
  out["rootfs"] = s.rootfs;
  out["rootfs_overlay"] = s.rootfs_overlay;
  out["read_only"] = s.read_only;
  out["mounts"] = std::move(mounts);
  json tmpfs = json::array();
  for (const auto& t : s.tmpfs)
    tmpfs.push_back(json{{"destination", t.destination},
                         {"options", t.options},
                         {"read_only", t.read_only},
                         {"noexec", t.noexec},
                         {"nosuid", t.nosuid},
                         {"nodev", t.nodev}});
  out["tmpfs"] = std::move(tmpfs);
  out["add_hosts"] = s.add_hosts;
  out["dns"] = s.dns;
  out["dns_search"] = s.dns_search;
  out["hostname"] = s.hostname;
  out["pid"] = s.pid;
  out["ipc"] = s.ipc;
  out["uts"] = s.uts;
  out["network"] = s.network;
  out["networks"] = s.networks;
  out["ip"] = s.ip;
  out["ports"] = s.ports;
  out["network_aliases"] = s.network_aliases;
  out["memory"] = s.memory;
  out["cpus"] = s.cpus;
  out["cpu_shares"] = s.cpu_shares;
  out["pids_limit"] = s.pids_limit;
}

bool isolation_from_key(isolation_spec& s, const std::string& k, const json& v) {
  if (k == "rootfs") {
    s.rootfs = string_value(v, k);
  } else if (k == "rootfs_overlay") {
    s.rootfs_overlay = bool_value(v, k);
  } else if (k == "read_only") {
    s.read_only = bool_value(v, k);
  } else if (k == "mounts") {
    if (!v.is_array())
      throw_invalid_value(k, "must be an array of {source, destination, read_only} maps");
    s.mounts.clear();
    for (const auto& m : v) {
      if (!m.is_object() || !m.contains("source") || !m.contains("destination"))
        throw_invalid_value(k, "every mount needs \"source\" and \"destination\"");
      bind_mount b{string_value(m["source"], k), string_value(m["destination"], k), false};
      if (m.contains("read_only")) b.read_only = bool_value(m["read_only"], k);
      s.mounts.push_back(std::move(b));
    }
  } else if (k == "tmpfs") {
    if (!v.is_array())
      throw_invalid_value(k, "must be an array of {destination, options, ...} maps");
    s.tmpfs.clear();
    for (const auto& m : v) {
      if (!m.is_object() || !m.contains("destination"))
        throw_invalid_value(k, "every tmpfs mount needs \"destination\"");
      tmpfs_spec t;
      t.destination = string_value(m["destination"], k);
      if (m.contains("options")) t.options = string_value(m["options"], k);
      if (m.contains("read_only")) t.read_only = bool_value(m["read_only"], k);
      if (m.contains("noexec")) t.noexec = bool_value(m["noexec"], k);
      if (m.contains("nosuid")) t.nosuid = bool_value(m["nosuid"], k);
      if (m.contains("nodev")) t.nodev = bool_value(m["nodev"], k);
      s.tmpfs.push_back(std::move(t));
    }
  } else if (k == "add_hosts" || k == "dns" || k == "dns_search") {
    if (!v.is_array()) throw_invalid_value(k, "must be an array of strings");
    std::vector<std::string> list;
    for (const auto& e : v) list.push_back(string_value(e, k));
    (k == "add_hosts" ? s.add_hosts : k == "dns" ? s.dns : s.dns_search) = std::move(list);
  } else if (k == "hostname") {
    s.hostname = string_value(v, k);
  } else if (k == "pid") {
    s.pid = ns_word(v, k);
  } else if (k == "ipc") {
    s.ipc = ns_word(v, k);
  } else if (k == "uts") {
    s.uts = ns_word(v, k);
  } else if (k == "network") {
    s.network = string_value(v, k);
    if (s.network == "bridge") s.network = default_network;
    if (!s.network.empty() && s.network != "host" && s.network != "none" &&
        !valid_network_name(s.network))
      throw_invalid_value(k, "must be \"host\", \"none\", \"bridge\" or a network's name");
  } else if (k == "networks" || k == "ports" || k == "network_aliases") {
    if (!v.is_array()) throw_invalid_value(k, "must be an array of strings");
    std::vector<std::string> list;
    for (const auto& e : v) list.push_back(string_value(e, k));
    if (k == "ports")
      for (const auto& p : list) parse_port_spec(p);  // throws naming the bad one
    if (k == "networks")
      for (auto& n : list) {
        if (n == "bridge") n = default_network;
        if (!valid_network_name(n)) throw_invalid_value(k, "\"" + n + "\" is not a network's name");
      }
    (k == "networks" ? s.networks : k == "ports" ? s.ports : s.network_aliases) = std::move(list);
  } else if (k == "ip") {
    s.ip = string_value(v, k);
  } else if (k == "memory") {
    if (!non_negative(v)) throw_invalid_value(k, "must be a number of bytes");
    s.memory = v.get<uint64_t>();
  } else if (k == "cpus") {
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 4096)
      throw_invalid_value(k, "must be a number of CPUs");
    s.cpus = v.get<double>();
  } else if (k == "cpu_shares") {
    if (!non_negative(v)) throw_invalid_value(k, "must be a non-negative integer");
    s.cpu_shares = v.get<uint64_t>();
  } else if (k == "pids_limit") {
    if (!v.is_number_integer()) throw_invalid_value(k, "must be an integer");
    s.pids_limit = v.get<int64_t>();
  } else {
    return false;
  }
  return true;
}

std::vector<std::string> isolation_spec::all_networks() const {
  std::vector<std::string> out;
  if (bridge_net()) out.push_back(network);
  for (const auto& n : networks)
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  return out;
}

void validate(const isolation_spec& s) {
  auto fail = [](const std::string& m) { throw error(ec::invalid_argument, m); };
  if (!s.bridge_net() && (!s.ip.empty() || !s.ports.empty() || !s.network_aliases.empty()))
    fail(
        "--ip, -p/--publish and --network-alias need a bridge network (--network NAME): "
        "on the " +
        std::string(s.network == "none" ? "\"none\"" : "host's") +
        " network there is nothing to publish or pin");
  in_addr ip4{};
  if (!s.ip.empty() && ::inet_pton(AF_INET, s.ip.c_str(), &ip4) != 1)
    fail("invalid IP address \"" + s.ip + "\" (--ip): an IPv4 address like 10.89.0.5");
  if (!s.bridge_net() && !s.networks.empty())
    fail("extra networks need a bridge network as --network, not \"" + s.network + "\"");
  if (!s.rootfs.empty() && !absolute_no_dotdot(s.rootfs))
    fail("invalid rootfs \"" + s.rootfs + "\": must be an absolute path without \"..\"");
  if (s.rootfs_overlay && s.rootfs.empty()) fail("--rootfs-overlay needs --rootfs");
  if (s.rootfs_overlay && s.rootfs.find_first_of(",:\\") != std::string::npos)
    fail("invalid rootfs \"" + s.rootfs +
         "\": an overlay lower directory must not contain ',', ':' or '\\'");
  if (s.read_only && s.rootfs.empty()) fail("--read-only needs --rootfs");
  if (!s.mounts.empty() && s.rootfs.empty())
    fail(
        "bind mounts (-v) need --rootfs: without a root file system of its own the container sees "
        "the host's");
  for (std::size_t i = 0; i < s.mounts.size(); ++i) {
    const auto& m = s.mounts[i];
    if (!absolute_no_dotdot(m.source))
      fail("invalid mount source \"" + m.source + "\": must be an absolute host path");
    if (!absolute_no_dotdot(m.destination) || m.destination == "/")
      fail("invalid mount destination \"" + m.destination +
           "\": must be an absolute path in the container, not /");
    for (std::size_t j = 0; j < i; ++j)
      if (s.mounts[j].destination == m.destination)
        fail("duplicate mount destination \"" + m.destination + "\"");
  }
  if (!s.tmpfs.empty() && s.rootfs.empty())
    fail(
        "tmpfs mounts (--tmpfs) need --rootfs: without a root file system of its own the "
        "container shares the host's mounts");
  for (std::size_t i = 0; i < s.tmpfs.size(); ++i) {
    const auto& t = s.tmpfs[i];
    if (!absolute_no_dotdot(t.destination) || t.destination == "/")
      fail("invalid tmpfs destination \"" + t.destination +
           "\": must be an absolute path in the container, not /");
    if (t.options.find_first_of(" \t\n\r") != std::string::npos ||
        t.options.find('\0') != std::string::npos)
      fail("invalid tmpfs options \"" + t.options + "\"");
    for (const auto& m : s.mounts)
      if (m.destination == t.destination)
        fail("duplicate mount destination \"" + t.destination + "\"");
    for (std::size_t j = 0; j < i; ++j)
      if (s.tmpfs[j].destination == t.destination)
        fail("duplicate mount destination \"" + t.destination + "\"");
  }
  if ((!s.add_hosts.empty() || !s.dns.empty() || !s.dns_search.empty()) && s.rootfs.empty())
    fail(
        "--add-host, --dns and --dns-search need --rootfs: a container on the host's root "
        "uses the host's /etc/hosts and /etc/resolv.conf");
  for (const auto& h : s.add_hosts) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == h.size() ||
        h.find_first_of(" \t\n\r") != std::string::npos)
      fail("invalid add-host \"" + h + "\": use HOST:IP");
  }
  for (const auto* list : {&s.dns, &s.dns_search})
    for (const auto& d : *list)
      if (d.empty() || d.find_first_of(" \t\n\r") != std::string::npos)
        fail("invalid " + std::string(list == &s.dns ? "dns server" : "dns search domain") + " \"" +
             d + "\"");
  if (!s.hostname.empty()) {
    if (s.hostname.size() > 64)
      fail("invalid hostname \"" + s.hostname + "\": at most 64 characters");
    if (!s.private_uts()) fail("--hostname needs a private UTS namespace (--uts private)");
  }
  if (s.memory && s.memory < (6u << 20))
    fail("invalid memory limit " + std::to_string(s.memory) +
         " bytes: the minimum is 6 MiB (6291456 bytes)");
  if (s.cpu_shares && (s.cpu_shares < 2 || s.cpu_shares > 262144))
    fail("invalid cpu shares " + std::to_string(s.cpu_shares) + ": must be between 2 and 262144");
  if (s.pids_limit < 0) fail("invalid pids limit: must be 0 (no limit) or positive");
}

}  // namespace ctrd
