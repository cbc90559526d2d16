// Small, stateless helpers over /proc and signals, used by the host loop and the
// container actor. None of them blocks.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <string>

namespace ctrd::proc {

/// Start time of `pid` in clock ticks since boot (/proc/<pid>/stat field 22), 0 if the
/// process does not exist. Together with the pid it identifies a process across pid reuse.
uint64_t start_time(pid_t pid);

/// True if `pid` exists, is not a zombie and has the given start time.
bool is_same_process(pid_t pid, uint64_t start);

/// The parent pid of `pid` (0 if it is gone).
pid_t parent_of(pid_t pid);

/// True if `pid` belongs to the container whose main process is `main_pid` and whose cgroup
/// directories are named `cgroup_leaf` (its id): the main process itself or a process in
/// that cgroup (any hierarchy of /proc/<pid>/cgroup); with `cgroup_leaf` "" (a container
/// without a cgroup) a process of the main process's session. Reads /proc only.
bool belongs_to_container(pid_t pid, pid_t main_pid, const std::string& cgroup_leaf);

/// True while any process (zombies included) is in process group `pgid`.
bool group_exists(pid_t pgid);

/// podman's exit code for a waitid() result: the status for CLD_EXITED, 128+signal when
/// killed (CLD_KILLED, CLD_DUMPED).
int exit_code(int code_kind, int status);

/// Wall clock, ns since the epoch. Only for what is displayed (StartedAt, log times): a
/// clock jump moves it; supervision decisions use boot_ns().
int64_t now_ns();

/// Boot clock (CLOCK_BOOTTIME), ns: monotonic, counts suspend, shared by every process of one
/// boot. Decisions and persisted deadlines use it (core/restart_clock.hpp).
int64_t boot_ns();

/// This boot's id (/proc/sys/kernel/random/boot_id, read once; "" when unreadable).
const std::string& boot_id();

/// A process start time in clock ticks since boot (start_time()) as boot_ns() time.
int64_t ticks_to_boot_ns(uint64_t ticks);

/// RFC 3339 with nanoseconds in UTC ("2026-11-28T18:11:14.123456789Z"); podman's zero time
/// "0001-01-01T00:00:00Z" for 0.
std::string rfc3339(int64_t ns);

}  // namespace ctrd::proc
