// `ctrctl healthcheck run CONTAINER`: runs the container's health check now (podman):
// nothing printed and exit 0 when healthy; the status printed and exit 1 otherwise; exit 125
// with the error when the container does not exist or has no health check.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/io.hpp"

namespace ctl {

runner add_healthcheck(CLI::App& app) {
  auto name = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("healthcheck", "Run container health checks");
  sub->require_subcommand(0, 1);
  auto* run = sub->add_subcommand("run", "Run a container's health check now");
  run->add_option("CONTAINER", *name, "Container name, id or unique id prefix")->required();
  run->footer("Prints nothing and exits 0 when healthy; prints the status and exits 1 otherwise.");
  return [name, run](context& ctx) {
    if (!run->parsed()) {  // podman's wording
      print_error("missing command 'ctrctl healthcheck COMMAND'");
      err("See 'ctrctl healthcheck --help'.\n");
      return 125;
    }
    client c;
    connect_waiting(c, ctx);
    response r = c.call("healthcheck", json{{"container", *name}});
    if (!r.ok()) {
      print_error(r.message());
      return exit_code_of(r.error);
    }
    auto it = r.result.is_object() ? r.result.find("status") : r.result.end();
    if (!r.result.is_object() || it == r.result.end() || !it->is_string() ||
        it->get_ref<const std::string&>().empty()) {
      print_error("ctrd did not report the health check's status");
      return 125;
    }
    if (*it == "healthy") return 0;
    out_line(it->get<std::string>());  // "unhealthy" (or "starting")
    return 1;
  };
}

}  // namespace ctl
