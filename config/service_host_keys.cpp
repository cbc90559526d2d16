#include "config/service_host_keys.hpp"

#include <algorithm>

#include "messages/byte_size.hpp"
#include "messages/container_config.hpp"
#include "messages/error.hpp"
#include "messages/network.hpp"

namespace ctrd::service_text {
namespace {

[[noreturn]] void bad(const std::string& what) {
  throw error(ec::invalid_argument, what);
}

// A TOML value as the json a create request would carry (non-negative integers unsigned,
// as config_from_json wants them).
json to_json_value(const toml::node& n) {
  if (const auto* s = n.as_string()) return s->get();
  if (const auto* i = n.as_integer()) {
    if (i->get() >= 0) return static_cast<uint64_t>(i->get());
    return i->get();
  }
  if (const auto* f = n.as_floating_point()) return f->get();
  if (const auto* b = n.as_boolean()) return b->get();
  if (const auto* a = n.as_array()) {
    json out = json::array();
    for (const auto& e : *a) out.push_back(to_json_value(e));
    return out;
  }
  if (const auto* t = n.as_table()) {
    json out = json::object();
    for (auto&& [k, v] : *t) out[std::string(k.str())] = to_json_value(v);
    return out;
  }
  bad("dates and times are not values of this key");
}

// One mount: "SOURCE:DESTINATION[:ro|rw]" as -v writes it, or the create map's own
// {source, destination, read_only} table.
json mount_of(const json& m) {
  if (m.is_object()) {
    for (const auto& [k, v] : m.items())
      if (k != "source" && k != "destination" && k != "read_only")
        bad("unknown mount key \"" + k + "\" (source, destination, read_only)");
    return m;
  }
  if (!m.is_string())
    bad("every mount is a \"SOURCE:DESTINATION[:ro]\" string or a {source, destination} table");
  const auto& text = m.get_ref<const std::string&>();
  auto a = text.find(':');
  auto b = a == std::string::npos ? a : text.find(':', a + 1);
  if (a == std::string::npos || a == 0 || a + 1 == text.size() || b == a + 1)
    bad("invalid mount \"" + text + "\": expected SOURCE:DESTINATION[:ro|rw]");
  json out{{"source", text.substr(0, a)},
           {"destination", text.substr(a + 1, b == std::string::npos ? b : b - a - 1)},
           {"read_only", false}};
  if (b != std::string::npos) {
    auto opt = text.substr(b + 1);
    if (opt == "ro")
      out["read_only"] = true;
    else if (opt != "rw")
      bad("invalid mount option \"" + opt + "\" in \"" + text + "\": ro or rw");
  }
  return out;
}

}  // namespace

const std::vector<std::string>& host_keys() {
  static const std::vector<std::string> keys = {"rootfs",        "rootfs_overlay",
                                                "read_only",     "mounts",
                                                "hostname",      "pid",
                                                "ipc",           "uts",
                                                "network",       "memory",
                                                "cpus",          "cpu_shares",
                                                "pids_limit",    "log_max_size",
                                                "log_max_files", "log_driver",
                                                "devices",       "uidmap",
                                                "gidmap",        "userns",
                                                "tmpfs",         "add_hosts",
                                                "dns",           "dns_search",
                                                "networks",      "ip",
                                                "publish",       "network_aliases"};
  return keys;
}

bool is_host_key(const std::string& key) {
  const auto& k = host_keys();
  return std::find(k.begin(), k.end(), key) != k.end();
}

std::string host_create_key(const std::string& key) {
  return key == "publish" ? "ports" : key;
}

json host_key_value(const std::string& key, const toml::node& value) {
  json v = to_json_value(value);
  if (key == "network" && v.is_string() && v != "host" && v != "none") {
    // bridge or a network's name: whether it exists is ctrd's to say when it creates.
    if (v != "bridge" && !valid_network_name(v.get<std::string>()))
      bad("invalid network \"" + v.get<std::string>() +
          "\": host, none, bridge or the name of a network ([a-zA-Z0-9][a-zA-Z0-9_.-]*)");
    return v;
  }
  if (key == "publish" || key == "network_aliases" || key == "networks") {
    if (!v.is_array()) bad("must be an array of strings");
    for (const auto& e : v)
      if (!e.is_string() || e.get_ref<const std::string&>().empty())
        bad("must be an array of non-empty strings");
  } else if (key == "ip" && !v.is_string()) {
    bad("must be a string (an IPv4 address)");
  }
  if (key == "mounts") {
    if (!v.is_array()) bad("must be an array of \"SOURCE:DESTINATION[:ro]\" strings");
    for (auto& m : v) m = mount_of(m);
  } else if (key == "memory" && v.is_string()) {
    v = static_cast<uint64_t>(parse_ram_size(v.get<std::string>()));
  } else if (key == "log_max_size" && v.is_string()) {
    v = parse_log_size(v.get<std::string>());  // decimal, as --log-opt max-size
  } else if (key == "memory" || key == "log_max_size") {
    if (!v.is_number_unsigned()) bad("must be a size: bytes, or a string such as \"512m\"");
  }
  // The create request's own check of this key: the same types, ranges and messages.
  config_from_json(json{{host_create_key(key), v}});
  return v;
}

}  // namespace ctrd::service_text
