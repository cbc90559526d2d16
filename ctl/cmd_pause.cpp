// `ctrctl pause|unpause CONTAINER...`: freeze or thaw every process of running containers
// (cgroup freezer). One request per container, pipelined; each container printed as given
// on success, "Error: ..." per failure, exit status of the last failure (podman). With
// -a/--all: every running (pause) or paused (unpause) container, printed by full id; the
// others are skipped as podman does.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/io.hpp"
#include "ctl/select.hpp"

namespace ctl {
namespace {

// Registers `verb` (pause or unpause) with its CONTAINER... argument; --all takes the
// containers in `state`.
runner add_freeze_verb(CLI::App& app, const char* verb, const char* help, const char* state) {
  struct options {
    std::vector<std::string> names;
    bool all = false;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand(verb, help);
  sub->add_flag("-a,--all", o->all, std::string("All ") + state + " containers");
  sub->add_option("CONTAINER", o->names, "Container names, ids or unique id prefixes");
  std::string method = verb;
  std::string wanted = state;
  return [o, method, wanted](context& ctx) {
    check_selection(o->all, o->names);
    client c;
    connect(c, ctx);
    auto names =
        o->all ? select_all(c, [&](const std::string& s) { return s == wanted; }) : o->names;
    bool all = o->all;
    return for_each_container(
        c, names, method,
        [](const std::string& n) {
          return json{{"container", n}};
        },
        [](const std::string& n, const response& r) {
          if (r.ok()) out_line(n);
        },
        [all](const std::string&, const response& r) {
          return all && r.code() == ctrd::ec::invalid_state;  // changed meanwhile: skipped
        });
  };
}

}  // namespace

runner add_pause(CLI::App& app) {
  return add_freeze_verb(app, "pause", "Pause all processes of running containers", "running");
}

runner add_unpause(CLI::App& app) {
  return add_freeze_verb(app, "unpause", "Unpause paused containers", "paused");
}

}  // namespace ctl
