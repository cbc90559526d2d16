// `ctrctl pause|unpause CONTAINER...`: freeze or thaw every process of running containers
// (cgroup freezer). One request per container, pipelined; each container printed as given
// on success, "Error: ..." per failure, exit status of the last failure (podman).
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"

namespace ctl {
namespace {

// Registers `verb` (pause or unpause) with its CONTAINER... argument.
runner add_freeze_verb(CLI::App& app, const char* verb, const char* help) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto* sub = app.add_subcommand(verb, help);
  sub->add_option("CONTAINER", *names, "Container names, ids or unique id prefixes")->required();
  std::string method = verb;
  return [names, method](context& ctx) {
    client c;
    connect(c, ctx);
    return for_each_container(c, *names, method, [](const std::string& n) {
      return json{{"container", n}};
    });
  };
}

}  // namespace

runner add_pause(CLI::App& app) {
  return add_freeze_verb(app, "pause", "Pause all processes of running containers");
}

runner add_unpause(CLI::App& app) {
  return add_freeze_verb(app, "unpause", "Unpause paused containers");
}

}  // namespace ctl
