// `ctrctl top`: podman's ps-like descriptors (containers/psgo's AIX-format descriptors) over
// samples of the container's processes. The samples are read from /proc by top_proc.cpp;
// everything here is pure (the clock and name lookups are inputs) for the unit tests.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ctl {

/// What top needs of one process (from /proc/<pid>/stat, status and cmdline).
struct proc_sample {
  long pid = 0;       ///< as the container sees it (last NSpid entry)
  long ppid = 0;      ///< as the container sees it (0: the parent is outside the container)
  long host_pid = 0;  ///< as the host sees it
  long pgid = 0;
  std::string comm;                  ///< stat field 2
  std::vector<std::string> cmdline;  ///< empty for kernel threads and zombies
  char state = '?';                  ///< stat field 3 (R, S, D, Z, T, ...)
  long nice = 0;
  uint64_t tty_nr = 0;
  uint64_t cpu_ticks = 0;  ///< utime + stime
  int64_t start_ns = 0;    ///< wall-clock start time, ns since the epoch
  uint64_t vsize = 0;      ///< bytes
  uint64_t rss_kb = 0;
  uint32_t ruid = 0, euid = 0, rgid = 0, egid = 0;
  uint32_t host_euid = 0, host_egid = 0;  ///< the ids on the host (user namespaces)
  std::vector<uint32_t> groups;
  uint64_t cap_inh = 0, cap_prm = 0, cap_eff = 0, cap_bnd = 0, cap_amb = 0;
  int seccomp = -1;  ///< 0 disabled, 1 strict, 2 filter, -1 unknown
};

/// Name lookups for user and group ids (the container's /etc/passwd and /etc/group for
/// user/group, the host's for huser/hgroup); an empty answer prints the number.
struct top_names {
  std::function<std::string(uint32_t)> user, group, host_user, host_group;
};

/// psgo's default: user pid ppid pcpu etime tty time args.
std::vector<std::string> default_top_descriptors();

/// The descriptors of `args` (each argument may hold several separated by commas or
/// spaces; code forms such as "%C" are accepted); the default when none. Throws
/// ctrd::error{invalid_argument} "'X': unknown descriptor" like psgo.
std::vector<std::string> parse_top_descriptors(const std::vector<std::string>& args);

/// Every descriptor ctrctl top knows, in its normal form, sorted (for --help).
std::vector<std::string> top_descriptor_names();

/// The column header of a (parsed) descriptor, e.g. "%CPU" for pcpu.
std::string top_header(const std::string& descriptor);

/// One cell: `descriptor` of `p` at wall time `now_ns` (clock ticks: `clk_tck` per second).
std::string top_cell(const std::string& descriptor, const proc_sample& p, int64_t now_ns,
                     long clk_tck, const top_names& names);

/// The terminal of tty_nr as ps names it ("pts/0", "tty1", "ttyS0") or "?" for none.
std::string tty_name(uint64_t tty_nr);

/// The whole table (header + one row per sample, Go tabwriter with podman's settings).
std::string top_table(const std::vector<std::string>& descriptors,
                      const std::vector<proc_sample>& samples, int64_t now_ns, long clk_tck,
                      const top_names& names);

}  // namespace ctl
