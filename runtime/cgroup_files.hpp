// Reading and writing the small pseudo-files of a cgroup filesystem (cgroup.procs,
// memory.max, cpu.stat, ...). Every function returns 0 or the errno of the failing call,
// so that callers can tell a refused value (EINVAL, ERANGE) from a missing file (ENOENT)
// and word their own errors. Nothing here throws or allocates beyond the output string.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ctrd::cgroup::files {

/// Reads the whole file into `out` (replacing its content). Returns 0 or errno.
int read(const std::string& path, std::string& out);

/// Writes `value` with a single write(2), as the kernel expects for cgroup control files.
/// Returns 0 or errno (EINVAL when the kernel refuses the value).
int write(const std::string& path, const std::string& value);

/// True when `path` exists (file or directory).
bool exists(const std::string& path);

/// Parses a decimal unsigned number at the start of `s` (after blanks). False when `s`
/// does not start with a digit (e.g. "max").
bool parse_u64(const char* s, uint64_t& out);

/// In a flat-keyed file ("key value" lines: cpu.stat, memory.events, memory.oom_control),
/// the value of `key`. False when the key is missing or its value is not a number.
bool keyed_u64(const std::string& content, const char* key, uint64_t& out);

/// Reads a single-number file (memory.current, pids.current). False when the file is
/// missing or does not hold a number ("max").
bool read_u64(const std::string& path, uint64_t& out);

/// `s` split at every `sep` (empty fields kept: "a,,b" gives 3, "" gives 1).
std::vector<std::string> split(const std::string& s, char sep);

/// Undoes /proc/self/mountinfo's octal escapes ("\040" for a space) in one field.
std::string mountinfo_unescape(const std::string& field);

/// One cgroup file system mounted in this mount namespace (a line of mountinfo).
struct mount {
  std::string root;                        ///< the mounted cgroup's path inside its hierarchy
  std::string point;                       ///< where it is mounted
  bool v2 = false;                         ///< cgroup2 rather than a v1 hierarchy
  std::vector<std::string> super_options;  ///< v1: "rw", the controllers, "name=..."
};

/// The cgroup and cgroup2 mounts in a mountinfo text, in its order (malformed lines and
/// other file systems skipped).
std::vector<mount> cgroup_mounts(const std::string& mountinfo);

}  // namespace ctrd::cgroup::files
