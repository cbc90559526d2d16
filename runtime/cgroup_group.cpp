// cgroup::group: one container's group (membership, freezer, kill-all, counters, removal).
// The hierarchy that makes groups is in cgroup.cpp.
#include "runtime/cgroup.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "messages/error.hpp"
#include "runtime/cgroup_files.hpp"
#include "runtime/resource_error.hpp"

namespace ctrd::cgroup {
namespace {

/// v1 limit files print "unlimited" as a huge page-aligned number.
uint64_t limit_or_zero(uint64_t v) {
  return v >= (uint64_t{1} << 62) ? 0 : v;
}

/// Sums io.stat's rbytes= and wbytes= over all devices.
void sum_io_stat(const std::string& text, uint64_t& rd, uint64_t& wr) {
  std::size_t pos = 0;
  while ((pos = text.find("bytes=", pos)) != std::string::npos) {
    char kind = pos > 0 ? text[pos - 1] : ' ';
    pos += 6;
    uint64_t v = 0;
    if (!files::parse_u64(text.c_str() + pos, v)) continue;
    if (kind == 'r') rd += v;
    if (kind == 'w') wr += v;
  }
}

/// Figures of a group summed over its processes from /proc, for hybrid groups without a
/// memory/pids/blkio controller group.
struct proc_totals {
  uint64_t rss_bytes = 0, threads = 0, read_bytes = 0, write_bytes = 0;
};

proc_totals sum_processes(const std::vector<pid_t>& pids) {
  proc_totals t;
  static const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  std::string text;
  for (pid_t p : pids) {
    const std::string dir = "/proc/" + std::to_string(p);
    if (files::read(dir + "/statm", text) == 0) {
      auto f = files::split(text, ' ');
      uint64_t resident = 0;
      if (f.size() > 1 && files::parse_u64(f[1].c_str(), resident)) t.rss_bytes += resident * page;
    }
    uint64_t v = 0;
    if (files::read(dir + "/status", text) == 0) {
      auto at = text.find("\nThreads:");
      if (at != std::string::npos && files::parse_u64(text.c_str() + at + 9, v)) t.threads += v;
    }
    if (files::read(dir + "/io", text) == 0) {
      if (files::keyed_u64(text, "read_bytes:", v)) t.read_bytes += v;
      if (files::keyed_u64(text, "write_bytes:", v)) t.write_bytes += v;
    }
  }
  return t;
}

/// Sums the "<dev> Read N" and "<dev> Write N" lines of a v1 blkio io_service_bytes file.
void sum_blkio(const std::string& text, uint64_t& rd, uint64_t& wr) {
  for (const auto& line : files::split(text, '\n')) {
    auto f = files::split(line, ' ');
    uint64_t v = 0;
    if (f.size() != 3 || !files::parse_u64(f[2].c_str(), v)) continue;
    if (f[1] == "Read") rd += v;
    if (f[1] == "Write") wr += v;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// group

const std::string& group::path() const {
  static const std::string empty;
  if (dirs_.empty()) return empty;
  if (unified_) return dirs_.front();
  if (!freezer_dir_.empty()) return freezer_dir_;
  if (!memory_dir_.empty()) return memory_dir_;
  return dirs_.front();
}

void group::add(pid_t pid, bool in_clone_dir) const {
  const std::string value = std::to_string(pid);
  for (const auto& dir : dirs_) {
    if (in_clone_dir && unified_ && &dir == &dirs_.front()) continue;
    int e = files::write(dir + "/cgroup.procs", value);
    if (e != 0)
      throw_errno(ec::internal, "cannot move process " + value + " into the cgroup " + dir, e);
  }
}

void group::freeze() const {
  if (freezer_dir_.empty())
    throw error(ec::invalid_state,
                "pausing needs the cgroup freezer, which this host does not have");
  const char* file = unified_ ? "/cgroup.freeze" : "/freezer.state";
  int e = files::write(freezer_dir_ + file, unified_ ? "1" : "FROZEN");
  if (e != 0)
    throw error(ec::internal, "cannot freeze the cgroup " + freezer_dir_ + ": " + std::strerror(e));
}

void group::thaw() const {
  if (freezer_dir_.empty())
    throw error(ec::invalid_state,
                "unpausing needs the cgroup freezer, which this host does not have");
  const char* file = unified_ ? "/cgroup.freeze" : "/freezer.state";
  int e = files::write(freezer_dir_ + file, unified_ ? "0" : "THAWED");
  if (e != 0)
    throw error(ec::internal, "cannot thaw the cgroup " + freezer_dir_ + ": " + std::strerror(e));
}

bool group::frozen() const {
  if (freezer_dir_.empty()) return false;
  std::string state;
  if (unified_) {
    if (files::read(freezer_dir_ + "/cgroup.freeze", state) != 0) return false;
    return !state.empty() && state[0] == '1';
  }
  if (files::read(freezer_dir_ + "/freezer.state", state) != 0) return false;
  return state.compare(0, 6, "FROZEN") == 0 || state.compare(0, 8, "FREEZING") == 0;
}

std::size_t group::kill_all(int sig) const {
  if (dirs_.empty()) return 0;
  if (unified_ && sig == SIGKILL) {
    std::size_t n = pids().size();
    int e = files::write(dirs_.front() + "/cgroup.kill", "1");
    if (e == 0) return n;
    if (e != ENOENT)  // ENOENT: a kernel before 5.14, fall back to listing
      throw_errno(ec::internal, "cannot kill the cgroup " + dirs_.front(), e);
  }
  // Frozen, no task can fork between the listing and the signal. A task that was inside
  // fork() while the freeze began shows up in a later listing, hence the rounds.
  const bool has_freezer = !freezer_dir_.empty();
  const bool was_frozen = has_freezer && frozen();
  if (has_freezer && !was_frozen) freeze();
  std::vector<pid_t> seen;
  std::size_t count = 0;
  try {
    for (int round = 0; round < 8; ++round) {
      bool fresh = false;
      for (pid_t p : pids()) {
        if (std::find(seen.begin(), seen.end(), p) != seen.end()) continue;
        fresh = true;
        seen.push_back(p);
        if (::kill(p, sig) == 0) ++count;
      }
      if (!fresh) break;
    }
  } catch (...) {
    if (has_freezer && !was_frozen) thaw();
    throw;
  }
  // A paused group stays paused (its tasks get the signal when unpaused), except for
  // SIGKILL: v1 frozen tasks only die once thawed.
  if (has_freezer && (!was_frozen || sig == SIGKILL)) thaw();
  return count;
}

std::vector<pid_t> group::pids() const {
  std::vector<pid_t> out;
  if (procs_dir_.empty()) return out;
  std::string text;
  int e = files::read(procs_dir_ + "/cgroup.procs", text);
  if (e == ENOENT || e == ENODEV) return out;
  if (e != 0) throw_errno(ec::internal, "cannot list the tasks of " + procs_dir_, e);
  pid_t cur = 0;
  bool any = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      cur = cur * 10 + (c - '0');
      any = true;
    } else {
      if (any) out.push_back(cur);
      cur = 0;
      any = false;
    }
  }
  if (any) out.push_back(cur);
  // v1 does not promise a sorted, duplicate-free cgroup.procs.
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

stats group::read_stats() const {
  stats s;
  std::string text;
  uint64_t v = 0;
  if (unified_ && files::read(dirs_.front() + "/cpu.stat", text) == 0 &&
      files::keyed_u64(text, "usage_usec", v))
    s.cpu_ns = v * 1000;  // no controller needed
  if (v2_controllers_) {
    const std::string& dir = dirs_.front();
    if (!memory_dir_.empty()) {
      files::read_u64(dir + "/memory.current", s.memory_bytes);
      files::read_u64(dir + "/memory.max", s.memory_limit);  // "max": stays 0
    }
    if (!pids_dir_.empty()) files::read_u64(dir + "/pids.current", s.pids);
    if (!blkio_dir_.empty() && files::read(dir + "/io.stat", text) == 0)
      sum_io_stat(text, s.block_read, s.block_write);
  } else {
    if (!unified_ && !cpuacct_dir_.empty())
      files::read_u64(cpuacct_dir_ + "/cpuacct.usage", s.cpu_ns);
    proc_totals t;
    if (memory_dir_.empty() || pids_dir_.empty() || blkio_dir_.empty()) t = sum_processes(pids());
    s.memory_bytes = t.rss_bytes;
    s.pids = t.threads;
    s.block_read = t.read_bytes;
    s.block_write = t.write_bytes;
    if (!memory_dir_.empty()) {
      files::read_u64(memory_dir_ + "/memory.usage_in_bytes", s.memory_bytes);
      if (files::read_u64(memory_dir_ + "/memory.limit_in_bytes", v))
        s.memory_limit = limit_or_zero(v);
    }
    if (!pids_dir_.empty()) files::read_u64(pids_dir_ + "/pids.current", s.pids);
    if (!blkio_dir_.empty()) {
      s.block_read = s.block_write = 0;
      if (files::read(blkio_dir_ + "/blkio.throttle.io_service_bytes", text) == 0)
        sum_blkio(text, s.block_read, s.block_write);
      if (s.block_read == 0 && s.block_write == 0 &&
          files::read(blkio_dir_ + "/blkio.io_service_bytes", text) == 0)
        sum_blkio(text, s.block_read, s.block_write);
    }
  }
  s.oom_kills = oom_kills();
  return s;
}

uint64_t group::oom_kills() const {
  if (memory_dir_.empty()) return 0;
  std::string text;
  uint64_t v = 0;
  const char* file = v2_controllers_ ? "/memory.events" : "/memory.oom_control";
  if (files::read(memory_dir_ + file, text) == 0 && files::keyed_u64(text, "oom_kill", v)) return v;
  return 0;
}

bool group::remove() const {
  if (dirs_.empty()) return true;
  if (!pids().empty()) return false;
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
    int e = ::rmdir(it->c_str()) == 0 ? 0 : errno;
    if (e == 0 || e == ENOENT) continue;
    if (e == EBUSY) return false;
    throw error(ec::internal, "cannot remove the cgroup " + *it + ": " + std::strerror(e));
  }
  return true;
}

}  // namespace ctrd::cgroup
