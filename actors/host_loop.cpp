#include "actors/host_loop.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <system_error>
#include <vector>

#include <caf/send.hpp>

#include "actors/atoms.hpp"
#include "runtime/proc.hpp"

namespace ctrd {
namespace {

sigset_t daemon_signals() {
  sigset_t s;
  sigemptyset(&s);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPWR}) sigaddset(&s, sig);
  return s;
}

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

/// Monotonic time for the drain sweeps' own pacing.
int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int pidfd_open(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

}  // namespace

void block_daemon_signals() {
  sigset_t s = daemon_signals();
  pthread_sigmask(SIG_BLOCK, &s, nullptr);
}

host_loop::host_loop() {
  sigset_t s = daemon_signals();
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) fail("epoll_create1");
  sigfd_ = ::signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigfd_ < 0) fail("signalfd");
  wakefd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakefd_ < 0) fail("eventfd");
  for (int fd : {sigfd_, wakefd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) fail("epoll_ctl");
  }
}

host_loop::~host_loop() {
  stop();
  for (auto& [fd, e] : fds_) ::close(fd);
  for (int fd : {epfd_, sigfd_, wakefd_})
    if (fd >= 0) ::close(fd);
}

void host_loop::start(caf::actor signal_sink) {
  sink_ = std::move(signal_sink);
  thread_ = std::thread([this] { loop(); });
}

void host_loop::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  wake();
  thread_.join();
  sink_ = nullptr;
  // Drop every actor handle now, while the actor system still exists (ctrd's main destroys
  // the system first): an actor whose last reference a registry held, e.g. a file job whose
  // killed helper was not reaped yet, would otherwise be destroyed after the system (a
  // crash at exit). The descriptors stay open until the destructor.
  // They are moved out first and released without the lock: a destroyed actor's state may
  // call unwatch().
  std::vector<host_client_actor> owners;
  std::vector<host_group_client_actor> group_owners;
  {
    std::lock_guard<std::mutex> lock(mtx_);
    for (auto& [pid, owner] : children_) owners.push_back(std::move(owner));
    for (auto& [pid, d] : draining_) group_owners.push_back(std::move(d.owner));
    for (auto& [fd, e] : fds_) {
      owners.push_back(std::move(e.owner));
      group_owners.push_back(std::move(e.group_owner));
    }
    children_.clear();
    draining_.clear();
  }
  owners.clear();
  group_owners.clear();
}

void host_loop::wake() {
  uint64_t one = 1;
  (void)!::write(wakefd_, &one, sizeof one);
}

held_child host_loop::spawn(const spawn_spec& spec, const host_client_actor& owner) {
  std::lock_guard<std::mutex> g{mtx_};
  held_child c = spawn_held(spec);
  children_.emplace(c.pid, owner);
  return c;
}

bool host_loop::signal_pid(pid_t pid, int sig) {
  std::lock_guard<std::mutex> g{mtx_};
  if (children_.count(pid) == 0 && adopted_.count(pid) == 0) return false;
  return ::kill(pid, sig) == 0;
}

bool host_loop::signal_group(pid_t pgid, int sig) {
  if (pgid <= 0) return false;
  std::lock_guard<std::mutex> g{mtx_};
  if (::kill(-pgid, sig) == 0) return true;
  // A child signalled right after the fork may not have called setsid() yet: its group
  // does not exist, but the leader-to-be does (its pid is the group's id). The signal is
  // pending until it unblocks signals, so it is not lost.
  return errno == ESRCH && children_.count(pgid) != 0 && ::kill(pgid, sig) == 0;
}

void host_loop::watch_output(int fd, int stream, const host_client_actor& owner) {
  std::lock_guard<std::mutex> g{mtx_};
  fds_[fd] = fd_entry{fd_kind::output, stream, 0, owner, {}};
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.fd = fd;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0)
    spdlog::error("cannot watch output fd {}: {}", fd, std::strerror(errno));
}

void host_loop::watch_notify(int fd, const host_group_client_actor& owner) {
  std::lock_guard<std::mutex> g{mtx_};
  fds_[fd] = fd_entry{fd_kind::notify, 0, 0, {}, owner};
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0)
    spdlog::error("cannot watch notify socket {}: {}", fd, std::strerror(errno));
}

void host_loop::watch_writable(int fd, const host_client_actor& owner) {
  std::lock_guard<std::mutex> g{mtx_};
  bool known = fds_.count(fd) != 0;
  fds_[fd] = fd_entry{fd_kind::writable, 0, 0, owner, {}};
  epoll_event ev{};
  ev.events = EPOLLOUT | EPOLLONESHOT;
  ev.data.fd = fd;
  ::epoll_ctl(epfd_, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
}

void host_loop::rearm(int fd) {
  std::lock_guard<std::mutex> g{mtx_};
  // Handing over: what the pipe holds now is the next daemon's to read; a chunk read here
  // would reach a container actor that has ended, and be lost.
  if (handing_over_ || fds_.count(fd) == 0) return;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.fd = fd;
  ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
}

void host_loop::unwatch(int fd) {
  std::lock_guard<std::mutex> g{mtx_};
  if (fds_.erase(fd) == 0) return;
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
}

void host_loop::watch_group(pid_t pgid, const host_group_client_actor& owner, cgroup::group cg) {
  {
    std::lock_guard<std::mutex> g{mtx_};
    draining_[pgid] = draining_entry{owner, std::move(cg), mono_ns(), 0};
  }
  wake();
}

bool host_loop::adopt(pid_t pid, uint64_t start_time, const host_client_actor& owner) {
  int pfd = pidfd_open(pid);
  if (pfd < 0) return false;
  // Checked after opening the pidfd: if the start time matches now, the pidfd refers to
  // that very process even if it exits right after.
  if (!proc::is_same_process(pid, start_time)) {
    ::close(pfd);
    return false;
  }
  std::lock_guard<std::mutex> g{mtx_};
  fds_[pfd] = fd_entry{fd_kind::pidfd, 0, pid, owner, {}};
  adopted_[pid] = pfd;
  // A child of ctrd's holder (orphaned by the last daemon's crash or upgrade): its exit
  // status comes from the holder, and its pidfd is watched only if the holder goes. Any
  // other (orphaned to init when ctrd went as a whole) tells of its exit by its pidfd.
  if (holder_watches_exits() && proc::parent_of(pid) == holder_->holder_pid())
    holder_reaps_.insert(pid);
  else
    watch_pidfd(pfd);
  return true;
}

void host_loop::loop() {
  epoll_event events[64];
  while (!stopping_) {
    // The 1 s timeout is a safety sweep (coalesced SIGCHLD, groups emptied by another
    // reaper); normally the loop wakes only on events.
    int n = ::epoll_wait(epfd_, events, 64, 1000);
    if (n < 0 && errno != EINTR) {
      spdlog::critical("host loop: epoll_wait failed: {}", std::strerror(errno));
      return;
    }
    bool reap = n == 0;
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == sigfd_) {
        drain_signals();
        reap = true;
      } else if (fd == wakefd_) {
        uint64_t v;
        (void)!::read(wakefd_, &v, sizeof v);
      } else if (holder_ != nullptr && fd == holder_->fd()) {
        on_holder();
      } else {
        handle_fd(fd);
      }
    }
    if (reap) reap_children();
    check_groups();
    // What did not fit into the holder's link goes with the next event or the sweep.
    if (holder_ != nullptr && !holder_lost_) holder_->flush();
  }
}

void host_loop::drain_signals() {
  signalfd_siginfo si;
  while (::read(sigfd_, &si, sizeof si) == sizeof si) {
    if (si.ssi_signo != SIGCHLD && sink_)
      caf::anon_send(sink_, signal_atom::value, static_cast<int>(si.ssi_signo));
  }
}

void host_loop::end_adopted(pid_t pid, int code, bool known) {
  auto a = adopted_.find(pid);
  if (a == adopted_.end()) return;
  int pfd = a->second;
  if (auto e = fds_.find(pfd); e != fds_.end()) {
    caf::anon_send(e->second.owner, exited_atom::value, static_cast<int>(pid), code, known);
    fds_.erase(e);
  }
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, pfd, nullptr);  // harmless if it was never watched
  ::close(pfd);
  adopted_.erase(a);
  holder_reaps_.erase(pid);
}

void host_loop::reap_children() {
  std::lock_guard<std::mutex> g{mtx_};
  // Handing over: exits stay unreaped, so that the holder reaps them once this daemon is
  // gone and hands their statuses to the next one (the container actors here are ending).
  if (handing_over_) return;
  for (;;) {
    siginfo_t si{};
    if (::waitid(P_ALL, 0, &si, WEXITED | WNOHANG) != 0 || si.si_pid == 0) break;
    auto it = children_.find(si.si_pid);
    if (it == children_.end()) {
      ++orphans_;
      spdlog::debug("reaped orphan pid {} (exit {})", si.si_pid,
                    proc::exit_code(si.si_code, si.si_status));
      continue;
    }
    caf::anon_send(it->second, exited_atom::value, static_cast<int>(si.si_pid),
                   proc::exit_code(si.si_code, si.si_status), true);
    children_.erase(it);
  }
}

void host_loop::check_groups() {
  std::lock_guard<std::mutex> g{mtx_};
  for (auto it = draining_.begin(); it != draining_.end();) {
    auto& e = it->second;
    bool drained = !proc::group_exists(it->first);
    std::string problem;
    if (drained && e.cg.valid()) {
      // Every task of the cgroup was sent SIGKILL when the cleanup began; one that is
      // still there (the kill failed for lack of descriptors, or it forked meanwhile)
      // gets it again, at most once a second. A listing that fails (EMFILE) is retried at
      // every sweep and given up after drain_give_up_ns.
      auto now = mono_ns();
      try {
        drained = e.cg.empty();
        if (!drained && now - e.killed_ns >= 1'000'000'000) {
          e.killed_ns = now;
          e.cg.kill_all(SIGKILL);
        }
        if (e.failing_since_ns != 0)
          spdlog::info("the tasks of cgroup {} can be listed again", e.cg.path());
        e.failing_since_ns = 0;
      } catch (const std::exception& ex) {
        drained = false;
        if (e.failing_since_ns == 0) {
          e.failing_since_ns = now;
          spdlog::warn("{} (retrying until it works, at most {} s)", ex.what(),
                       drain_give_up_ns / 1'000'000'000);
        } else if (now - e.failing_since_ns >= drain_give_up_ns) {
          drained = true;
          problem = std::string("cleanup given up: ") + ex.what() +
                    "; processes of the container may be left in its cgroup";
        }
      }
    }
    if (!drained) {
      ++it;
      continue;
    }
    if (problem.empty())
      caf::anon_send(e.owner, drained_atom::value);
    else
      caf::anon_send(e.owner, drained_atom::value, problem);
    it = draining_.erase(it);
  }
}

void host_loop::handle_fd(int fd) {
  static char buf[64 * 1024];
  std::lock_guard<std::mutex> g{mtx_};
  auto it = fds_.find(fd);
  if (it == fds_.end()) return;
  fd_entry& e = it->second;
  if (e.kind == fd_kind::pidfd) {
    end_adopted(e.pid, -1, false);  // not our child: its status cannot be known
    return;
  }
  if (e.kind == fd_kind::writable) {
    caf::anon_send(e.owner, writable_atom::value);  // disarmed (one shot) until asked again
    return;
  }
  // Handing over: output and sd_notify datagrams stay where they are for the next daemon
  // (an output pipe is one-shot and stays disarmed; a notify socket is taken out).
  if (handing_over_) {
    if (e.kind == fd_kind::notify) ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
    return;
  }
  if (e.kind == fd_kind::notify) {
    // Each datagram with its sender's pid (SO_PASSCRED), which the container checks.
    for (;;) {
      iovec iov{buf, 4096};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      ssize_t got = ::recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
      if (got <= 0) break;
      int32_t sender = 0;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
          ucred cred;
          std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
          sender = cred.pid;
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
          // Descriptors sent along are never wanted: close them.
          auto n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
          for (std::size_t i = 0; i < n; ++i) {
            int passed;
            std::memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof passed);
            ::close(passed);
          }
        }
      }
      caf::anon_send(e.group_owner, notify_atom::value, std::string(buf, static_cast<size_t>(got)),
                     sender);
    }
    return;
  }
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) {
    caf::anon_send(e.owner, output_atom::value, e.stream, std::string(buf, static_cast<size_t>(n)));
    return;  // stays disarmed until the owner calls rearm()
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.fd = fd;
    ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
    return;
  }
  // End of file or error: the owner closes the fd.
  caf::anon_send(e.owner, eof_atom::value, e.stream);
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  fds_.erase(it);
}

}  // namespace ctrd
