// What ctrd changes about its own process at start, and undoes for its containers:
// the soft RLIMIT_NOFILE is raised to the hard limit (a supervisor holds a few descriptors
// per container and per client), and oom_score_adj is set to -1000 so that the kernel's
// OOM killer picks a container, never the supervisor. Container processes get the
// original soft limit back and oom_score_adj 0, unless they ask for others (--ulimit,
// --oom-score-adj). docs/ctrd.md, "Resource limits".
#pragma once

#include <cstddef>

#include "messages/process_limits.hpp"
#include "runtime/spawner.hpp"

namespace ctrd {

/// At start, before the actor system and the host loop exist: raises the soft RLIMIT_NOFILE to the
/// hard limit (remembering the original), sets ctrd's oom_score_adj to -1000 when allowed (logs
/// otherwise), and warns when the descriptor limit is low for `containers` containers.
void prepare_daemon_limits(std::size_t containers);

/// The limits of a container process: the soft limits ctrd raised back to their original
/// values, then the container's --ulimit, and its oom_score_adj when it differs from
/// ctrd's own (which it would otherwise inherit).
void apply_process_limits(const process_limits& limits, spawn_spec& spec);

}  // namespace ctrd
