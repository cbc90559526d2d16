// `ctrctl version`: the client's version, then the daemon's when it is reachable; with
// --format, podman's {Client, Server} object as JSON or through a Go template.
#include <memory>

#include <CLI/CLI.hpp>

#include <sys/utsname.h>

#include "ctl/common.hpp"
#include "ctl/go_template.hpp"
#include "ctl/io.hpp"
#include "messages/rpc.hpp"

namespace ctl {
namespace {

std::string field(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

void line(std::string& out, const char* label, const std::string& value) {
  if (value.empty()) return;
  out += label;
  out.append(14 - std::string(label).size(), ' ');
  out += value;
  out += '\n';
}

// podman's version object: {"Client": {...}, "Server": {...}} with podman's key names where
// they exist (Version, APIVersion, Os, OsArch) and ctrd's own (Pid, HolderPid, Root, Socket).
json version_object(const json& server) {
  utsname u{};
  std::string arch = ::uname(&u) == 0 ? u.machine : "";
  std::string goarch = arch == "x86_64" ? "amd64" : arch == "aarch64" ? "arm64" : arch;
  auto num = [&server](const char* key) {
    auto it = server.find(key);
    return it != server.end() && it->is_number() ? *it : json(0);
  };
  json client = {{"Name", "ctrctl"},
                 {"Version", CTRD_VERSION},
                 {"APIVersion", std::to_string(ctrd::protocol_version)},
                 {"Os", "linux"},
                 {"OsArch", "linux/" + goarch}};
  json srv = {{"Name", "ctrd"},
              {"Version", field(server, "daemon_version")},
              {"APIVersion", field(server, "protocol_version")},
              {"Os", "linux"},
              {"OsArch", "linux/" + goarch},
              {"Pid", num("pid")},
              {"HolderPid", num("holder_pid")},
              {"Root", field(server, "root")},
              {"Socket", field(server, "socket")}};
  return json{{"Client", client}, {"Server", srv}};
}

}  // namespace

runner add_version(CLI::App& app) {
  auto format = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("version", "Show the client's and the daemon's versions");
  sub->add_option("-f,--format", *format,
                  "Output format: json or a Go template ('{{.Client.Version}}')");
  return [format](context& ctx) {
    if (!format->empty()) {
      if (!is_json_format(*format)) gotmpl::tmpl::parse(*format, "version");
      client c;
      connect(c, ctx);
      response r = c.call("version", json::object());
      if (!r.ok()) {
        print_error(r.message());
        return exit_code_of(r.error);
      }
      json v = version_object(r.result);
      if (is_json_format(*format))
        out_line(v.dump(4, ' ', false, json::error_handler_t::replace));
      else
        out(render_format(v, *format, {}, "version"));
      return 0;
    }
    std::string text;
    line(text, "Client:", "ctrctl");
    line(text, "Version:", CTRD_VERSION);
    line(text, "Protocol:", std::to_string(ctrd::protocol_version));
    out(text);
    client c;
    connect(c, ctx);
    response r = c.call("version", json::object());
    if (!r.ok()) {
      print_error(r.message());
      return exit_code_of(r.error);
    }
    text = "\n";
    line(text, "Server:", "ctrd");
    line(text, "Version:", field(r.result, "daemon_version"));
    line(text, "Protocol:", field(r.result, "protocol_version"));
    line(text, "Pid:", field(r.result, "pid"));
    line(text, "Holder pid:", field(r.result, "holder_pid"));
    line(text, "Root:", field(r.result, "root"));
    line(text, "Socket:", field(r.result, "socket"));
    out(text);
    return 0;
  };
}

}  // namespace ctl
