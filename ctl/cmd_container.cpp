// The verbs only reachable as `ctrctl container VERB` (podman's): `exists` (exit 0 / 1),
// `prune` (removes the containers that are not running) and `cleanup` (releases what a
// stopped container still holds: its root's mounts; --rm removes it too).
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/format.hpp"
#include "ctl/io.hpp"
#include "ctl/prune.hpp"

namespace ctl {

runner add_exists(CLI::App& app) {
  auto name = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("exists", "Check whether a container exists (exit 0) or not (1)");
  sub->add_option("CONTAINER", *name, "Container name, id or unique id prefix")->required();
  return [name](context& ctx) {
    client c;
    connect(c, ctx);
    response r = c.call("inspect", json{{"container", *name}});
    if (r.ok()) return 0;
    if (r.code() == ctrd::ec::no_such_container) return 1;
    print_error(r.message());
    return exit_code_of(r.error);
  };
}

runner add_prune(CLI::App& app) {
  struct options {
    bool force = false;
    std::vector<std::string> filters;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("prune", "Remove all containers that are not running");
  sub->add_flag("-f,--force", o->force, "Do not ask for confirmation");
  sub->add_option("--filter", o->filters,
                  "until=TIME (created before), label=K[=V], label!=K[=V]; repeatable");
  sub->footer(
      "Removes created, initialized, stopped and exited containers, except those of service "
      "files (their file owns them). Prints each removed id.");
  return [o](context& ctx) {
    auto f = parse_prune_filters(o->filters, now_ns());
    if (!o->force && !confirm("WARNING! This will remove all non running containers.\n")) return 0;
    client c;
    connect(c, ctx);
    return prune_containers(c, f, false, false).status;
  };
}

runner add_cleanup(CLI::App& app) {
  struct options {
    bool all = false;
    bool rm = false;
    std::vector<std::string> names;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("cleanup", "Release what stopped containers still hold");
  sub->add_flag("-a,--all", o->all, "Clean up every container that is not running");
  sub->add_flag("--rm", o->rm, "Remove the container after the cleanup");
  sub->add_option("CONTAINER", o->names, "Container names, ids or unique id prefixes");
  sub->footer(
      "ctrd already removes a run's cgroup and releases its overlay when the process ends; "
      "cleanup drops the mounts of its root that `mount` took (unmount --force), so the "
      "overlay is unmounted, and with --rm removes the container.");
  return [o](context& ctx) {
    if (o->all == !o->names.empty())
      throw ctrd::error(ctrd::ec::invalid_argument,
                        o->all ? "--all and container names cannot be used together"
                               : "specify one or more containers, or --all");
    client c;
    connect(c, ctx);
    std::vector<std::string> names = o->names;
    if (o->all) {
      response l = c.call("list", json{{"all", true}, {"chunked", true}});
      if (!l.ok()) {
        print_error(l.message());
        return exit_code_of(l.error);
      }
      for (const auto& s : l.result.is_array() ? l.result : json::array())
        if (s.is_object() && prunable_state(s.value("state", std::string())))
          names.push_back(s.value("id", std::string()));
    }
    int status = 0;
    for (const auto& n : names) {
      response r = c.call("inspect", json{{"container", n}});
      if (!r.ok()) {
        print_error(r.message());
        status = exit_code_of(r.error);
        continue;
      }
      std::string id = r.result.value("Id", n);
      std::string state = r.result.value("/State/Status"_json_pointer, std::string());
      if (!prunable_state(state)) {
        print_error("container " + id +
                    " is running or paused, refusing to clean up: container "
                    "state improper");
        status = 125;
        continue;
      }
      if (r.result.value("MountCount", 0) > 0) {
        response u = c.call("unmount", json{{"container", id}, {"force", true}});
        if (!u.ok()) {
          print_error(u.message());
          status = exit_code_of(u.error);
          continue;
        }
      }
      if (o->rm) {
        response d = c.call("remove", json{{"container", id}, {"force", false}});
        if (!d.ok()) {
          print_error(d.message());
          status = exit_code_of(d.error);
          continue;
        }
      }
      out_line(id);
    }
    return status;
  };
}

}  // namespace ctl
