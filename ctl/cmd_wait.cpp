// `ctrctl wait`: blocks until each container meets one of the conditions (default: it has
// exited) and prints its exit code (-1 for conditions other than stopped/exited), one per
// line in the order given (requests are pipelined, answers printed in order). --interval
// is accepted for podman compatibility and only validated: ctrd's wait is event-driven.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/io.hpp"
#include "ctl/stream_flags.hpp"
#include "messages/duration.hpp"

namespace ctl {

runner add_wait(CLI::App& app) {
  struct options {
    std::vector<std::string> names;
    std::vector<std::string> conditions;
    std::string interval;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("wait", "Wait for containers to exit and print their exit codes");
  sub->add_option("--condition", o->conditions,
                  "State to wait for (repeatable or comma list): created, initialized, "
                  "running, paused, stopping, stopped, exited, removing, healthy, unhealthy "
                  "(default: stopped, exited)")
      ->allow_extra_args(false);
  sub->add_option("-i,--interval", o->interval,
                  "Accepted for podman compatibility; ctrd does not poll (default 250ms)");
  sub->add_option("CONTAINER", o->names, "Container names, ids or unique id prefixes")->required();
  return [o](context& ctx) {
    json params = json::object();
    if (!o->conditions.empty()) params["conditions"] = parse_wait_conditions(o->conditions);
    if (!o->interval.empty()) (void)ctrd::parse_duration_ms(o->interval);
    client c;
    connect_waiting(c, ctx);
    return for_each_container(
        c, o->names, "wait",
        [&](const std::string& n) {
          json p = params;
          p["container"] = n;
          return p;
        },
        [](const std::string&, const response& r) {
          const json& res = r.result;
          auto it = res.is_object() ? res.find("exit_code") : res.end();
          out_line(res.is_object() && it != res.end() && it->is_number_integer()
                       ? std::to_string(it->get<int64_t>())
                       : std::string("-1"));
        });
  };
}

}  // namespace ctl
