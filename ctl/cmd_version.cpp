// `ctrctl version`: the client's version, then the daemon's when it is reachable.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
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

}  // namespace

runner add_version(CLI::App& app) {
  app.add_subcommand("version", "Show the client's and the daemon's versions");
  return [](context& ctx) {
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
