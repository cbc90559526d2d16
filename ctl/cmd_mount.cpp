// `ctrctl mount CONTAINER...` prints the host path of each container's root file system
// (ctrd keeps it mounted until the matching unmount); `ctrctl unmount|umount [-f]
// CONTAINER...` releases it. Pipelined per container, podman's error reporting.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/io.hpp"

namespace ctl {

runner add_mount(CLI::App& app) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto* sub = app.add_subcommand("mount", "Mount containers' root file systems, print the paths");
  sub->add_option("CONTAINER", *names, "Container names, ids or unique id prefixes")->required();
  return [names](context& ctx) {
    client c;
    connect(c, ctx);
    return for_each_container(
        c, *names, "mount",
        [](const std::string& n) {
          return json{{"container", n}};
        },
        [](const std::string&, const response& r) {
          std::string path;
          if (r.result.is_object()) path = r.result.value("path", std::string());
          out_line(path);
        });
  };
}

runner add_unmount(CLI::App& app) {
  struct options {
    std::vector<std::string> names;
    bool force = false;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("unmount", "Unmount containers' root file systems");
  sub->add_flag("-f,--force", o->force, "Unmount even if other users still have it mounted");
  sub->add_option("CONTAINER", o->names, "Container names, ids or unique id prefixes")->required();
  return [o](context& ctx) {
    client c;
    connect(c, ctx);
    return for_each_container(c, o->names, "unmount", [&](const std::string& n) {
      return json{{"container", n}, {"force", o->force}};
    });
  };
}

}  // namespace ctl
