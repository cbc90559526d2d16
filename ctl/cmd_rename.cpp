// `ctrctl rename CONTAINER NAME`: renames a container in any state (podman 4); prints
// nothing on success, like podman. ctrd refuses a taken or invalid name, a service file's
// container (the file owns the name) and a container others require.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/io.hpp"

namespace ctl {

runner add_rename(CLI::App& app) {
  struct options {
    std::string container, name;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("rename", "Rename an existing container");
  sub->add_option("CONTAINER", o->container, "Container name, id or unique id prefix")->required();
  sub->add_option("NAME", o->name, "The new name")->required();
  return [o](context& ctx) {
    client c;
    connect(c, ctx);
    response r = c.call("rename", json{{"container", o->container}, {"name", o->name}});
    if (!r.ok()) {
      print_error(r.message());
      return exit_code_of(r.error);
    }
    return 0;
  };
}

}  // namespace ctl
