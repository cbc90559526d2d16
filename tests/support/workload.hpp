// Helpers of the reliability harness (tests/integration/crash_injection_test.cpp,
// tests/integration/load_test.cpp; docs/reliability.md): a deterministic PRNG, settings
// from the environment, and what /proc says about processes (start times, memory,
// descriptors, processes carrying a harness marker in their environment).
#pragma once

#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ctrd::test {

/// splitmix64: the same sequence for the same seed on every platform and standard library
/// (std::uniform_int_distribution is implementation-defined, so it is not used).
class prng {
 public:
  explicit prng(uint64_t seed) : x_(seed) {}
  uint64_t next();
  /// Uniform in [0, n); n > 0.
  uint64_t below(uint64_t n) { return next() % n; }
  /// Uniform in [lo, hi].
  int64_t range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo + 1)));
  }
  /// True with probability percent/100.
  bool chance(unsigned percent) { return below(100) < percent; }

 private:
  uint64_t x_;
};

/// The unsigned value of environment variable `name` (decimal or 0x-hex), or `def`.
uint64_t env_u64(const char* name, uint64_t def);

/// A seed: $`name` when set, else a fresh one from the clock and the pid.
uint64_t seed_from_env(const char* name);

/// /proc/<pid>/stat field 22 (start time in clock ticks since boot); 0 when the process does
/// not exist or is a zombie. A (pid, start time) pair names a process across pid reuse.
uint64_t proc_start_time(pid_t pid);

/// True if (pid, start) is still the same live, non-zombie process.
bool same_process_alive(pid_t pid, uint64_t start);

/// VmRSS of `pid` in KiB (0 if unknown).
long rss_kib(pid_t pid);

/// Number of open descriptors of `pid` (entries of /proc/<pid>/fd; -1 if unreadable).
int fd_count(pid_t pid);

/// Number of threads of `pid` (0 if unknown).
int thread_count(pid_t pid);

/// A live process whose environment holds `CTRD_HARNESS=<prefix><tag>`.
struct marked_process {
  pid_t pid = 0;
  uint64_t start = 0;
  std::string tag;  ///< what follows the prefix (the container's name)
};

/// Name of the environment variable the harness gives every container it creates.
inline constexpr const char* harness_marker = "CTRD_HARNESS";

/// Every live (non-zombie) process whose environment has CTRD_HARNESS=<prefix>...
std::vector<marked_process> find_marked(const std::string& prefix);

/// The tag of `pid` when it carries CTRD_HARNESS=<prefix>..., else "" (also for zombies).
std::string marker_of(pid_t pid, const std::string& prefix);

/// SIGKILLs every process marked with `prefix` (re-checking the marker and start time right
/// before each kill); returns how many were killed.
int kill_marked(const std::string& prefix);

/// Kills what a test marked with `prefix` started if it ends early (declare it before the
/// daemon, so that it runs after ctrd is gone).
struct leftover_guard {
  std::string prefix;
  ~leftover_guard() {
    if (!prefix.empty()) kill_marked(prefix);
  }
};

/// One request of a pipelined batch: method and params (docs/protocol.md).
struct rpc_call {
  std::string method;
  nlohmann::json params;
};

/// Sends `calls` on one connection to ctrd's socket, all at once after the handshake, and
/// returns the replies in the same order: the result, or {"error": {...}} for an error, or
/// null when no reply came (5 s per reply). Faster than one ctrctl per request (the load
/// test creates 100 containers this way).
std::vector<nlohmann::json> pipelined(const std::string& socket,
                                      const std::vector<rpc_call>& calls);

/// True if `pid` has the AddressSanitizer runtime mapped (an instrumented build: slower,
/// and freed memory is held in a quarantine).
bool runs_with_asan(pid_t pid);

/// Milliseconds since `t0`.
inline double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

/// The value at quantile q (0..1) of `v` (sorted in place); 0 for an empty vector.
double quantile(std::vector<double>& v, double q);

}  // namespace ctrd::test
