#include "config/service_parser.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <map>
#include <set>

#include <toml++/toml.h>

#include "config/service_host_keys.hpp"
#include "messages/capabilities.hpp"
#include "messages/container_config.hpp"
#include "messages/duration.hpp"
#include "messages/error.hpp"
#include "messages/limits.hpp"
#include "messages/process_limits.hpp"
#include "messages/restart_policy.hpp"
#include "messages/security.hpp"
#include "messages/signals.hpp"

namespace ctrd::service_text {
namespace {

// Upper bounds of the plain integer keys (as config_from_json accepts them).
constexpr int64_t max_count = 1000000;
constexpr int64_t max_stop_timeout = 86400ll * 365;
// Most elements of an array (command, env, requires, health cmd): the wire decoder's limit
// (messages/value_codec.hpp). A longer one could not travel in a create request, and the
// replies that repeat it (list, inspect) could not be decoded by any client.
constexpr std::size_t max_elements = decode_limits{}.max_array;

const char* const duration_keys[] = {"restart_delay", "restart_max_delay", "restart_reset",
                                     "restart_window"};
const char* const top_keys[] = {"command",
                                "restart",
                                "requires",
                                "env",
                                "stop_signal",
                                "stop_timeout",
                                "workdir",
                                "user",
                                "labels",
                                "annotations",
                                "group_add",
                                "autostart",
                                "sdnotify",
                                "restart_delay",
                                "restart_max_delay",
                                "restart_reset",
                                "restart_window",
                                "restart_limit",
                                "health",
                                "health_cmd",
                                "health_interval",
                                "health_timeout",
                                "health_retries",
                                "health_start_period",
                                "health_on_failure",
                                "ulimits",
                                "oom_score_adj",
                                "privileged",
                                "cap_add",
                                "cap_drop",
                                "security_opt"};
const char* const health_keys[] = {"cmd",     "interval",     "timeout",
                                   "retries", "start_period", "on_failure"};

// Thrown inside the parser to stop at the first problem; never leaves this file.
struct stop_parsing {
  service_error e;
};

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] =
          std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// A table's entries in file order (toml++ keeps them sorted by key), so the first problem
// reported is the first one in the file and env tables keep the order they are written in.
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<const toml::key*, const toml::node*>> out;
  out.reserve(t.size());
  for (auto&& [k, v] : t) out.emplace_back(&k, &v);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto& x = a.first->source().begin;
    const auto& y = b.first->source().begin;
    return x.line < y.line || (x.line == y.line && x.column < y.column);
  });
  return out;
}

class parser {
 public:
  parser(std::string file, std::string name) : file_(std::move(file)), name_(std::move(name)) {}

  json run(const toml::table& root) {
    json out = json::object();
    const toml::node* health_table = nullptr;
    const toml::key* health_table_key = nullptr;
    const toml::key* first_flat_health = nullptr;
    const toml::key* first_health_setting = nullptr;
    const toml::key* command_key = nullptr;
    bool has_health_cmd = false;

    for (auto [kp, vp] : in_file_order(root)) {
      const toml::key& k = *kp;
      const toml::node& v = *vp;
      const std::string key(k.str());
      if (key == "command") {
        command_key = &k;
        out["command"] = string_array(v, key, true);
      } else if (key == "restart") {
        auto text = string_of(v, key);
        try {
          out["restart"] = restart_string(parse_restart_policy(text));
        } catch (const error& e) {
          fail(v, key, e.what());
        }
      } else if (key == "requires") {
        out["requires"] = requires_list(v, key);
      } else if (key == "env") {
        out["env"] = env_of(v, key);
      } else if (key == "stop_signal") {
        out["stop_signal"] = signal_of(v, key);
      } else if (key == "stop_timeout") {
        out["stop_timeout"] = integer_of(v, key, max_stop_timeout, " (seconds)");
      } else if (key == "workdir") {
        auto w = string_of(v, key);
        if (w.empty() || w[0] != '/') fail(v, key, "must be an absolute path, not \"" + w + "\"");
        out["workdir"] = w;
      } else if (key == "user") {
        out["user"] = user_of(v, key);
      } else if (key == "labels" || key == "annotations") {
        out[key] = labels_of(v, key);
      } else if (key == "group_add") {  // numeric: a service runs on the host's root
        const auto* a = v.as_array();
        if (!a) fail(v, key, std::string("must be an array of group ids, not ") + type_name(v));
        json ids = json::array();
        for (std::size_t i = 0; i < a->size(); ++i) {
          const auto* n = a->get(i)->as_integer();
          if (!n || n->get() < 0 || n->get() >= 0xffffffffll)
            fail(*a->get(i), key, "must be an array of numeric group ids");
          ids.push_back(n->get());
        }
        out[key] = std::move(ids);
      } else if (key == "autostart" || key == "sdnotify" || key == "privileged") {
        out[key] = bool_of(v, key);
      } else if (key == "ulimits") {
        json list = string_array(v, key, false);
        const auto* a = v.as_array();
        for (std::size_t i = 0; i < list.size(); ++i) {
          try {
            list[i] = format_ulimit(parse_ulimit(list[i].get<std::string>()));
          } catch (const error& e) {
            fail(*a->get(i), key, e.what());
          }
        }
        out[key] = std::move(list);
      } else if (key == "oom_score_adj") {
        const auto* i = v.as_integer();
        if (!i || i->get() < -1000 || i->get() > 1000)
          fail(v, key, "must be an integer from -1000 to 1000");
        out[key] = i->get();
      } else if (key == "cap_add" || key == "cap_drop") {
        json list = string_array(v, key, false);
        const auto* a = v.as_array();
        for (std::size_t i = 0; i < list.size(); ++i) {
          try {
            list[i] = normalize_capability(list[i].get<std::string>(), key.c_str());
          } catch (const error& e) {
            fail(*a->get(i), key, e.what());
          }
        }
        out[key] = std::move(list);
      } else if (key == "security_opt") {
        json list = string_array(v, key, false);
        const auto* a = v.as_array();
        for (std::size_t i = 0; i < list.size(); ++i) {
          try {
            apply_security_opt(list[i].get<std::string>(), out);
          } catch (const error& e) {
            fail(*a->get(i), key, e.what());
          }
        }
      } else if (key == "restart_limit") {
        out[key] = integer_of(v, key, max_count, "");
      } else if (is_duration_key(key)) {
        out[key + "_ms"] = duration_of(v, key);
      } else if (key == "health") {
        if (!v.is_table())
          fail(v, key, std::string("must be a table ([health]), not ") + type_name(v));
        health_table = &v;
        health_table_key = &k;
      } else if (is_host_key(key)) {
        try {
          out[host_create_key(key)] = host_key_value(key, v);
        } catch (const error& e) {
          fail(v, key, e.what());
        }
      } else if (key.rfind("health_", 0) == 0 && known(key, top_keys)) {
        if (!first_flat_health || before(k, *first_flat_health)) first_flat_health = &k;
        if (key == "health_cmd") {
          has_health_cmd = true;
        } else if (!first_health_setting || before(k, *first_health_setting)) {
          first_health_setting = &k;
        }
        health_value(out, key.substr(7), v, key);
      } else {
        unknown(k, key, "", top_keys);
      }
    }

    if (health_table && first_flat_health)
      fail_at(first_flat_health->source(), std::string(first_flat_health->str()),
              "cannot be combined with the [health] table (line " +
                  std::to_string(health_table_key->source().begin.line) +
                  "): write the health check one way or the other");
    if (health_table) {
      for (auto [kp, vp] : in_file_order(*health_table->as_table())) {
        const toml::key& k = *kp;
        const toml::node& v = *vp;
        const std::string sub(k.str());
        const std::string path = "health." + sub;
        if (!known(sub, health_keys)) unknown(k, sub, "health.", health_keys);
        if (sub == "cmd") {
          has_health_cmd = true;
        } else if (!first_health_setting || before(k, *first_health_setting)) {
          first_health_setting = &k;
        }
        health_value(out, sub, v, path);
      }
    }
    if (first_health_setting && !has_health_cmd)
      fail_at(first_health_setting->source(),
              health_table ? "health." + std::string(first_health_setting->str())
                           : std::string(first_health_setting->str()),
              std::string("a health setting needs a health check command: add ") +
                  (health_table ? "cmd to the [health] table" : "health_cmd"));

    if (!command_key)
      throw stop_parsing{{file_, 0, 0, "command",
                          "missing: every service needs a command (an array of strings, e.g. "
                          "command = [\"sleep\", \"infinity\"])"}};
    return out;
  }

  [[noreturn]] void fail(const toml::node& n, const std::string& key,
                         const std::string& msg) const {
    fail_at(n.source(), key, msg);
  }

  [[noreturn]] void fail_at(const toml::source_region& where, const std::string& key,
                            const std::string& msg) const {
    throw stop_parsing{
        {file_, clamp_int(where.begin.line), clamp_int(where.begin.column), key, msg}};
  }

 private:
  static bool known(const std::string& key, const char* const* begin, const char* const* end) {
    return std::any_of(begin, end, [&](const char* k) { return key == k; });
  }
  template <std::size_t N>
  static bool known(const std::string& key, const char* const (&list)[N]) {
    return known(key, list, list + N);
  }
  static bool is_duration_key(const std::string& key) { return known(key, duration_keys); }

  static bool before(const toml::key& a, const toml::key& b) {
    const auto& x = a.source().begin;
    const auto& y = b.source().begin;
    return x.line < y.line || (x.line == y.line && x.column < y.column);
  }

  template <std::size_t N>
  [[noreturn]] void unknown(const toml::key& k, const std::string& key, const std::string& prefix,
                            const char* const (&list)[N]) const {
    std::string msg = "unknown key";
    std::string base = key;
    if (base.size() > 3 && base.compare(base.size() - 3, 3, "_ms") == 0) {
      base.resize(base.size() - 3);
      if (known(base, list) || (prefix.empty() && known(base, duration_keys))) {
        fail_at(k.source(), prefix + key,
                msg + " (durations are written without \"_ms\": " + base +
                    " = \"100ms\", \"1m30s\" or a number of seconds)");
      }
    }
    if (prefix.empty() && (key == "name" || key == "source"))
      fail_at(k.source(), key,
              msg +
                  " (the container name is the file's name without .toml; the source is the "
                  "file itself)");
    std::string best;
    std::size_t best_d = 3;
    auto consider = [&](const std::string& cand) {
      auto d = edit_distance(key, cand);
      if (d < best_d) {
        best_d = d;
        best = cand;
      }
    };
    for (const char* cand : list) consider(cand);
    if (prefix.empty())
      for (const auto& cand : host_keys()) consider(cand);
    if (!best.empty()) msg += " (did you mean \"" + prefix + best + "\"?)";
    fail_at(k.source(), prefix + key, msg);
  }

  void check_text(const toml::node& n, const std::string& key, const std::string& s) const {
    if (s.find('\0') != std::string::npos) fail(n, key, "must not contain NUL characters");
  }

  std::string string_of(const toml::node& n, const std::string& key) const {
    const auto* s = n.as_string();
    if (!s) fail(n, key, std::string("must be a string, not ") + type_name(n));
    std::string out = s->get();
    check_text(n, key, out);
    return out;
  }

  bool bool_of(const toml::node& n, const std::string& key) const {
    const auto* b = n.as_boolean();
    if (!b) fail(n, key, std::string("must be a boolean (true or false), not ") + type_name(n));
    return b->get();
  }

  // Returned unsigned: config_from_json wants non-negative integers as json unsigned numbers.
  uint64_t integer_of(const toml::node& n, const std::string& key, int64_t max,
                      const std::string& unit) const {
    const auto* i = n.as_integer();
    if (!i) fail(n, key, "must be a non-negative integer" + unit + ", not " + type_name(n));
    int64_t v = i->get();
    if (v < 0) fail(n, key, "must not be negative (" + std::to_string(v) + ")");
    if (v > max)
      fail(n, key,
           "must be at most " + std::to_string(max) + unit + " (" + std::to_string(v) + ")");
    return static_cast<uint64_t>(v);
  }

  json string_array(const toml::node& n, const std::string& key, bool is_argv) const {
    const auto* a = n.as_array();
    if (!a) fail(n, key, std::string("must be an array of strings, not ") + type_name(n));
    if (a->size() > max_elements)
      fail(n, key,
           "too many elements (" + std::to_string(a->size()) + ", at most " +
               std::to_string(max_elements) + ")");
    json out = json::array();
    for (const auto& e : *a) {
      if (!e.is_string())
        fail(e, key, std::string("must be an array of strings (found ") + type_name(e) + ")");
      out.push_back(string_of(e, key));
    }
    if (is_argv) {
      if (a->empty()) fail(n, key, "must not be empty: the first element is the program to run");
      if (out[0].get_ref<const std::string&>().empty())
        fail(*a->get(0), key, "the program (first element) must not be empty");
    }
    return out;
  }

  json requires_list(const toml::node& n, const std::string& key) const {
    json out = string_array(n, key, false);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto& r = out[i].get_ref<const std::string&>();
      const toml::node& e = *n.as_array()->get(i);
      if (!valid_container_name(r)) fail(e, key, "\"" + r + "\" is not a valid container name");
      if (r == name_) fail(e, key, "a service cannot require itself");
      if (!seen.insert(r).second) fail(e, key, "\"" + r + "\" is listed twice");
    }
    return out;
  }

  json env_of(const toml::node& n, const std::string& key) const {
    json out = json::array();
    if (const auto* t = n.as_table()) {
      if (t->size() > max_elements)
        fail(n, key,
             "too many variables (" + std::to_string(t->size()) + ", at most " +
                 std::to_string(max_elements) + ")");
      for (auto [kp, vp] : in_file_order(*t)) {
        const toml::key& k = *kp;
        const toml::node& v = *vp;
        std::string name(k.str());
        std::string path = key + "." + name;
        if (name.empty() || name.find('=') != std::string::npos ||
            name.find('\0') != std::string::npos)
          fail_at(k.source(), path, "invalid variable name (must be non-empty, without '=')");
        std::string value;
        if (v.is_string())
          value = string_of(v, path);
        else if (const auto* i = v.as_integer())
          value = std::to_string(i->get());
        else if (const auto* b = v.as_boolean())
          value = b->get() ? "true" : "false";
        else
          fail(v, path, std::string("must be a string, integer or boolean, not ") + type_name(v));
        out.push_back(name + "=" + value);
      }
      return out;
    }
    if (!n.is_array())
      fail(n, key,
           std::string(
               "must be a table (KEY = \"value\") or an array of \"KEY=VALUE\" strings, not ") +
               type_name(n));
    out = string_array(n, key, false);
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto& e = out[i].get_ref<const std::string&>();
      auto eq = e.find('=');
      if (eq == std::string::npos || eq == 0)
        fail(*n.as_array()->get(i), key, "invalid entry \"" + e + "\": expected KEY=VALUE");
    }
    return out;
  }

  json labels_of(const toml::node& n, const std::string& key) const {
    const auto* t = n.as_table();
    if (!t) fail(n, key, std::string("must be a table of strings, not ") + type_name(n));
    json out = json::object();
    for (auto [kp, vp] : in_file_order(*t)) {
      const toml::key& k = *kp;
      const toml::node& v = *vp;
      std::string name(k.str());
      std::string path = key + "." + name;
      if (name.empty()) fail_at(k.source(), path, "label names must not be empty");
      if (name.find('\0') != std::string::npos)
        fail_at(k.source(), path, "must not contain NUL characters");
      out[name] = string_of(v, path);
    }
    return out;
  }

  json signal_of(const toml::node& n, const std::string& key) const {
    if (const auto* i = n.as_integer()) {
      int64_t s = i->get();
      if (s < 1 || s > SIGRTMAX)
        fail(n, key,
             "invalid signal " + std::to_string(s) + " (1 to " + std::to_string(SIGRTMAX) + ")");
      return s;
    }
    if (!n.is_string())
      fail(n, key, std::string("must be a signal name or number, not ") + type_name(n));
    auto text = string_of(n, key);
    try {
      parse_signal(text);
    } catch (const error& e) {
      fail(n, key, e.what());
    }
    return text;
  }

  std::string user_of(const toml::node& n, const std::string& key) const {
    std::string text;
    if (const auto* i = n.as_integer()) {
      if (i->get() < 0 || i->get() >= 0xffffffffll)
        fail(n, key, "invalid user id " + std::to_string(i->get()));
      text = std::to_string(i->get());
    } else if (n.is_string()) {
      text = string_of(n, key);
    } else {
      fail(n, key, std::string("must be a string \"UID[:GID]\", not ") + type_name(n));
    }
    uint32_t uid, gid;
    bool has_gid;
    if (!text.empty() && !parse_user(text, uid, gid, has_gid))
      fail(n, key, "invalid user \"" + text + "\": expected UID[:GID] (numeric ids)");
    return text;
  }

  uint64_t duration_of(const toml::node& n, const std::string& key) const {
    uint64_t ms = 0;
    if (n.is_string()) {
      auto text = string_of(n, key);
      try {
        ms = parse_duration_ms(text);
      } catch (const error& e) {
        fail(n, key, e.what());
      }
    } else if (const auto* i = n.as_integer()) {
      int64_t s = i->get();
      if (s < 0) fail(n, key, "must not be negative (" + std::to_string(s) + ")");
      if (static_cast<uint64_t>(s) > limits::max_duration_ms / 1000)
        fail(n, key, "must be at most 30 days (" + std::to_string(s) + " seconds)");
      ms = static_cast<uint64_t>(s) * 1000;
    } else if (const auto* f = n.as_floating_point()) {
      double s = f->get();
      if (!std::isfinite(s) || s < 0)
        fail(n, key, "must be a finite, non-negative number of seconds");
      if (s * 1000 > static_cast<double>(limits::max_duration_ms))
        fail(n, key, "must be at most 30 days");
      ms = static_cast<uint64_t>(std::llround(s * 1000));
    } else {
      fail(n, key,
           std::string("must be a duration (\"100ms\", \"1m30s\") or a number of seconds, not ") +
               type_name(n));
    }
    if (ms > limits::max_duration_ms) fail(n, key, "must be at most 30 days");
    return ms;
  }

  // One health setting; `sub` is the name inside [health] ("cmd", "interval", ...).
  void health_value(json& out, const std::string& sub, const toml::node& v,
                    const std::string& path) const {
    if (sub == "cmd") {
      if (v.is_string()) {
        auto cmd = string_of(v, path);
        if (cmd.find_first_not_of(" \t\r\n") == std::string::npos)
          fail(v, path, "must not be empty");
        out["health_cmd"] = json::array({"/bin/sh", "-c", cmd});
      } else if (v.is_array()) {
        out["health_cmd"] = string_array(v, path, true);
      } else {
        fail(v, path,
             std::string("must be a shell command string or an array of strings (argv), not ") +
                 type_name(v));
      }
    } else if (sub == "interval") {
      auto ms = duration_of(v, path);
      if (ms == 0) fail(v, path, "must be greater than 0");
      out["health_interval_ms"] = ms;
    } else if (sub == "timeout" || sub == "start_period") {
      out["health_" + sub + "_ms"] = duration_of(v, path);
    } else if (sub == "retries") {
      out["health_retries"] = integer_of(v, path, max_count, "");
    } else if (sub == "on_failure") {
      auto text = string_of(v, path);
      try {
        out["health_on_failure"] = to_string(parse_health_action(text));
      } catch (const error& e) {
        fail(v, path, e.what());
      }
    }
  }

  std::string file_;
  std::string name_;
};

}  // namespace

int clamp_int(uint64_t v) {
  return v > static_cast<uint64_t>(INT_MAX) ? INT_MAX : static_cast<int>(v);
}

json definition_of(const toml::table& root, const std::string& file, const std::string& name,
                   std::optional<service_error>& error) {
  parser p(file, name);
  try {
    return p.run(root);
  } catch (stop_parsing& s) {
    error = std::move(s.e);
    return json();
  }
}

}  // namespace ctrd::service_text
