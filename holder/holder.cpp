#include "holder/holder.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ctrd::holder {
namespace {

// The signals the holder takes through its signalfd (blocked in every process it forks:
// the daemon inherits the mask, so a SIGTERM forwarded before its main() ran stays pending
// for its own signalfd instead of killing it).
sigset_t holder_signals() {
  sigset_t s;
  sigemptyset(&s);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPWR}) sigaddset(&s, sig);
  return s;
}

std::string errno_text(int err) {
  return std::strerror(err);
}

bool write_file(const char* path, const std::string& text) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

std::string read_small_file(const char* path) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char buf[64];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

std::string describe_exit(int32_t code_kind, int32_t status) {
  if (code_kind == CLD_EXITED) return "exited with code " + std::to_string(status);
  const char* name = sigabbrev_np(status);
  return std::string("killed by signal ") +
         (name ? std::string("SIG") + name : std::to_string(status));
}

// The initial PID namespace has a fixed inode number (the kernel's PROC_PID_INIT_INO).
bool in_initial_pid_namespace() {
  struct stat st;
  return ::stat("/proc/self/ns/pid", &st) == 0 && st.st_ino == 0xEFFFFFFCu;
}

int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void log_line(const char* level, const std::string& text) {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  ::localtime_r(&ts.tv_sec, &t);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &t);
  std::fprintf(stderr, "%s.%03ld %s holder: %s\n", stamp, ts.tv_nsec / 1'000'000, level,
               text.c_str());
}

std::string parse_holder_args(const std::vector<std::string>& args, holder_options& opt) {
  // The value of `name` at args[i] ("--name V" or "--name=V"); false when args[i] is not it.
  auto value = [&](std::size_t& i, const std::string& name, std::string& out,
                   std::string& problem) {
    const auto& a = args[i];
    if (a == name) {
      if (i + 1 >= args.size()) {
        problem = name + " needs a value";
        return true;
      }
      out = args[++i];
      return true;
    }
    if (a.size() > name.size() && a.compare(0, name.size(), name) == 0 && a[name.size()] == '=') {
      out = a.substr(name.size() + 1);
      return true;
    }
    return false;
  };
  std::string problem;
  std::string timeout, shutdown_timeout;
  bool timeout_given = false, shutdown_timeout_given = false;
  for (std::size_t i = 0; i < args.size() && problem.empty(); ++i) {
    if (args[i] == "--init") opt.init = true;
    if (args[i] == "--reboot") opt.reboot = true;
    if (value(i, "--watchdog-device", opt.watchdog_device, problem)) continue;
    if (value(i, "--log-target", opt.log_target, problem)) continue;
    if (value(i, "--watchdog-timeout", timeout, problem)) timeout_given = true;
    if (value(i, "--shutdown-timeout", shutdown_timeout, problem)) shutdown_timeout_given = true;
  }
  if (!problem.empty()) return problem;
  if (shutdown_timeout_given) {
    opt.shutdown_timeout = parse_shutdown_timeout(shutdown_timeout);
    if (opt.shutdown_timeout < 0)
      return "invalid --shutdown-timeout \"" + shutdown_timeout +
             "\": whole seconds from 1 to 86400";
  }
  if (timeout_given) {
    opt.watchdog_timeout = parse_watchdog_timeout(timeout);
    if (opt.watchdog_timeout < 0)
      return "invalid --watchdog-timeout \"" + timeout + "\": whole seconds from 1 to 86400";
    if (opt.watchdog_device.empty()) return "--watchdog-timeout needs --watchdog-device";
  }
  return {};
}

holder_process::holder_process(holder_options opt)
    : opt_(std::move(opt)), deadline_(opt_.shutdown_timeout) {}

int holder_process::run() {
  setup();
  restore_state();
  // Children that ended while this image was being executed (their SIGCHLD went to the
  // previous one) are reaped before the daemon asks for them.
  reap();
  if (!open_watchdog()) return 1;
  if (!start_daemon()) {
    disarm_watchdog();
    return 1;
  }
  while (!done_) {
    pollfd fds[2] = {{sigfd_, POLLIN, 0}, {link_, POLLIN, 0}};
    // Woken for a planned restart and for the stop's deadline (never unbounded while
    // stopping: a hung daemon sends nothing).
    int64_t now = monotonic_ns();
    int timeout = deadline_.wait_ms(now);
    if (restart_at_ns_ != 0) {
      int until_restart = ms_until(now, restart_at_ns_);
      timeout = timeout < 0 ? until_restart : std::min(timeout, until_restart);
    }
    int n = ::poll(fds, link_ >= 0 ? 2 : 1, timeout);
    if (n < 0 && errno != EINTR) {
      log_line("error", "poll: " + errno_text(errno));
      continue;
    }
    if (n > 0 && fds[0].revents != 0) on_signals();
    if (n > 0 && link_ >= 0 && fds[1].revents != 0) on_link();
    if (!done_) check_deadline();  // before a restart: no daemon is started only to be killed
    if (!done_ && restart_at_ns_ != 0 && monotonic_ns() >= restart_at_ns_) {
      restart_at_ns_ = 0;
      if (!start_daemon()) restart_at_ns_ = monotonic_ns() + backoff_.next_delay(0);
    }
  }
  return exit_code_;
}

void holder_process::setup() {
  sigset_t s = holder_signals();
  ::sigprocmask(SIG_BLOCK, &s, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  sigfd_ = ::signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigfd_ < 0) {
    log_line("critical", "signalfd: " + errno_text(errno));
    std::exit(1);
  }
  std::string problem;
  notifier_.from_environment(problem, true);  // the daemon reads the same variables
  if (opt_.init && ::getpid() != 1)
    log_line("warning", "--init: not PID 1, running as a child subreaper instead");
  if (::getpid() != 1 && ::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    log_line("warning", "cannot become a child subreaper: " + errno_text(errno) +
                            " (containers orphaned by a daemon crash will not be held)");
  if (::getpid() == 1 && in_initial_pid_namespace()) ::reboot(RB_DISABLE_CAD);  // SIGINT instead
  // Neither the holder nor the daemon may be the OOM killer's choice. The daemon starts
  // from the values the holder found (start_daemon), so that it records them for its
  // containers as it does without a holder.
  original_oom_score_adj_ = read_small_file("/proc/self/oom_score_adj");
  // Without the privilege (EACCES) the daemon says so itself.
  if (!write_file("/proc/self/oom_score_adj", "-1000") && errno != EACCES && errno != EPERM)
    log_line("warning", "cannot set oom_score_adj -1000: " + errno_text(errno));
  // One descriptor per container stream: take the hard limit.
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    original_nofile_ = rl.rlim_cur;
    if (rl.rlim_cur < rl.rlim_max) {
      rl.rlim_cur = rl.rlim_max;
      ::setrlimit(RLIMIT_NOFILE, &rl);
    }
  }
}

// After the holder's own re-exec: the held descriptors, the statuses and the count of
// daemons started come back from the memfd its previous image left.
void holder_process::restore_state() {
  const char* var = std::getenv(state_env);
  if (var == nullptr) return;
  int fd = std::atoi(var);
  ::unsetenv(state_env);
  std::string text;
  char buf[4096];
  ssize_t n;
  ::lseek(fd, 0, SEEK_SET);
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  // The holder's own lines come first: "starts N", "origin OOM_SCORE_ADJ NOFILE".
  for (;;) {
    auto eol = text.find('\n');
    if (eol == std::string::npos) break;
    auto line = text.substr(0, eol);
    if (line.rfind("starts ", 0) == 0) {
      starts_ = std::atoi(line.c_str() + 7);
    } else if (line.rfind("watchdog ", 0) == 0) {
      // The device stays open (and armed) across the re-exec: opening it again would fail
      // (a watchdog device has one opener) and closing it could disarm it.
      char* end = nullptr;
      long wfd = std::strtol(line.c_str() + 9, &end, 10);
      int timeout = end != nullptr ? std::atoi(end) : 0;
      if (wfd >= 0) watchdog_.adopt(opt_.watchdog_device, static_cast<int>(wfd), timeout);
    } else if (line.rfind("stopping ", 0) == 0) {
      // A stop asked while the previous image handed over: it goes on, with its deadline.
      stopping_ = true;
      deadline_.resume(std::strtoll(line.c_str() + 9, nullptr, 10));
    } else if (line.rfind("origin ", 0) == 0) {
      auto sp = line.find(' ', 7);
      original_oom_score_adj_ = line.substr(7, sp == std::string::npos ? sp : sp - 7);
      if (sp != std::string::npos)
        original_nofile_ = std::strtoull(line.c_str() + sp + 1, nullptr, 10);
    } else {
      break;
    }
    text.erase(0, eol + 1);
  }
  ever_ready_ = true;
  if (!held_.restore(text)) log_line("error", "the state of the previous holder is incomplete");
  for (const auto& h : held_.fds()) ::fcntl(h.fd, F_SETFD, FD_CLOEXEC);
  log_line("info", "re-executed: holding " + std::to_string(held_.fds().size()) +
                       " descriptors and " + std::to_string(held_.exits().size()) +
                       " exit statuses");
}

// `first`, then the arguments ctrd was given, for execv (pointers into opt_).
std::vector<char*> holder_process::command_line(const std::string& first) const {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(first.c_str()));
  for (const auto& a : opt_.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

bool holder_process::start_daemon() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    log_line("error", "cannot create the daemon's link: " + errno_text(errno));
    return false;
  }
  // The name the user typed: the daemon's usage and errors speak of `ctrd`.
  auto argv = command_line(opt_.argv0);
  pid_t pid = ::fork();
  if (pid < 0) {
    log_line("error", "cannot fork the daemon: " + errno_text(errno));
    ::close(sv[0]);
    ::close(sv[1]);
    return false;
  }
  if (pid == 0) {
    // The child is single-threaded like the holder: setenv is safe here.
    ::fcntl(sv[1], F_SETFD, 0);
    if (!original_oom_score_adj_.empty())
      write_file("/proc/self/oom_score_adj", original_oom_score_adj_);
    rlimit rl{};
    if (original_nofile_ != 0 && ::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
      rl.rlim_cur = original_nofile_;
      ::setrlimit(RLIMIT_NOFILE, &rl);
    }
    ::setenv(link_env, std::to_string(sv[1]).c_str(), 1);
    if (std::getenv("WATCHDOG_PID") != nullptr)
      ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    ::execv(opt_.daemon_path.c_str(), argv.data());
    std::fprintf(stderr, "ctrd: cannot run the daemon %s: %s\n", opt_.daemon_path.c_str(),
                 std::strerror(errno));
    ::_exit(127);
  }
  ::close(sv[1]);
  link_ = sv[0];
  ::fcntl(link_, F_SETFL, ::fcntl(link_, F_GETFL) | O_NONBLOCK);
  daemon_pid_ = pid;
  started_ns_ = monotonic_ns();
  ready_ = false;
  ++starts_;
  if (starts_ > 1) log_line("info", "started the daemon again (pid " + std::to_string(pid) + ")");
  if (stopping_) ::kill(pid, SIGTERM);  // a stop asked while no daemon ran: it does it
  return true;
}

void holder_process::on_signals() {
  signalfd_siginfo si;
  while (::read(sigfd_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
    int sig = static_cast<int>(si.ssi_signo);
    if (sig == SIGCHLD) {
      reap();
      continue;
    }
    if (sig != SIGHUP) begin_stop(sig);
    if (daemon_pid_ != 0) ::kill(static_cast<pid_t>(daemon_pid_), sig);
  }
  reap();  // statuses queued while the signalfd was read
}

void holder_process::reap() {
  for (;;) {
    siginfo_t si{};
    if (::waitid(P_ALL, 0, &si, WEXITED | WNOHANG) != 0 || si.si_pid == 0) return;
    if (si.si_pid == daemon_pid_) {
      on_daemon_exit(si.si_code, si.si_status);
      continue;
    }
    exit_record e{si.si_pid, si.si_code, si.si_status};
    if (!held_.add_exit(e))
      log_line("warning", "more than " + std::to_string(held_set::max_exits) +
                              " unclaimed exit statuses: the oldest was dropped");
    if (link_ >= 0) send({kind::exit, {}, {}, e.pid, e.code_kind, e.status, -1});
  }
}

void holder_process::on_daemon_exit(int32_t code_kind, int32_t status) {
  // What the dead daemon still said (ready, reexec, forget) is in the link: read it first.
  if (link_ >= 0) on_link();
  close_link();
  int64_t ran = monotonic_ns() - started_ns_;
  auto pid = daemon_pid_;
  daemon_pid_ = 0;
  bool clean = code_kind == CLD_EXITED && status == 0;
  if (!clean && end_if_killed(pid, code_kind, status)) return;
  if (reexec_) {
    reexec_ = false;
    log_line("info", "daemon-reexec: the daemon (pid " + std::to_string(pid) +
                         ") handed over; re-executing " + opt_.self_path);
    if (!reexec_self()) start_daemon();
    return;
  }
  if (clean) {
    finish(0);
    return;
  }
  int code = code_kind == CLD_EXITED ? status : 128 + status;
  if (!ever_ready_) {
    // The first daemon never came up (bad flags, a second ctrd on the same root): that
    // is the answer to whoever started ctrd, not a crash to repair.
    finish(code);
    return;
  }
  int64_t delay = backoff_.next_delay(ran);
  log_line("error", "the daemon (pid " + std::to_string(pid) + ") " +
                        describe_exit(code_kind, status) + "; starting it again" +
                        (delay > 0 ? " in " + std::to_string(delay / 1'000'000) + " ms" : "") +
                        " (containers keep running)");
  if (delay == 0) {
    if (!start_daemon()) restart_at_ns_ = monotonic_ns() + restart_backoff::first_delay_ns;
  } else {
    restart_at_ns_ = monotonic_ns() + delay;
  }
}

void holder_process::on_link() {
  for (;;) {
    message m;
    int r = receive_message(link_, m, MSG_DONTWAIT);
    if (r == 1) {
      handle(m);
      if (link_ < 0) return;
      continue;
    }
    if (r == 0 || (r < 0 && r != -EAGAIN && r != -EBADMSG)) close_link();
    if (r == -EBADMSG) {
      log_line("warning", "ignored a malformed message from the daemon");
      continue;
    }
    return;
  }
}

void holder_process::handle(message& m) {
  switch (m.type) {
    case kind::hello:
      hand_over();
      break;
    case kind::hold:
      if (m.fd < 0) {
        log_line("warning", "hold without a descriptor for " + m.id);
        break;
      }
      held_.hold(std::move(m.id), std::move(m.role), m.fd);
      m.fd = -1;
      break;
    case kind::release:
      held_.release(m.id, m.role);
      break;
    case kind::forget:
      held_.forget(m.pid);
      break;
    case kind::ready:
      ready_ = ever_ready_ = true;
      break;
    case kind::reexec:
      reexec_ = true;
      break;
    case kind::notify:
      if (!notifier_.send(m.id))
        log_line("warning", "sd_notify " + m.id + ": " + errno_text(errno));
      break;
    case kind::alive:
      on_alive();
      break;
    default:
      log_line("warning", "unexpected message from the daemon (type " +
                              std::to_string(static_cast<int>(m.type)) + ")");
  }
  if (m.fd >= 0) ::close(m.fd);
}

// Everything the holder keeps, then `end`. The daemon reads it before anything else.
void holder_process::hand_over() {
  for (const auto& h : held_.fds())
    if (!send({kind::held, h.id, h.role, 0, 0, 0, h.fd})) return;
  for (const auto& e : held_.exits())
    if (!send({kind::exit, {}, {}, e.pid, e.code_kind, e.status, -1})) return;
  // code_kind: how often the daemon must prove itself for the hardware watchdog (0: none).
  int32_t alive_ms = watchdog_.is_open() ? alive_period_ms(watchdog_.timeout()) : 0;
  send({kind::end, {}, {}, ::getpid(), alive_ms, starts_, -1});
}

// Sends on the non-blocking link, waiting up to 5 s for room: the daemon reads its link
// all the time, so a full link means a daemon that hangs (the link is then dropped; the
// daemon gets everything again from its successor's hand-over).
bool holder_process::send(const message& m) {
  for (;;) {
    int err = send_message(link_, m, MSG_DONTWAIT);
    if (err == 0) return true;
    if (err == EAGAIN) {
      pollfd p{link_, POLLOUT, 0};
      if (::poll(&p, 1, 5000) > 0) continue;
      log_line("error", "the daemon does not read its link: dropping it");
    }
    close_link();
    return false;
  }
}

void holder_process::close_link() {
  if (link_ >= 0) ::close(link_);
  link_ = -1;
}

// An upgrade of the holder itself: the new image gets the held descriptors (close-on-exec
// cleared), the statuses and its counters through a memfd, then starts the new daemon.
// Children (the containers) stay its children across execve.
bool holder_process::reexec_self() {
  int mfd = ::memfd_create("ctrd-holder-state", 0);
  if (mfd < 0) {
    log_line("error", "re-exec: memfd_create: " + errno_text(errno) + "; keeping this holder");
    return false;
  }
  auto oom = original_oom_score_adj_;
  while (!oom.empty() && (oom.back() == '\n' || oom.back() == ' ')) oom.pop_back();
  std::string text = "starts " + std::to_string(starts_) + "\norigin " + (oom.empty() ? "0" : oom) +
                     " " + std::to_string(original_nofile_) + "\n";
  if (deadline_.started()) text += "stopping " + std::to_string(deadline_.kill_at()) + "\n";
  if (watchdog_.is_open())
    text += "watchdog " + std::to_string(watchdog_.fd()) + " " +
            std::to_string(watchdog_.timeout()) + "\n";
  text += held_.serialize();
  bool written = ::write(mfd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  for (const auto& h : held_.fds()) ::fcntl(h.fd, F_SETFD, 0);
  watchdog_.keep_across_exec(true);
  auto argv = command_line(opt_.self_path);
  if (written) {
    ::setenv(state_env, std::to_string(mfd).c_str(), 1);
    ::execv(opt_.self_path.c_str(), argv.data());
  }
  log_line("error", "re-exec of " + opt_.self_path + " failed: " + errno_text(errno) +
                        "; keeping this holder");
  ::unsetenv(state_env);
  for (const auto& h : held_.fds()) ::fcntl(h.fd, F_SETFD, FD_CLOEXEC);
  watchdog_.keep_across_exec(false);
  ::close(mfd);
  return false;
}

// --watchdog-device: opened (and armed) before the first daemon starts; a device that
// cannot be opened ends ctrd at once rather than running without the watchdog asked for.
bool holder_process::open_watchdog() {
  if (opt_.watchdog_device.empty() || watchdog_.is_open()) return true;
  std::string error, warning;
  if (!watchdog_.open(opt_.watchdog_device, opt_.watchdog_timeout, error, warning)) {
    log_line("critical", error);
    return false;
  }
  if (!warning.empty()) log_line("warning", warning);
  log_line("info", "watchdog " + opt_.watchdog_device + " armed (timeout " +
                       (watchdog_.timeout() > 0 ? std::to_string(watchdog_.timeout()) + " s"
                                                : std::string("unknown")) +
                       "): petted after each passing self-check of the daemon, at least every " +
                       std::to_string(alive_period_ms(watchdog_.timeout())) + " ms");
  return true;
}

// The daemon's self-check passed: pet the device (no timer of the holder's own pets it).
void holder_process::on_alive() {
  if (!watchdog_.is_open()) return;
  int err = watchdog_.pet();
  if (err != 0 && !pet_failing_)
    log_line("error", "cannot pet the watchdog " + watchdog_.path() + ": " + errno_text(err));
  else if (err == 0 && pet_failing_)
    log_line("info", "the watchdog " + watchdog_.path() + " is petted again");
  pet_failing_ = err != 0;
}

// The holder ends normally: the magic close disarms the device.
void holder_process::disarm_watchdog() {
  if (!watchdog_.is_open()) return;
  auto path = watchdog_.path();
  int err = watchdog_.magic_close();
  if (err != 0)
    log_line("warning", "disarming the watchdog " + path + ": " + errno_text(err));
  else
    log_line("info", "watchdog " + path + " disarmed");
}

}  // namespace ctrd::holder
