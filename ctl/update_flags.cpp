#include "ctl/update_flags.hpp"

#include "ctl/create_flags.hpp"
#include "messages/container_config.hpp"
#include "messages/error.hpp"
#include "messages/restart_policy.hpp"

namespace ctl {

ctrd::json update_changes(const update_options& o) {
  const std::pair<const char*, const std::string*> unsupported[] = {
      {"--cpu-quota", &o.cpu_quota},
      {"--cpu-period", &o.cpu_period},
      {"--cpuset-cpus", &o.cpuset_cpus},
      {"--cpuset-mems", &o.cpuset_mems},
      {"--memory-swap", &o.memory_swap},
      {"--memory-reservation", &o.memory_reservation},
      {"--memory-swappiness", &o.memory_swappiness},
      {"--blkio-weight", &o.blkio_weight},
  };
  for (const auto& [flag, value] : unsupported)
    if (!value->empty())
      throw ctrd::error(ctrd::ec::invalid_argument,
                        std::string(flag) +
                            " is not supported: ctrd's limits are --memory, --cpus, "
                            "--cpu-shares and --pids-limit (as for create)");
  ctrd::json c = ctrd::json::object();
  if (!o.memory.empty()) c["memory"] = static_cast<uint64_t>(parse_memory_limit(o.memory));
  if (!o.cpus.empty()) c["cpus"] = parse_cpus(o.cpus);
  if (!o.cpu_shares.empty()) c["cpu_shares"] = parse_cpu_shares(o.cpu_shares);
  if (!o.pids_limit.empty()) c["pids_limit"] = parse_pids_limit(o.pids_limit);
  if (!o.restart.empty())
    c["restart"] = ctrd::restart_string(ctrd::parse_restart_policy(o.restart));
  if (c.empty())
    throw ctrd::error(ctrd::ec::invalid_argument,
                      "nothing to update: give at least one of --memory, --cpus, --cpu-shares, "
                      "--pids-limit, --restart");
  return c;
}

}  // namespace ctl
