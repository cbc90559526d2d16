// Daemon-wide verbs: `ctrctl reload` (re-read the service files), `ctrctl shutdown`
// (stop every container, then ctrd exits) and `ctrctl daemon-reexec` (replace the daemon
// with the binary on disk while every container keeps running).
#include <chrono>
#include <thread>

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

runner add_daemon_reexec(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "daemon-reexec", "Replace ctrd's daemon with the binary on disk; containers keep running");
  sub->footer(
      "Like systemctl daemon-reexec: the daemon hands its state and the containers' "
      "descriptors to ctrd's holder and exits; the holder re-executes itself and starts the "
      "daemon from disk, which takes every container back (same PIDs, logs without a gap). "
      "Returns once the new daemon answers; prints its PID.");
  return [](context& ctx) {
    std::string old_pid;
    {
      client c;
      connect(c, ctx);
      response r = c.call("daemon_reexec", json::object());
      if (!r.ok()) {
        print_error(r.message());
        return exit_code_of(r.error);
      }
      if (r.result.is_object() && r.result.contains("pid")) old_pid = r.result["pid"].dump();
    }
    // The new daemon serves the same socket (the holder kept it: connections wait in its
    // backlog meanwhile). Asked until its pid is a new one.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::string last_error;
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        client c;
        connect(c, ctx);
        response r = c.call("version", json::object());
        if (r.ok() && r.result.is_object() && r.result.contains("pid") &&
            r.result["pid"].dump() != old_pid) {
          out_line(r.result["pid"].dump());
          return 0;
        }
      } catch (const ctrd::error& e) {
        last_error = e.what();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    print_error("the new daemon did not answer within 60 s" +
                (last_error.empty() ? std::string() : ": " + last_error));
    return 125;
  };
}

}  // namespace ctl
