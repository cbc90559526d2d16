// `ctrctl info` (also `ctrctl system info`): podman's host / store / version report with
// what ctrd has: the host's facts (ctl/info_format.hpp), ctrd's folders, cgroup layout and
// container counts (from the daemon), and the versions of ctrd and what it is built on.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/go_template.hpp"
#include "ctl/info_format.hpp"
#include "ctl/io.hpp"
#include "ctl/system_verbs.hpp"
#include "messages/rpc.hpp"

namespace ctl {
namespace {

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

/// The whole report (a map of host, store, version), built from the daemon's answers.
json info_report(client& c) {
  uint32_t vid = c.send("version", json::object());
  uint32_t lid = c.send("list", json{{"all", true}, {"chunked", true}});
  response v = c.wait(vid);
  response l = c.wait(lid);
  if (!v.ok()) throw ctrd::error(v.code(), v.message());
  if (!l.ok()) throw ctrd::error(l.code(), l.message());
  int64_t running = 0, paused = 0, stopped = 0, number = 0;
  for (const auto& s : l.result.is_array() ? l.result : json::array()) {
    ++number;
    std::string st = s.is_object() ? s.value("state", std::string()) : std::string();
    if (st == "running" || st == "stopping")
      ++running;
    else if (st == "paused")
      ++paused;
    else
      ++stopped;
  }
  const json& d = v.result;
  json host = host_facts();
  host["cgroupLayout"] = str(d, "cgroup_layout");  // ctrd's: unified, hybrid, legacy, none
  std::string root = str(d, "root");
  json store = {
      {"graphRoot", root},
      {"containersDir", root.empty() ? "" : root + "/containers"},
      {"stateDir", root.empty() ? "" : root + "/state"},
      {"runRoot", parent_dir(str(d, "socket"))},
      {"socket", str(d, "socket")},
      {"configDir", str(d, "config_dir")},
      {"containerStore",
       {{"number", number}, {"running", running}, {"paused", paused}, {"stopped", stopped}}}};
  json version = {{"Version", CTRD_VERSION},
                  {"ClientProtocol", ctrd::protocol_version},
                  {"DaemonVersion", str(d, "daemon_version")},
                  {"DaemonProtocol", d.value("protocol_version", 0)},
                  {"DaemonPid", d.value("pid", 0)},
                  {"CAF", str(d, "caf_version")},
                  {"LevelDB", str(d, "leveldb_version")},
                  {"OsArch", "linux/" + host.value("arch", std::string())}};
  return json{{"host", host}, {"store", store}, {"version", version}};
}

namespace {

// The report as a Go template sees podman's info: struct fields with a capital first
// letter (`{{.Host.Arch}}`, `{{.Store.GraphRoot}}`) where the JSON has "host", "arch", ...
json go_fields(const json& j) {
  if (j.is_array()) {
    json out = json::array();
    for (const auto& e : j) out.push_back(go_fields(e));
    return out;
  }
  if (!j.is_object()) return j;
  json out = json::object();
  for (const auto& [k, v] : j.items()) {
    std::string name = k;
    if (!name.empty() && name[0] >= 'a' && name[0] <= 'z')
      name[0] = static_cast<char>(name[0] - 'a' + 'A');
    out[name] = go_fields(v);
  }
  return out;
}

}  // namespace

runner add_info_command(CLI::App& sub, std::shared_ptr<std::string> format) {
  sub.add_option("-f,--format", *format,
                 "Output format: json, a Go template ('{{.Host.Arch}}'), or podman's YAML-like "
                 "text (default)");
  return [format](context& ctx) {
    client c;
    connect(c, ctx);
    json report = info_report(c);
    if (is_json_format(*format))
      out_line(report.dump(4, ' ', false, json::error_handler_t::replace));
    else if (!format->empty())
      out(render_format(go_fields(report), *format, {}, "info"));
    else
      out(yaml_text(report));
    return 0;
  };
}

runner add_info(CLI::App& app) {
  auto* sub = app.add_subcommand("info", "Display information about ctrd and the host");
  return add_info_command(*sub, std::make_shared<std::string>());
}

}  // namespace ctl
