// `ctrctl top CONTAINER [DESCRIPTOR...]`: the processes of a running container with podman's
// ps-like descriptors (ctl/top_format.hpp). ctrd names the container's cgroup and main
// process (inspect); ctrctl reads /proc itself (ctl/top_proc.hpp).
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/io.hpp"
#include "ctl/top_format.hpp"
#include "ctl/top_proc.hpp"

namespace ctl {

runner add_top(CLI::App& app) {
  struct options {
    std::string container;
    std::vector<std::string> descriptors;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("top", "Display the running processes of a container");
  sub->add_option("CONTAINER", o->container, "Container name, id or unique id prefix")->required();
  sub->add_option("DESCRIPTOR", o->descriptors,
                  "ps-like format descriptors (default: user pid ppid pcpu etime tty time args)");
  std::string list;
  for (const auto& d : top_descriptor_names()) list += (list.empty() ? "" : ", ") + d;
  sub->footer("Descriptors: " + list + ".");
  return [o](context& ctx) {
    auto descs = parse_top_descriptors(o->descriptors);  // errors before connecting
    client c;
    connect(c, ctx);
    response r = c.call("inspect", json{{"container", o->container}});
    if (!r.ok()) {
      print_error(r.message());
      return exit_code_of(r.error);
    }
    const json& j = r.result;
    std::string status = j.value("/State/Status"_json_pointer, std::string());
    long pid = j.value("/State/Pid"_json_pointer, 0L);
    if (status != "running" || pid <= 0) {
      print_error("top can only be used on running containers: container state improper");
      return 125;
    }
    std::string cg = j.value("CgroupPath", std::string());
    std::vector<long> pids = cg.empty() ? process_tree(pid) : cgroup_pids(cg);
    if (pids.empty()) pids = process_tree(pid);  // a cgroup ctrctl cannot read
    auto samples = read_samples(pids);
    out(top_table(descs, samples, wall_now_ns(), clock_ticks(), names_for(pid)));
    return 0;
  };
}

}  // namespace ctl
