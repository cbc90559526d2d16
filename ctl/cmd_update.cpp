// `ctrctl update [flags] CONTAINER`: changes the resources or the restart policy of an
// existing container (podman's update). ctrd writes new limits into a running container's
// cgroup at once and stores them for its next starts; prints the container's id, as podman.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/io.hpp"
#include "ctl/update_flags.hpp"

namespace ctl {

runner add_update(CLI::App& app) {
  struct options {
    update_options u;
    std::string container;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("update", "Update the resources or restart policy of a container");
  sub->add_option("-m,--memory", o->u.memory, "Memory limit (b, k, m, g; at least 6m; 0: none)");
  sub->add_option("--cpus", o->u.cpus, "Number of CPUs (e.g. 0.5)");
  sub->add_option("-c,--cpu-shares", o->u.cpu_shares, "CPU shares, relative weight (2..262144)");
  sub->add_option("--pids-limit", o->u.pids_limit,
                  "Most tasks the container may have (-1: unlimited)");
  sub->add_option("--restart", o->u.restart,
                  "Restart policy: no, on-failure[:N], always, unless-stopped");
  for (auto [flag, target] : {std::pair<const char*, std::string*>{"--cpu-quota", &o->u.cpu_quota},
                              {"--cpu-period", &o->u.cpu_period},
                              {"--cpuset-cpus", &o->u.cpuset_cpus},
                              {"--cpuset-mems", &o->u.cpuset_mems},
                              {"--memory-swap", &o->u.memory_swap},
                              {"--memory-reservation", &o->u.memory_reservation},
                              {"--memory-swappiness", &o->u.memory_swappiness},
                              {"--blkio-weight", &o->u.blkio_weight}})
    sub->add_option(flag, *target, "Not supported by ctrd (an error says so)");
  sub->add_option("CONTAINER", o->container, "Container name, id or unique id prefix")->required();
  sub->footer(
      "A running container's cgroup gets the new limits at once; every later start uses them. "
      "Containers of service files are changed in their file.");
  return [o](context& ctx) {
    auto changes = update_changes(o->u);  // errors before connecting
    client c;
    connect(c, ctx);
    response r = c.call("update", json{{"container", o->container}, {"changes", changes}});
    if (!r.ok()) {
      print_error(r.message());
      return exit_code_of(r.error);
    }
    out_line(r.result.value("id", o->container));
    return 0;
  };
}

}  // namespace ctl
