// `ctrctl logs`: the container's captured output, each chunk to stdout or stderr by stream.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/io.hpp"

namespace ctl {

runner add_logs(CLI::App& app) {
  auto name = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("logs", "Print a container's captured output");
  sub->add_option("CONTAINER", *name, "Container name, id or unique id prefix")->required();
  return [name](context& ctx) {
    client c;
    connect(c, ctx);
    response r = c.call("logs", json{{"container", *name}}, write_output);
    if (!r.ok()) {
      print_error(r.message());
      return exit_code_of(r.error);
    }
    return 0;
  };
}

}  // namespace ctl
