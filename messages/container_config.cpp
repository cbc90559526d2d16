#include "messages/container_config.hpp"

#include <csignal>

#include "messages/error.hpp"
#include "messages/signals.hpp"

namespace ctrd {
namespace {

[[noreturn]] void bad(const std::string& key, const std::string& what) {
  throw error(ec::invalid_argument, "invalid value for \"" + key + "\": " + what);
}

std::vector<std::string> string_list(const json& j, const std::string& key) {
  if (!j.is_array()) bad(key, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (!e.is_string()) bad(key, "must be an array of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::string string_of(const json& j, const std::string& key) {
  if (!j.is_string()) bad(key, "must be a string");
  return j.get<std::string>();
}

}  // namespace

std::string restart_string(const restart_policy& p) {
  std::string s = to_string(p.kind);
  if (p.kind == restart_kind::on_failure && p.max_retries > 0)
    s += ":" + std::to_string(p.max_retries);
  return s;
}

json to_json(const container_config& c) {
  return json{{"id", c.id},
              {"name", c.name},
              {"command", c.command},
              {"env", c.env},
              {"workdir", c.workdir},
              {"user", c.user},
              {"labels", c.labels},
              {"stop_signal", c.stop_signal},
              {"stop_timeout", c.stop_timeout},
              {"restart", restart_string(c.restart)},
              {"auto_remove", c.auto_remove},
              {"created_ns", c.created_ns}};
}

container_config config_from_json(const json& j) {
  if (!j.is_object()) throw error(ec::invalid_argument, "container definition must be a map");
  container_config c;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (k == "id") {
      c.id = string_of(v, k);
    } else if (k == "name") {
      c.name = string_of(v, k);
    } else if (k == "command") {
      c.command = string_list(v, k);
    } else if (k == "env") {
      c.env = string_list(v, k);
    } else if (k == "workdir") {
      c.workdir = string_of(v, k);
    } else if (k == "user") {
      c.user = string_of(v, k);
    } else if (k == "labels") {
      if (!v.is_object()) bad(k, "must be a map of strings");
      for (auto l = v.begin(); l != v.end(); ++l) {
        if (!l.value().is_string()) bad(k, "must be a map of strings");
        c.labels[l.key()] = l.value().get<std::string>();
      }
    } else if (k == "stop_signal") {
      if (v.is_number_integer()) {
        auto s = v.get<int64_t>();
        if (s < 1 || s > SIGRTMAX) bad(k, "signal number out of range");
        c.stop_signal = static_cast<int>(s);
      } else {
        c.stop_signal = parse_signal(string_of(v, k));
      }
    } else if (k == "stop_timeout") {
      if (!v.is_number_unsigned() || v.get<uint64_t>() > 86400u * 365)
        bad(k, "must be a non-negative number of seconds");
      c.stop_timeout = static_cast<uint32_t>(v.get<uint64_t>());
    } else if (k == "restart") {
      c.restart = parse_restart_policy(string_of(v, k));
    } else if (k == "auto_remove") {
      if (!v.is_boolean()) bad(k, "must be a boolean");
      c.auto_remove = v.get<bool>();
    } else if (k == "created_ns") {
      if (!v.is_number_integer()) bad(k, "must be an integer");
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
  if (!c.name.empty() && !valid_container_name(c.name))
    throw error(ec::invalid_argument,
                "invalid container name \"" + c.name +
                    "\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (at most 253 characters)");
  for (const auto& e : c.env) {
    auto eq = e.find('=');
    if (eq == std::string::npos || eq == 0)
      throw error(ec::invalid_argument, "invalid environment entry \"" + e + "\": expected KEY=VALUE");
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
  if (c.auto_remove && c.restart.kind != restart_kind::no)
    throw error(ec::invalid_argument,
                "the --rm option conflicts with --restart, when the restartPolicy is not \"\" and \"no\"");
}

}  // namespace ctrd
