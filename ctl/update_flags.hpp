// `ctrctl update`'s flags: podman's names, turned into the `update` request's "changes" map
// (the create map's keys; docs/protocol.md). Pure, for the unit tests.
#pragma once

#include <string>

#include "messages/value_codec.hpp"

namespace ctl {

/// The values given on the command line ("" = not given).
struct update_options {
  std::string memory, cpus, cpu_shares, pids_limit, restart;
  /// podman flags ctrd has no limit for (create does not have them either): an error names
  /// the first one given.
  std::string cpu_quota, cpu_period, cpuset_cpus, cpuset_mems, memory_swap, memory_reservation,
      memory_swappiness, blkio_weight;
};

/// The changes map: memory (bytes), cpus, cpu_shares, pids_limit (0: unlimited), restart
/// (the policy's canonical text), validated as create validates them. Throws
/// ctrd::error{invalid_argument} for a bad value, a flag ctrd does not support, or no flag.
ctrd::json update_changes(const update_options& o);

}  // namespace ctl
