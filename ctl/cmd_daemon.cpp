// Daemon-wide verbs: `ctrctl reload` (re-read the service files) and `ctrctl shutdown`
// (stop every container, then ctrd exits).
#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/format.hpp"
#include "ctl/io.hpp"

namespace ctl {

runner add_reload(CLI::App& app) {
  auto* sub = app.add_subcommand("reload", "Re-read ctrd's service files and apply the changes");
  sub->footer(
      "Prints one line per service created, updated or removed; service-file errors go to "
      "stderr, and make the exit code 125.");
  return [](context& ctx) {
    client c;
    connect(c, ctx);
    response r = c.call("reload", json::object());
    if (!r.ok()) {
      print_error(r.message());
      return exit_code_of(r.error);
    }
    if (!r.result.is_object()) {
      print_error("ctrd sent a malformed reload report");
      return 125;
    }
    std::vector<std::string> lines, errors;
    reload_report(r.result, lines, errors);
    for (const auto& l : lines) out_line(l);
    for (const auto& e : errors) print_error(e);
    return errors.empty() ? 0 : 125;
  };
}

runner add_shutdown(CLI::App& app) {
  auto* sub = app.add_subcommand("shutdown", "Stop every container and make ctrd exit");
  sub->footer("Returns once ctrd has stopped every container; prints nothing.");
  return [](context& ctx) {
    client c;
    connect_waiting(c, ctx);  // stops every container
    // The reply is read before the connection is seen to close, so a daemon that exits
    // right after answering is a success.
    response r = c.call("shutdown", json::object());
    if (!r.ok()) {
      print_error(r.message());
      return exit_code_of(r.error);
    }
    return 0;
  };
}

}  // namespace ctl
