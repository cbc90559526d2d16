// `ctrctl ps` selection: filters, --last, --sort, the template rows (ps_filter.hpp).
#include "ctl/ps_filter.hpp"

#include <algorithm>
#include <cstdio>
#include <regex>
#include <set>
#include <utility>

#include "ctl/format.hpp"
#include "ctl/network_format.hpp"
#include "messages/error.hpp"

namespace ctl {
namespace {

constexpr int64_t ns_per_s = 1000000000;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t num(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  return it->is_number_float() ? static_cast<int64_t>(it->get<double>()) : it->get<int64_t>();
}

[[noreturn]] void bad(const std::string& msg) {
  throw ctrd::error(ctrd::ec::invalid_argument, msg);
}

const std::set<std::string>& states() {
  static const std::set<std::string> s = {"created", "configured", "initialized",
                                          "running", "stopped",    "paused",
                                          "exited",  "removing",   "stopping"};
  return s;
}

// podman's state name for the status filter: stopped counts as exited, configured as created.
std::string filter_state(const std::string& s) {
  if (s == "stopped") return "exited";
  if (s == "configured") return "created";
  return s;
}

std::string policy_name(const std::string& restart) {
  std::string p = restart.substr(0, restart.find(':'));
  return p.empty() ? "no" : p;
}

bool label_match(const json& labels, const std::string& want) {
  auto eq = want.find('=');
  std::string key = want.substr(0, eq);
  if (!labels.is_object()) return false;
  auto it = labels.find(key);
  if (it == labels.end()) return false;
  return eq == std::string::npos ||
         (it->is_string() && it->get<std::string>() == want.substr(eq + 1));
}

bool regex_search_safe(const std::string& text, const std::string& pattern) {
  try {
    return std::regex_search(text, std::regex(pattern));  // ECMAScript: closest to Go RE2
  } catch (const std::regex_error&) {
    return text.find(pattern) != std::string::npos;
  }
}

// The created time of the container `ref` names among the summaries.
int64_t created_of(const json& summaries, const std::string& ref) {
  const json* prefix = nullptr;
  int prefixes = 0;
  for (const auto& c : summaries) {
    if (str(c, "name") == ref || str(c, "id") == ref) return num(c, "created_ns");
    if (str(c, "id").rfind(ref, 0) == 0) {
      prefix = &c;
      ++prefixes;
    }
  }
  if (prefixes == 1) return num(*prefix, "created_ns");
  throw ctrd::error(ctrd::ec::invalid_argument,  // ps exits 125 (podman)
                    "no container with name or ID \"" + ref + "\" found: no such container");
}

bool pass(const json& c, const std::string& key, const std::vector<std::string>& values,
          const json& all) {
  if (key == "label") {  // every label filter must match
    for (const auto& v : values)
      if (!label_match(c.value("labels", json::object()), v)) return false;
    return true;
  }
  if (key == "label!") {
    for (const auto& v : values)
      if (label_match(c.value("labels", json::object()), v)) return false;
    return true;
  }
  if (key == "before" || key == "since") {
    int64_t t = 0;
    for (const auto& v : values) {
      int64_t ct = created_of(all, v);
      if (t == 0 || ct < t) t = ct;
    }
    int64_t mine = num(c, "created_ns");
    return key == "before" ? mine < t : mine > t;
  }
  for (const auto& v : values) {
    if (key == "id" && str(c, "id").rfind(v, 0) == 0) return true;
    if (key == "name") {
      std::string pat = v;
      pat.erase(std::remove(pat.begin(), pat.end(), '/'), pat.end());
      if (regex_search_safe(str(c, "name"), pat)) return true;
    }
    if (key == "status" && filter_state(str(c, "state")) == filter_state(v)) return true;
    if (key == "exited") {
      std::string st = str(c, "state");
      if ((st == "exited" || st == "stopped") && std::to_string(num(c, "exit_code")) == v)
        return true;
    }
    if (key == "health" && str(c, "health") == v) return true;
    if (key == "restart-policy") {
      std::string p = policy_name(str(c, "restart"));
      if (p == v || (v == "none" && p == "no") || (v.empty() && p == "no")) return true;
    }
  }
  return false;
}

}  // namespace

ps_filters parse_ps_filters(const std::vector<std::string>& args) {
  static const std::set<std::string> keys = {"id",     "name",          "label",  "label!",
                                             "status", "exited",        "health", "before",
                                             "since",  "restart-policy"};
  ps_filters f;
  for (const auto& a : args) {
    auto eq = a.find('=');
    if (eq == std::string::npos) bad("invalid filter \"" + a + "\"");
    std::string key = a.substr(0, eq), value = a.substr(eq + 1);
    if (keys.count(key) == 0) bad(key + " is an invalid filter");
    f[key].push_back(value);
  }
  if (auto it = f.find("status"); it != f.end())
    for (const auto& v : it->second)
      if (states().count(v) == 0) bad("unknown container state: " + v + ": invalid argument");
  if (auto it = f.find("exited"); it != f.end())
    for (const auto& v : it->second) {
      bool ok = !v.empty() && v.size() <= 11;
      std::size_t start = !v.empty() && (v[0] == '-' || v[0] == '+') ? 1 : 0;
      ok = ok && start < v.size() && v.find_first_not_of("0123456789", start) == std::string::npos;
      if (ok) {
        long long n = std::stoll(v);
        ok = n >= INT32_MIN && n <= INT32_MAX;
      }
      if (!ok)
        bad("exited code out of range \"" + v + "\": strconv.ParseInt: parsing \"" + v +
            "\": invalid syntax");
    }
  if (auto it = f.find("restart-policy"); it != f.end()) {
    static const std::set<std::string> policies = {"",           "no",     "none",
                                                   "on-failure", "always", "unless-stopped"};
    std::vector<std::string> badp;
    for (const auto& v : it->second)
      if (policies.count(v) == 0) badp.push_back(v);
    if (!badp.empty()) {
      std::string names;
      for (const auto& b : badp) names += (names.empty() ? "" : ", ") + b;
      bad(names + (badp.size() > 1 ? " invalid restart policies" : " invalid restart policy"));
    }
  }
  return f;
}

json filter_summaries(const json& summaries, const ps_filters& filters) {
  json out = json::array();
  if (!summaries.is_array()) return out;
  for (const auto& c : summaries) {
    bool ok = true;
    for (const auto& [key, values] : filters)
      if (!pass(c, key, values, summaries)) {
        ok = false;
        break;
      }
    if (ok) out.push_back(c);
  }
  return out;
}

void sort_oldest_first(json& summaries) {
  sort_ps(summaries, "created");
}

void sort_ps(json& summaries, const std::string& by) {
  static const std::set<std::string> keys = {"command", "created",    "id",   "image",
                                             "names",   "runningfor", "size", "status"};
  if (keys.count(by) == 0)
    bad("invalid option for --sort, options are: command, created, id, image, names, "
        "runningfor, size, or status");
  if (!summaries.is_array()) return;
  auto& arr = summaries.get_ref<json::array_t&>();
  auto text = [&by](const json& c) {
    if (by == "command") return command_string(c.value("command", json::array()), true);
    if (by == "id") return str(c, "id");
    if (by == "image") return str(c, "rootfs");
    if (by == "names") return str(c, "name");
    return str(c, "state");
  };
  auto number = [&by](const json& c) {
    if (by == "created") return num(c, "created_ns");
    if (by == "runningfor") return num(c, "started_ns");
    return num(c, "size_root");
  };
  bool textual = by == "command" || by == "id" || by == "image" || by == "names" || by == "status";
  std::stable_sort(arr.begin(), arr.end(), [&](const json& a, const json& b) {
    return textual ? text(a) < text(b) : number(a) < number(b);
  });
}

json last_summaries(const json& summaries, int64_t n) {
  json sorted = summaries.is_array() ? summaries : json::array();
  sort_oldest_first(sorted);
  if (n < 0 || static_cast<std::size_t>(n) >= sorted.size()) return sorted;
  json out = json::array();
  for (std::size_t i = sorted.size() - static_cast<std::size_t>(n); i < sorted.size(); ++i)
    out.push_back(sorted[i]);
  return out;
}

std::string ps_size_string(int64_t rw, int64_t root) {
  auto human = [](double size) {
    static const char* const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    std::size_t i = 0;
    while (size >= 1000.0 && i + 1 < sizeof units / sizeof units[0]) {
      size /= 1000.0;
      ++i;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g%s", size, units[i]);
    return std::string(buf);
  };
  return human(static_cast<double>(rw)) + " (virtual " + human(static_cast<double>(root)) + ")";
}

json ps_template_rows(const json& summaries, int64_t now, bool no_trunc) {
  json rows = json::array();
  if (!summaries.is_array()) return rows;
  for (const auto& c : summaries) {
    std::string id = str(c, "id"), state = str(c, "state");
    int64_t created = num(c, "created_ns"), started = num(c, "started_ns");
    int64_t finished = num(c, "finished_ns");
    int code = static_cast<int>(num(c, "exit_code"));
    json mounts = json::array();
    if (auto m = c.find("mounts"); m != c.end() && m->is_array())
      for (const auto& x : *m)
        if (x.is_object()) mounts.push_back(x.value("destination", std::string()));
    auto ready = c.find("ready");
    json row = {
        {"ID", no_trunc ? id : short_id(id)},
        {"Id", id},
        {"Names", str(c, "name")},
        {"Image", str(c, "rootfs")},
        {"Command", command_string(c.value("command", json::array()), no_trunc)},
        {"Created", format_go_time(created, false)},
        {"CreatedAt", format_go_time(created, false)},
        {"CreatedHuman", ago_string(created, now)},
        {"RunningFor", ago_string(created, now)},
        {"Status", status_string(state, code, started, finished, now, str(c, "health"))},
        {"State", state},
        {"Restarts", num(c, "restart_count")},
        {"Labels", c.value("labels", json::object())},
        {"Mounts", mounts},
        {"Pid", num(c, "pid")},
        {"ExitCode", code},
        {"Exited", state == "exited" || state == "stopped"},
        {"ExitedAt", finished / ns_per_s},
        {"StartedAt", started / ns_per_s},
        {"Ports", ps_ports_text(c)},
        {"Networks", ps_networks_text(c)},
        {"Pod", ""},
        {"PodName", ""},
        {"AutoRemove", c.value("auto_remove", false)},
        {"Size", c.contains("size_rw") ? ps_size_string(num(c, "size_rw"), num(c, "size_root"))
                                       : std::string()},
        {"RestartPolicy", str(c, "restart")},
        {"Health", str(c, "health")},
        {"Ready", ready != c.end() && ready->is_boolean() && ready->get<bool>()},
        {"Error", str(c, "error")}};
    rows.push_back(std::move(row));
  }
  return rows;
}

header_names ps_headers() {
  header_names h;
  json sample = ps_template_rows(json::array({json::object()}), 0, false)[0];
  for (auto it = sample.begin(); it != sample.end(); ++it)
    h[it.key()] = gotmpl::header_name(it.key());
  h["ID"] = "CONTAINER ID";
  h["CreatedHuman"] = "CREATED";
  h["RunningFor"] = "RUNNING FOR";
  h["Pod"] = "POD ID";
  h["PodName"] = "PODNAME";
  return h;
}

}  // namespace ctl
