// `ctrctl wait`: blocks until each container has exited and prints its exit code, one per
// line in the order given (requests are pipelined, answers printed in order).
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/io.hpp"

namespace ctl {

runner add_wait(CLI::App& app) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto* sub = app.add_subcommand("wait", "Wait for containers to exit and print their exit codes");
  sub->add_option("CONTAINER", *names, "Container names, ids or unique id prefixes")->required();
  return [names](context& ctx) {
    client c;
    connect(c, ctx);
    return for_each_container(
        c, *names, "wait", [](const std::string& n) { return json{{"container", n}}; },
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
