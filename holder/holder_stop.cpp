// The holder's stop and end (holder.hpp): the deadline of a stop (stop_deadline.hpp), the
// kill of a daemon that misses it, and, as PID 1, the bounded stop of what is left before
// the power-off. No wait here is unbounded: a hung daemon, or a process that SIGKILL cannot
// end (stuck in the kernel, frozen), never keeps the holder from ending.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "holder/holder.hpp"

namespace ctrd::holder {
namespace {

/// The holder's exit code when the daemon was killed at the deadline (or never stopped).
constexpr int stop_failed_code = 1;

/// After a clean exit of the daemon (it stopped every container): the time left to what
/// remains between SIGTERM and SIGKILL.
constexpr int64_t leftover_grace_ns = 1'000'000'000;
/// After a daemon killed at the deadline (its containers still run): a container's default
/// stop timeout (10 s, messages/container_config.hpp).
constexpr int64_t killed_leftover_grace_ns = 10'000'000'000;

/// Reaps every child that ends until none is left (true) or `deadline` (monotonic ns) has
/// passed (false). Sleeps until the next SIGCHLD (blocked in the holder, which takes it
/// through its signalfd otherwise) or the deadline: no polling.
bool reap_children_until(int64_t deadline) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  for (;;) {
    pid_t p;
    while ((p = ::waitpid(-1, nullptr, WNOHANG)) > 0) {
    }
    if (p < 0 && errno == ECHILD) return true;
    int64_t left = deadline - monotonic_ns();
    if (left <= 0) return false;
    timespec wait{static_cast<time_t>(left / 1'000'000'000),
                  static_cast<long>(left % 1'000'000'000)};
    ::sigtimedwait(&chld, nullptr, &wait);  // a child ended, the time is up, or EINTR
  }
}

std::string signal_name(int sig) {
  const char* name = sigabbrev_np(sig);
  return name ? std::string("SIG") + name : "signal " + std::to_string(sig);
}

}  // namespace

// SIGTERM, SIGINT or SIGPWR: the daemon shuts down (the caller forwards the signal); the
// first one starts the deadline.
void holder_process::begin_stop(int sig) {
  stopping_ = true;
  if (deadline_.started()) return;
  deadline_.start(monotonic_ns());
  log_line("info", signal_name(sig) + ": the daemon has " + std::to_string(deadline_.timeout_s()) +
                       " s to stop (--shutdown-timeout), then it is killed");
}

// Called after each poll(): the deadline's kill, then giving up on a daemon that does not
// end even so.
void holder_process::check_deadline() {
  auto step = deadline_.due(monotonic_ns());
  if (step == stop_deadline::step::wait) return;
  std::string within = std::to_string(deadline_.timeout_s()) + " s of the stop request";
  if (daemon_pid_ == 0) {
    // None runs: the last one died and its successor waits out the restart backoff.
    log_line("error", "no daemon stopped within " + within +
                          " (each one died before it could): going on with the shutdown");
    restart_at_ns_ = 0;
    finish(stop_failed_code);
    return;
  }
  auto pid = std::to_string(daemon_pid_);
  if (step == stop_deadline::step::kill) {
    log_line("error", "the daemon (pid " + pid + ") did not stop within " + within +
                          ": killing it (SIGKILL)");
    ::kill(static_cast<pid_t>(daemon_pid_), SIGKILL);  // ends a stopped process too
    return;
  }
  log_line("critical", "the daemon (pid " + pid + ") has not ended " +
                           std::to_string(stop_deadline::kill_wait_ns / 1'000'000'000) +
                           " s after SIGKILL (stuck in the kernel?): going on with the "
                           "shutdown without it");
  close_link();
  daemon_pid_ = 0;  // a later exit is reaped as any other child's
  finish(stop_failed_code);
}

// The daemon ended after the deadline's kill: no restart, the holder's shutdown goes on.
bool holder_process::end_if_killed(int64_t pid, int32_t code_kind, int32_t status) {
  if (!deadline_.killed()) return false;
  bool pid1 = opt_.init && ::getpid() == 1;
  log_line("error", "the daemon (pid " + std::to_string(pid) + ") " +
                        describe_exit(code_kind, status) + " after the shutdown timeout; " +
                        (pid1 ? "stopping every process left"
                              : "its containers keep running: the next ctrd adopts them"));
  finish(stop_failed_code);
  return true;
}

int holder_process::finish(int code) {
  done_ = true;
  exit_code_ = code;
  if (!opt_.init || ::getpid() != 1) {
    disarm_watchdog();
    return code;
  }
  // PID 1: what is left is stopped and reaped so that nothing is lost to the power-off;
  // then the file systems are synced.
  stop_leftovers();
  ::sync();
  disarm_watchdog();
  if (!in_initial_pid_namespace()) return code;  // a PID namespace ends with its init
  log_line("info", opt_.reboot ? "rebooting" : "powering off");
  ::reboot(opt_.reboot ? RB_AUTOBOOT : RB_POWER_OFF);
  log_line("critical", "reboot: " + std::string(std::strerror(errno)));
  return code;
}

// PID 1's last round: every process left (daemons that escaped their containers; after a
// daemon killed at the deadline, the containers it did not stop) gets SIGTERM, then
// SIGKILL, and is reaped; each wait is bounded.
void holder_process::stop_leftovers() {
  bool killed = deadline_.killed();
  int64_t grace = killed ? killed_leftover_grace_ns : leftover_grace_ns;
  if (killed)
    log_line("info", "sending SIGTERM to every process left (SIGKILL after " +
                         std::to_string(grace / 1'000'000'000) + " s)");
  ::kill(-1, SIGTERM);
  reap_children_until(monotonic_ns() + grace);
  ::kill(-1, SIGKILL);
  if (!reap_children_until(monotonic_ns() + stop_deadline::kill_wait_ns))
    log_line("error", "processes are left " +
                          std::to_string(stop_deadline::kill_wait_ns / 1'000'000'000) +
                          " s after SIGKILL (stuck in the kernel, or frozen): going on without "
                          "them");
}

}  // namespace ctrd::holder
