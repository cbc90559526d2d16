#include "runtime/process_defaults.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include <spdlog/spdlog.h>

namespace ctrd {
namespace {

// Written once by prepare_daemon_limits() before any actor or the host loop runs,
// read-only after.
bool nofile_raised = false;
rlimit original_nofile{};
int daemon_oom_score_adj = 0;

/// Descriptors ctrd needs: its own (state, sockets, event log) plus a few per container
/// (output pipes, release pipe, pidfd, log file, notify socket) and per client.
constexpr rlim_t base_fds = 256;
constexpr rlim_t fds_per_container = 8;

int read_oom_score_adj() {
  char buf[16] = {};
  int fd = ::open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  return n > 0 ? std::atoi(buf) : 0;
}

bool write_oom_score_adj(int v, int& err) {
  int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return false;
  }
  auto text = std::to_string(v);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  err = errno;
  ::close(fd);
  return ok;
}

}  // namespace

void prepare_daemon_limits(std::size_t containers) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    original_nofile = rl;
    if (rl.rlim_cur < rl.rlim_max) {
      rlimit raised = rl;
      raised.rlim_cur = rl.rlim_max;
      if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
        nofile_raised = true;
        rl = raised;
      }
    }
    rlim_t wanted = base_fds + fds_per_container * static_cast<rlim_t>(containers);
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < wanted)
      spdlog::warn(
          "the descriptor limit is {} (hard limit {}): low for {} containers, which take about "
          "{} descriptors each while running; raise it (ulimit -Hn, LimitNOFILE=) to at least {}",
          rl.rlim_cur, rl.rlim_max, containers, fds_per_container, wanted);
  }
  int err = 0;
  if (write_oom_score_adj(-1000, err))
    spdlog::debug("oom_score_adj set to -1000: the OOM killer picks containers before ctrd");
  else
    spdlog::info("cannot set ctrd's oom_score_adj to -1000 ({}): the OOM killer may pick ctrd",
                 std::strerror(err));
  daemon_oom_score_adj = read_oom_score_adj();
}

void apply_process_limits(const process_limits& limits, spawn_spec& spec) {
  if (nofile_raised)
    spec.rlimits.push_back(
        child_rlimit{RLIMIT_NOFILE, original_nofile.rlim_cur, original_nofile.rlim_max});
  for (const auto& u : limits.ulimits)
    spec.rlimits.push_back(child_rlimit{u.resource, u.soft, u.hard});
  spec.set_oom_score_adj = limits.oom_score_adj != daemon_oom_score_adj;
  spec.oom_score_adj = limits.oom_score_adj;
}

}  // namespace ctrd
