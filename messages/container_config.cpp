#include "messages/container_config.hpp"

#include <csignal>

#include "messages/error.hpp"
#include "messages/limits.hpp"
#include "messages/refuse.hpp"
#include "messages/signals.hpp"

namespace ctrd {
namespace {

std::vector<std::string> string_list(const json& j, const std::string& key) {
  if (!j.is_array()) throw_invalid_value(key, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (!e.is_string()) throw_invalid_value(key, "must be an array of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

uint32_t u32_of(const json& j, const std::string& key, uint32_t max = 0xffffffffu) {
  if (!j.is_number_unsigned() || j.get<uint64_t>() > max)
    throw_invalid_value(key,
                        "must be a non-negative integer" +
                            (max < 0xffffffffu ? " up to " + std::to_string(max) : std::string()));
  return static_cast<uint32_t>(j.get<uint64_t>());
}

}  // namespace

std::string restart_string(const restart_policy& p) {
  std::string s = to_string(p.kind);
  if (p.kind == restart_kind::on_failure && p.max_retries > 0)
    s += ":" + std::to_string(p.max_retries);
  return s;
}

json to_json(const container_config& c) {
  json out{{"id", c.id},
           {"name", c.name},
           {"command", c.command},
           {"env", c.env},
           {"workdir", c.workdir},
           {"user", c.user},
           {"labels", c.labels},
           {"annotations", c.annotations},
           {"group_add", c.group_add},
           {"stop_signal", c.stop_signal},
           {"stop_timeout", c.stop_timeout},
           {"restart", restart_string(c.restart)},
           {"auto_remove", c.auto_remove},
           {"created_ns", c.created_ns},
           {"requires", c.requires_},
           {"restart_delay_ms", c.backoff.initial_ms},
           {"restart_max_delay_ms", c.backoff.max_ms},
           {"restart_reset_ms", c.backoff.reset_ms},
           {"restart_limit", c.backoff.limit},
           {"restart_window_ms", c.backoff.window_ms},
           {"health_cmd", c.health.cmd},
           {"health_interval_ms", c.health.interval_ms},
           {"health_timeout_ms", c.health.timeout_ms},
           {"health_retries", c.health.retries},
           {"health_start_period_ms", c.health.start_period_ms},
           {"health_on_failure", to_string(c.health.on_failure)},
           {"sdnotify", c.sdnotify},
           {"source", c.source},
           {"autostart", c.autostart},
           {"interactive", c.interactive},
           {"tty", c.tty},
           {"log_max_size", c.log_max_size},
           {"log_max_files", c.log_max_files},
           {"log_driver", c.log_driver}};
  isolation_to_json(c.isolation, out);
  process_limits_to_json(c.proc_limits, out);
  security_to_json(c.security, out);
  return out;
}

const char* to_string(health_action a) {
  switch (a) {
    case health_action::none:
      return "none";
    case health_action::kill:
      return "kill";
    case health_action::restart:
      return "restart";
    case health_action::stop:
      return "stop";
  }
  return "none";
}

health_action parse_health_action(const std::string& t) {
  if (t.empty() || t == "none") return health_action::none;
  if (t == "kill") return health_action::kill;
  if (t == "restart") return health_action::restart;
  if (t == "stop") return health_action::stop;
  throw error(ec::invalid_argument, "invalid health-on-failure action \"" + t +
                                        "\": must be none, kill, restart or stop");
}

container_config config_from_json(const json& j) {
  if (!j.is_object()) throw error(ec::invalid_argument, "container definition must be a map");
  container_config c;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (k == "id") {
      c.id = string_value(v, k);
    } else if (k == "name") {
      c.name = string_value(v, k);
    } else if (k == "command") {
      c.command = string_list(v, k);
    } else if (k == "env") {
      c.env = string_list(v, k);
    } else if (k == "workdir") {
      c.workdir = string_value(v, k);
    } else if (k == "user") {
      c.user = string_value(v, k);
    } else if (k == "labels") {
      if (!v.is_object()) throw_invalid_value(k, "must be a map of strings");
      for (auto l = v.begin(); l != v.end(); ++l) {
        if (!l.value().is_string()) throw_invalid_value(k, "must be a map of strings");
        c.labels[l.key()] = l.value().get<std::string>();
      }
    } else if (k == "annotations") {
      if (!v.is_object()) throw_invalid_value(k, "must be a map of strings");
      for (auto l = v.begin(); l != v.end(); ++l) {
        if (!l.value().is_string()) throw_invalid_value(k, "must be a map of strings");
        c.annotations[l.key()] = l.value().get<std::string>();
      }
    } else if (k == "group_add") {
      if (!v.is_array()) throw_invalid_value(k, "must be an array of group ids");
      c.group_add.clear();
      for (const auto& g : v) {
        if (!g.is_number_unsigned() && !(g.is_number_integer() && g.get<int64_t>() >= 0))
          throw_invalid_value(k, "must be an array of group ids");
        if (g.get<uint64_t>() >= 0xffffffffull) throw_invalid_value(k, "group id out of range");
        c.group_add.push_back(static_cast<uint32_t>(g.get<uint64_t>()));
      }
    } else if (k == "stop_signal") {
      if (v.is_number_integer()) {
        auto s = v.get<int64_t>();
        if (s < 1 || s > SIGRTMAX) throw_invalid_value(k, "signal number out of range");
        c.stop_signal = static_cast<int>(s);
      } else {
        c.stop_signal = parse_signal(string_value(v, k));
      }
    } else if (k == "stop_timeout") {
      if (!v.is_number_unsigned() || v.get<uint64_t>() > 86400u * 365)
        throw_invalid_value(k, "must be a non-negative number of seconds");
      c.stop_timeout = static_cast<uint32_t>(v.get<uint64_t>());
    } else if (k == "restart") {
      c.restart = parse_restart_policy(string_value(v, k));
    } else if (k == "auto_remove") {
      c.auto_remove = bool_value(v, k);
    } else if (k == "requires") {
      c.requires_ = string_list(v, k);
    } else if (k == "restart_delay_ms") {
      c.backoff.initial_ms = u32_of(v, k, limits::max_duration_ms);
    } else if (k == "restart_max_delay_ms") {
      c.backoff.max_ms = u32_of(v, k, limits::max_duration_ms);
    } else if (k == "restart_reset_ms") {
      c.backoff.reset_ms = u32_of(v, k, limits::max_duration_ms);
    } else if (k == "restart_limit") {
      c.backoff.limit = u32_of(v, k, 1000000);
    } else if (k == "restart_window_ms") {
      c.backoff.window_ms = u32_of(v, k, limits::max_duration_ms);
    } else if (k == "health_cmd") {
      c.health.cmd = string_list(v, k);
    } else if (k == "health_interval_ms") {
      c.health.interval_ms = u32_of(v, k, limits::max_duration_ms);
    } else if (k == "health_timeout_ms") {
      c.health.timeout_ms = u32_of(v, k, limits::max_duration_ms);
    } else if (k == "health_retries") {
      c.health.retries = u32_of(v, k, 1000000);
    } else if (k == "health_start_period_ms") {
      c.health.start_period_ms = u32_of(v, k, limits::max_duration_ms);
    } else if (k == "health_on_failure") {
      c.health.on_failure = parse_health_action(string_value(v, k));
    } else if (k == "sdnotify") {
      c.sdnotify = bool_value(v, k);
    } else if (k == "source") {
      c.source = string_value(v, k);
    } else if (k == "autostart") {
      c.autostart = bool_value(v, k);
    } else if (k == "interactive") {
      c.interactive = bool_value(v, k);
    } else if (k == "tty") {
      c.tty = bool_value(v, k);
    } else if (k == "log_max_size") {
      if (!v.is_number_unsigned() || v.get<uint64_t>() > (uint64_t{1} << 40))
        throw_invalid_value(k, "must be a number of bytes up to 1 TiB");
      c.log_max_size = v.get<uint64_t>();
    } else if (k == "log_max_files") {
      c.log_max_files = u32_of(v, k, 1000);
    } else if (k == "log_driver") {
      c.log_driver = string_value(v, k);
      if (c.log_driver != "k8s-file" && c.log_driver != "journald" && c.log_driver != "none")
        throw_invalid_value(
            k, "must be k8s-file, journald or none (\"" + c.log_driver + "\" is not supported)");
    } else if (isolation_from_key(c.isolation, k, v) ||
               process_limits_from_key(c.proc_limits, k, v) ||
               security_from_key(c.security, k, v)) {
      // A key of one of the groups: its parser took it.
    } else if (k == "created_ns") {
      if (!v.is_number_integer()) throw_invalid_value(k, "must be an integer");
      c.created_ns = v.get<int64_t>();
    }
    // Unknown keys are ignored so older daemons accept newer clients' optional fields.
  }
  return c;
}

bool valid_container_name(const std::string& n) {
  if (n.empty() || n.size() > 253) return false;
  auto alnum = [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
  };
  if (!alnum(n[0])) return false;
  for (char ch : n)
    if (!alnum(ch) && ch != '_' && ch != '.' && ch != '-') return false;
  return true;
}

bool parse_user(const std::string& user, uint32_t& uid, uint32_t& gid, bool& has_gid) {
  auto num = [](const std::string& s, uint32_t& out) {
    if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos)
      return false;
    auto v = std::stoull(s);
    if (v >= 0xffffffffull) return false;
    out = static_cast<uint32_t>(v);
    return true;
  };
  auto colon = user.find(':');
  has_gid = colon != std::string::npos;
  if (!num(user.substr(0, colon), uid)) return false;
  gid = uid;
  return !has_gid || num(user.substr(colon + 1), gid);
}

void validate(const container_config& c) {
  if (c.command.empty() || c.command[0].empty())
    throw error(ec::invalid_argument, "no command specified: a container needs a command to run");
  auto bytes = encode_msgpack(to_json(c)).size();
  if (bytes > max_config_bytes)
    throw error(ec::invalid_argument,
                "the container's definition takes " + std::to_string(bytes) +
                    " bytes: command, environment, labels and the rest may take at most " +
                    std::to_string(max_config_bytes / 1024) + " KiB together");
  if (!c.name.empty() && !valid_container_name(c.name))
    throw error(ec::invalid_argument,
                "invalid container name \"" + c.name +
                    "\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (at most 253 characters)");
  for (const auto& e : c.env) {
    auto eq = e.find('=');
    if (eq == std::string::npos || eq == 0)
      throw error(ec::invalid_argument,
                  "invalid environment entry \"" + e + "\": expected KEY=VALUE");
  }
  if (c.workdir.empty() || c.workdir[0] != '/')
    throw error(ec::invalid_argument,
                "invalid working directory \"" + c.workdir + "\": must be an absolute path");
  uint32_t uid, gid;
  bool has_gid;
  if (!c.user.empty() && !parse_user(c.user, uid, gid, has_gid))
    throw error(ec::invalid_argument,
                "invalid user \"" + c.user + "\": expected UID[:GID] (numeric ids)");
  for (const auto& [k, v] : c.labels)
    if (k.empty()) throw error(ec::invalid_argument, "label keys must not be empty");
  // Labels become map entries of inspect and events, which clients decode with a limit of
  // 4096 entries per map (docs/protocol.md).
  if (c.labels.size() > 1024)
    throw error(ec::invalid_argument,
                "too many labels (" + std::to_string(c.labels.size()) + "): at most 1024");
  for (const auto& [k, v] : c.annotations)
    if (k.empty()) throw error(ec::invalid_argument, "annotation keys must not be empty");
  if (c.annotations.size() > 1024)
    throw error(ec::invalid_argument, "too many annotations (" +
                                          std::to_string(c.annotations.size()) + "): at most 1024");
  if (c.security.private_user() && (!c.isolation.add_hosts.empty() || !c.isolation.dns.empty() ||
                                    !c.isolation.dns_search.empty()))
    throw error(ec::invalid_argument,
                "--add-host, --dns and --dns-search are not supported with a user namespace "
                "(--userns, --uidmap): such a container keeps its rootfs's /etc files");
  if (c.group_add.size() > 64)
    throw error(ec::invalid_argument, "too many supplementary groups (" +
                                          std::to_string(c.group_add.size()) + "): at most 64");
  for (const auto& r : c.requires_) {
    if (!valid_container_name(r))
      throw error(ec::invalid_argument, "invalid required container name \"" + r + "\"");
    if (r == c.name && !c.name.empty())
      throw error(ec::invalid_argument, "container " + c.name + " cannot require itself");
  }
  if (!c.health.cmd.empty() && c.health.cmd[0].empty())
    throw error(ec::invalid_argument, "the health check command must not be empty");
  if (!c.health.cmd.empty() && c.health.interval_ms == 0)
    throw error(ec::invalid_argument, "the health check interval must be greater than 0");
  validate(c.isolation);
  validate(c.security, c.isolation);
  if (c.auto_remove && c.restart.kind != restart_kind::no)
    throw error(
        ec::invalid_argument,
        "the --rm option conflicts with --restart, when the restartPolicy is not \"\" and \"no\"");
}

}  // namespace ctrd
