// A container's runtime record: what ctrd stores under v1/ctr/<id>/state and reports in
// `inspect` (State{...}) and `ps`. Written only by the container's actor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/container_state.hpp"
#include "messages/network.hpp"
#include "messages/value_codec.hpp"

namespace ctrd {

/// What earlier restart-policy decisions left behind (core/restart_policy.hpp). Stored
/// with the status so that a ctrd restart keeps the backoff and the crash-loop count.
struct restart_history {
  uint32_t step = 0;               ///< consecutive quick restarts: the delay's exponent
  std::vector<int64_t> recent_ms;  ///< boot-clock times (ms) of policy restarts in the window
};

struct container_status {
  container_state state = container_state::configured;
  int pid = 0;                   ///< main process (0 when none)
  uint64_t pid_start = 0;        ///< its start time (/proc/<pid>/stat field 22), guards pid reuse
  int exit_code = 0;             ///< last exit code (128+N when killed by signal N)
  bool has_exited = false;       ///< an exit code has been recorded since the last init
  int64_t started_ns = 0;        ///< last start, ns since the epoch (0: never)
  int64_t finished_ns = 0;       ///< last exit, ns since the epoch (0: never)
  std::string error;             ///< last start/stop error, or why the exit code is unknown
  uint32_t restart_count = 0;    ///< restarts made by the restart policy since the last user start
  bool stopped_by_user = false;  ///< stop/kill suppress the restart policy until the next start
  int64_t restart_due_ns = 0;    ///< boot-clock time a pending policy restart is due (0: none)
  std::string restart_reason;    ///< why the last policy decision restarted or parked
  std::string health;            ///< "" (no check), "starting", "healthy", "unhealthy"
  uint32_t failing_streak = 0;   ///< consecutive failed health checks
  bool ready = false;            ///< dependents may start (running and, if it has one, signal seen)
  bool oom_killed = false;       ///< the kernel OOM-killed a process of the last run
  uint32_t mount_count = 0;      ///< `ctrctl mount` references (a running container holds one more)
  restart_history history;       ///< backoff and crash-loop history since the last user start
  bool parked = false;           ///< a crash loop stopped the policy until the next user start
  /// The boot (/proc/sys/kernel/random/boot_id) whose CLOCK_BOOTTIME restart_due_ns and
  /// history.recent_ms are on. "" in a record written before boot-clock times existed: its
  /// times are then wall-clock (read from next_restart_ns / recent_restarts_ms) until
  /// restart::rebase() converts them at recovery.
  std::string boot_id;
  /// Its network namespace while set up on bridge networks ("" = none), and what each
  /// network gave it (docs/network.md); stored only when set.
  std::string netns;
  std::vector<network_endpoint> networks;
};

json to_json(const container_status& s);

/// Reads a stored record; unknown or missing keys keep their defaults. Throws
/// ctrd::error{ec::invalid_argument} for wrongly typed values.
container_status status_from_json(const json& j);

}  // namespace ctrd
