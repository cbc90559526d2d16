// `ctrctl top`'s host side: which processes belong to a container (its cgroup, or the
// process tree of its main process without one) and their samples from /proc. ctrctl
// reads /proc itself, so it needs the rights to read the container's processes (the user
// ctrd runs as, or root).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ctl/top_format.hpp"

namespace ctl {

/// Every pid in `cgroup_dir`'s cgroup.procs and those of its descendants, sorted.
std::vector<long> cgroup_pids(const std::string& cgroup_dir);

/// `main_pid` and every descendant of it (from /proc/<pid>/stat), sorted.
std::vector<long> process_tree(long main_pid);

/// Samples of `pids` (processes that have gone meanwhile are left out), with pid and ppid
/// as the container sees them: in its PID namespace when it has one (a parent outside the
/// container is 0), else the host's.
std::vector<proc_sample> read_samples(const std::vector<long>& pids);

/// The name of `id` in a passwd or group file's text ("" when absent).
std::string id_name(const std::string& file_text, uint32_t id);

/// Lookups through the container's files (/proc/<main_pid>/root/etc/passwd and group) and
/// the host's (/etc/passwd, /etc/group).
top_names names_for(long main_pid);

/// Wall clock, ns since the epoch.
int64_t wall_now_ns();

/// Clock ticks per second (sysconf(_SC_CLK_TCK)).
long clock_ticks();

}  // namespace ctl
