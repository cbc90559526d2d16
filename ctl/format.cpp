#include "ctl/format.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <utility>
#include <vector>

#include "ctl/network_format.hpp"

namespace ctl {
namespace {

constexpr int64_t ns_per_s = 1000000000;

int64_t int_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  if (it->is_number_float()) return static_cast<int64_t>(it->get<double>());
  return it->get<int64_t>();
}

std::string str_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// Display width: counts UTF-8 code points (good enough for names and commands).
std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * ns_per_s + ts.tv_nsec;
}

std::string human_duration(int64_t d) {
  if (d < 0) d = 0;
  int64_t seconds = d / ns_per_s;
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return std::to_string(seconds) + " seconds";
  int64_t minutes = d / (60 * ns_per_s);
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return std::to_string(minutes) + " minutes";
  // Go: int(d.Hours() + 0.5), for a non-negative d: rounded half up.
  int64_t hours = std::llround(static_cast<double>(d) / (3600.0 * ns_per_s));
  if (hours == 1) return "About an hour";
  if (hours < 48) return std::to_string(hours) + " hours";
  if (hours < 24 * 7 * 2) return std::to_string(hours / 24) + " days";
  if (hours < 24 * 30 * 2) return std::to_string(hours / 24 / 7) + " weeks";
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24 / 30) + " months";
  return std::to_string(d / (3600 * ns_per_s) / 24 / 365) + " years";
}

std::string ago_string(int64_t then_ns, int64_t now) {
  return human_duration(now - then_ns) + " ago";
}

namespace {

std::string state_string(const std::string& state, int exit_code, int64_t started_ns,
                         int64_t finished_ns, int64_t now) {
  if (state == "running") return "Up " + human_duration(started_ns > 0 ? now - started_ns : 0);
  if (state == "exited" || state == "stopped")
    return "Exited (" + std::to_string(exit_code) + ") " +
           ago_string(finished_ns > 0 ? finished_ns : now, now);
  if (state == "configured") return "Created";
  std::string s = state;
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

}  // namespace

std::string status_string(const std::string& state, int exit_code, int64_t started_ns,
                          int64_t finished_ns, int64_t now, const std::string& health) {
  std::string s = state_string(state, exit_code, started_ns, finished_ns, now);
  if (!health.empty()) s += " (" + health + ")";
  return s;
}

std::string short_id(const std::string& id) {
  return id.substr(0, 12);
}

std::string command_string(const json& command, bool no_trunc) {
  std::string s;
  if (command.is_array()) {
    for (const auto& a : command) {
      if (!a.is_string()) continue;
      if (!s.empty()) s += ' ';
      s += a.get_ref<const std::string&>();
    }
  }
  if (!no_trunc && s.size() > 17) {
    std::size_t cut = 17;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 safe
    s = s.substr(0, cut) + "...";
  }
  return s;
}

void sort_summaries(json& summaries) {
  if (!summaries.is_array() || summaries.size() < 2) return;
  // Sort (key, index) pairs, then move the maps once: cheaper than comparing maps.
  std::vector<std::pair<int64_t, std::size_t>> keys;
  keys.reserve(summaries.size());
  for (std::size_t i = 0; i < summaries.size(); ++i)
    keys.emplace_back(int_field(summaries[i], "created_ns"), i);
  std::stable_sort(keys.begin(), keys.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  json sorted = json::array();
  sorted.get_ref<json::array_t&>().reserve(keys.size());
  for (const auto& k : keys) sorted.push_back(std::move(summaries[k.second]));
  summaries = std::move(sorted);
}

std::string ps_table(const json& summaries, int64_t now, bool no_trunc) {
  constexpr std::size_t cols = 7;
  std::vector<std::array<std::string, cols>> rows;
  rows.push_back({"CONTAINER ID", "COMMAND", "CREATED", "STATUS", "RESTARTS", "PORTS", "NAMES"});
  if (summaries.is_array()) {
    rows.reserve(summaries.size() + 1);
    for (const auto& c : summaries) {
      std::string id = str_field(c, "id");
      rows.push_back(
          {no_trunc ? id : short_id(id),
           command_string(c.contains("command") ? c["command"] : json(), no_trunc),
           ago_string(int_field(c, "created_ns"), now),
           status_string(str_field(c, "state"), static_cast<int>(int_field(c, "exit_code")),
                         int_field(c, "started_ns"), int_field(c, "finished_ns"), now,
                         str_field(c, "health")),
           std::to_string(int_field(c, "restart_count")), ps_ports_text(c), str_field(c, "name")});
    }
  }
  // Go tabwriter (minwidth 12, padding 2): every column but the last is as wide as its
  // widest cell plus 2, at least 12.
  std::array<std::size_t, cols> w{};
  for (const auto& r : rows)
    for (std::size_t i = 0; i + 1 < cols; ++i) w[i] = std::max(w[i], width(r[i]) + 2);
  for (auto& x : w) x = std::max<std::size_t>(x, 12);
  std::string out;
  out.reserve(rows.size() * 100);
  for (const auto& r : rows) {
    for (std::size_t i = 0; i + 1 < cols; ++i) {
      out += r[i];
      out.append(w[i] - width(r[i]), ' ');
    }
    out += r[cols - 1];
    out += '\n';
  }
  return out;
}

std::string ps_quiet(const json& summaries, bool no_trunc) {
  std::string out;
  if (!summaries.is_array()) return out;
  for (const auto& c : summaries) {
    std::string id = str_field(c, "id");
    out += no_trunc ? id : short_id(id);
    out += '\n';
  }
  return out;
}

json ps_json(const json& summaries, int64_t now) {
  json arr = json::array();
  if (!summaries.is_array()) return arr;
  for (const auto& c : summaries) {
    std::string state = str_field(c, "state");
    int64_t created = int_field(c, "created_ns");
    int64_t started = int_field(c, "started_ns");
    int64_t finished = int_field(c, "finished_ns");
    int code = static_cast<int>(int_field(c, "exit_code"));
    std::string health = str_field(c, "health");
    auto ready = c.find("ready");
    json command = c.contains("command") && c["command"].is_array() ? c["command"] : json::array();
    arr.push_back(json{{"Id", str_field(c, "id")},
                       {"Names", json::array({str_field(c, "name")})},
                       {"Command", std::move(command)},
                       {"Created", created / ns_per_s},
                       {"CreatedAt", ago_string(created, now)},
                       {"State", state},
                       {"Status", status_string(state, code, started, finished, now, health)},
                       {"ExitCode", code},
                       {"Exited", state == "exited" || state == "stopped"},
                       {"ExitedAt", finished / ns_per_s},
                       {"Pid", int_field(c, "pid")},
                       {"Restarts", int_field(c, "restart_count")},
                       {"StartedAt", started / ns_per_s},
                       {"Health", health},
                       {"Ready", ready != c.end() && ready->is_boolean() && ready->get<bool>()},
                       {"Error", str_field(c, "error")}});
    json& o = arr.back();
    json mounts = json::array();
    if (auto m = c.find("mounts"); m != c.end() && m->is_array())
      for (const auto& x : *m)
        if (x.is_object()) mounts.push_back(str_field(x, "destination"));
    o["Labels"] = c.contains("labels") && c["labels"].is_object() ? c["labels"] : json::object();
    o["Mounts"] = std::move(mounts);
    o["Image"] = str_field(c, "rootfs");
    auto ar = c.find("auto_remove");
    o["AutoRemove"] = ar != c.end() && ar->is_boolean() && ar->get<bool>();
    o["RestartPolicy"] = str_field(c, "restart");
    o["Ports"] = ps_ports_json(c);
    o["Networks"] =
        c.contains("networks") && c["networks"].is_array() ? c["networks"] : json::array();
    if (c.contains("size_rw"))
      o["Size"] = {{"RwSize", int_field(c, "size_rw")}, {"RootFsSize", int_field(c, "size_root")}};
  }
  return arr;
}

void reload_report(const json& result, std::vector<std::string>& lines,
                   std::vector<std::string>& errors) {
  if (!result.is_object()) return;
  for (const char* what : {"created", "updated", "removed"}) {
    auto it = result.find(what);
    if (it == result.end() || !it->is_array()) continue;
    for (const auto& n : *it)
      if (n.is_string()) lines.push_back(std::string(what) + " " + n.get<std::string>());
  }
  auto errs = result.find("errors");
  if (errs == result.end() || !errs->is_array()) return;
  for (const auto& e : *errs) {
    if (!e.is_object()) continue;
    std::string text = str_field(e, "file");
    int64_t line = int_field(e, "line");
    int64_t column = int_field(e, "column");
    if (line > 0) {
      text += ":" + std::to_string(line);
      if (column > 0) text += ":" + std::to_string(column);
    }
    std::string key = str_field(e, "key");
    if (!text.empty()) text += ": ";
    if (!key.empty()) text += key + ": ";
    text += str_field(e, "message");
    errors.push_back(std::move(text));
  }
}

}  // namespace ctl

namespace ctl {
namespace {

// Splits ns since the epoch into whole seconds and the nanosecond remainder (floored).
void split_ns(int64_t ns, std::time_t& secs, int64_t& frac) {
  int64_t s = ns / 1000000000;
  frac = ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    --s;
  }
  secs = static_cast<std::time_t>(s);
}

const json* field(const json& m, const char* a, const char* b) {
  if (!m.is_object()) return nullptr;
  auto it = m.find(a);
  if (it != m.end() && !it->is_null()) return &*it;
  it = m.find(b);
  if (it != m.end() && !it->is_null()) return &*it;
  return nullptr;
}

std::string text_of(const json* v) {
  if (v == nullptr) return {};
  if (v->is_string()) return v->get<std::string>();
  return v->dump();
}

}  // namespace

std::string format_go_time(int64_t ns, bool utc) {
  std::time_t secs;
  int64_t frac;
  split_ns(ns, secs, frac);
  std::tm tm{};
  if (utc)
    gmtime_r(&secs, &tm);
  else
    localtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::string out = buf;
  if (frac != 0) {
    char f[16];
    std::snprintf(f, sizeof f, ".%09lld", static_cast<long long>(frac));
    std::string fs = f;
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  long off = utc ? 0 : tm.tm_gmtoff;
  char z[32];
  long aoff = off < 0 ? -off : off;
  std::snprintf(z, sizeof z, " %c%02ld%02ld ", off < 0 ? '-' : '+', aoff / 3600, (aoff / 60) % 60);
  out += z;
  if (utc)
    out += "UTC";
  else if (tm.tm_zone != nullptr && tm.tm_zone[0] != 0)
    out += tm.tm_zone;
  else
    out += std::string(z + 1, z + 6);  // Go prints the offset when the zone has no name
  return out;
}

std::string format_rfc3339_nano(int64_t ns) {
  std::time_t secs;
  int64_t frac;
  split_ns(ns, secs, frac);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char f[24];
  std::snprintf(f, sizeof f, ".%09lldZ", static_cast<long long>(frac));
  return std::string(buf) + f;
}

std::string event_human(const json& event, bool utc) {
  std::string out;
  const json* tn = field(event, "TimeNano", "timeNano");
  if (tn != nullptr && tn->is_number_integer())
    out = format_go_time(tn->get<int64_t>(), utc);
  else
    out = text_of(field(event, "Time", "time"));
  std::string type = text_of(field(event, "Type", "type"));
  std::string status = text_of(field(event, "Status", "status"));
  std::string id = text_of(field(event, "ID", "id"));
  out += " " + (type.empty() ? std::string("container") : type) + " " + status + " " + id;
  const json* attrs = field(event, "Attributes", "attributes");
  std::string name = text_of(field(event, "Name", "name"));
  if (name.empty() && attrs != nullptr && attrs->is_object())
    name = text_of(field(*attrs, "name", "name"));
  out += " (name=" + name;
  std::string health = text_of(field(event, "HealthStatus", "health_status"));
  if (!health.empty()) out += ", health_status=" + health;
  const json* code = field(event, "ContainerExitCode", "containerExitCode");
  if (code != nullptr && code->is_number_integer() && (status == "died" || status == "exec_died"))
    out += ", containerExitCode=" + std::to_string(code->get<int64_t>());
  if (attrs != nullptr && attrs->is_object()) {
    std::vector<std::pair<std::string, std::string>> kv;
    for (auto it = attrs->begin(); it != attrs->end(); ++it)
      if (it.key() != "name") kv.emplace_back(it.key(), text_of(&it.value()));
    std::sort(kv.begin(), kv.end());
    for (const auto& [k, v] : kv) out += ", " + k + "=" + v;
  }
  out += ")";
  return out;
}

}  // namespace ctl
