#include "config/service_writer.hpp"

#include <algorithm>
#include <cstdio>

#include "messages/container_config.hpp"
#include "messages/signals.hpp"

namespace ctrd {
namespace {

const std::vector<std::string> carried = {"command",
                                          "restart",
                                          "requires",
                                          "env",
                                          "workdir",
                                          "user",
                                          "stop_signal",
                                          "stop_timeout",
                                          "labels",
                                          "autostart",
                                          "sdnotify",
                                          "restart_delay_ms",
                                          "restart_max_delay_ms",
                                          "restart_reset_ms",
                                          "restart_limit",
                                          "restart_window_ms",
                                          "ulimits",
                                          "oom_score_adj",
                                          "privileged",
                                          "cap_add",
                                          "cap_drop",
                                          "seccomp_profile",
                                          "no_new_privileges",
                                          "unmask",
                                          "mask",
                                          "rootfs",
                                          "rootfs_overlay",
                                          "read_only",
                                          "mounts",
                                          "hostname",
                                          "pid",
                                          "ipc",
                                          "uts",
                                          "network",
                                          "memory",
                                          "cpus",
                                          "cpu_shares",
                                          "pids_limit",
                                          "log_max_size",
                                          "log_max_files",
                                          "log_driver",
                                          "devices",
                                          "uidmap",
                                          "gidmap",
                                          "userns",
                                          "health_cmd",
                                          "health_interval_ms",
                                          "health_timeout_ms",
                                          "health_retries",
                                          "health_start_period_ms",
                                          "health_on_failure",
                                          "annotations",
                                          "group_add",
                                          "tmpfs",
                                          "add_hosts",
                                          "dns",
                                          "dns_search",
                                          "networks",
                                          "ip",
                                          "ports",
                                          "network_aliases"};

// Settings a service file has no key for, and why.
const std::vector<std::pair<std::string, std::string>> noted = {
    {"auto_remove", "--rm is not carried over: a service's container is kept"},
    {"interactive", "-i is not carried over: nothing attaches to a service's stdin"},
    {"tty", "-t is not carried over: a service has no terminal"}};

std::string duration_text(uint64_t ms) {
  if (ms != 0 && ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms != 0 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

bool bare_key(const std::string& k) {
  return !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string key_text(const std::string& k) {
  return bare_key(k) ? k : toml_quote(k);
}

// A json value as TOML: strings, numbers, booleans, arrays and (inline) tables.
std::string value_text(const json& v) {
  if (v.is_string()) return toml_quote(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_float()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v.get<double>());
    std::string s = buf;
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
  }
  if (v.is_number()) return v.dump();
  std::string out;
  if (v.is_array()) {
    out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + value_text(v[i]);
    return out + "]";
  }
  out = "{";
  bool first = true;
  for (const auto& [k, e] : v.items()) {
    out += std::string(first ? " " : ", ") + key_text(k) + " = " + value_text(e);
    first = false;
  }
  return out + (first ? "}" : " }");
}

}  // namespace

std::string toml_quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

const std::vector<std::string>& service_carried_keys() {
  return carried;
}

const std::vector<std::string>& service_noted_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (const auto& [key, why] : noted) k.push_back(key);
    return k;
  }();
  return keys;
}

service_text_result generate_service(const json& d) {
  service_text_result r;
  const json defaults = to_json(container_config{});
  auto differs = [&](const std::string& k) {
    auto it = d.find(k);
    if (it == d.end() || it->is_null()) return false;
    auto def = defaults.find(k);
    return def == defaults.end() || *def != *it;
  };
  std::string body;
  auto line = [&](const std::string& k, const json& v) {
    body += key_text(k) + " = " + value_text(v) + "\n";
  };
  auto plain = [&](const std::string& k) {
    if (differs(k)) line(k, d.at(k));
  };
  auto duration = [&](const std::string& k, const std::string& file_key) {
    if (differs(k)) line(file_key, duration_text(d.at(k).get<uint64_t>()));
  };

  line("command", d.at("command"));
  plain("restart");
  plain("requires");
  plain("env");
  plain("workdir");
  plain("user");
  if (differs("stop_signal")) {
    const auto& s = d.at("stop_signal");
    line("stop_signal", s.is_number_integer() ? json(signal_name(s.get<int>())) : s);
  }
  plain("stop_timeout");
  plain("labels");
  plain("annotations");
  plain("group_add");
  plain("autostart");
  plain("sdnotify");
  for (const char* k : {"restart_delay", "restart_max_delay", "restart_reset", "restart_window"})
    duration(std::string(k) + "_ms", k);
  plain("restart_limit");
  plain("ulimits");
  plain("oom_score_adj");
  plain("privileged");
  plain("cap_add");
  plain("cap_drop");
  json opts = json::array();
  if (differs("seccomp_profile"))
    opts.push_back("seccomp=" + d.at("seccomp_profile").get<std::string>());
  if (differs("no_new_privileges") && d.at("no_new_privileges").get<bool>())
    opts.push_back("no-new-privileges");
  for (const char* k : {"unmask", "mask"}) {
    if (!differs(k)) continue;
    std::string paths;
    for (const auto& p : d.at(k)) paths += (paths.empty() ? "" : ":") + p.get<std::string>();
    opts.push_back(std::string(k) + "=" + paths);
  }
  if (!opts.empty()) line("security_opt", opts);
  for (const char* k : {"rootfs", "rootfs_overlay", "read_only", "mounts", "hostname", "pid", "ipc",
                        "uts", "network", "networks", "ip"})
    plain(k);
  if (differs("ports")) line("publish", d.at("ports"));  // -p strings, as stored
  for (const char* k : {"network_aliases", "memory", "cpus", "cpu_shares"}) plain(k);
  // Always written: a service file without it gets ctrd's default limit, not "none".
  if (d.contains("pids_limit")) line("pids_limit", d.at("pids_limit"));
  for (const char* k : {"tmpfs", "add_hosts", "dns", "dns_search"}) plain(k);
  plain("log_max_size");
  plain("log_max_files");
  plain("log_driver");
  plain("devices");
  if (d.value("userns", std::string()) == "auto") {
    line("userns", "auto");
    r.notes.push_back(
        "userns = \"auto\": ctrd picks a new block of ids when it creates the "
        "container from the file");
  } else {
    plain("uidmap");
    plain("gidmap");
    plain("userns");
  }

  if (differs("health_cmd")) {
    body += "\n[health]\n";
    line("cmd", d.at("health_cmd"));
    duration("health_interval_ms", "interval");
    duration("health_timeout_ms", "timeout");
    if (differs("health_retries")) line("retries", d.at("health_retries"));
    duration("health_start_period_ms", "start_period");
    if (differs("health_on_failure")) line("on_failure", d.at("health_on_failure"));
  }
  for (const auto& [key, why] : noted)
    if (differs(key)) r.notes.push_back(why);

  std::string name = d.value("name", std::string());
  r.text = "# " + name + ".toml: the service file of container " + name +
           " (ctrctl generate service " + name + ")\n";
  for (const auto& n : r.notes) r.text += "# " + n + "\n";
  r.text += body;
  return r;
}

}  // namespace ctrd
