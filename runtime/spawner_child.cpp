#include "runtime/spawner_child.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "runtime/confinement.hpp"
#include "runtime/isolation.hpp"

namespace ctrd {
namespace {
/// Length of a C string without a library call (see child_main).
CTRD_CHILD_SIDE std::size_t length(const char* s) {
  std::size_t n = 0;
  while (s[n]) ++n;
  return n;
}

/// Writes a message to the child's stderr.
CTRD_CHILD_SIDE void say(const char* text) {
  ::syscall(SYS_write, 2, text, length(text));
}

/// Reports "ctrd: cannot <what>: <errno text>" and exits 125.
[[noreturn]] CTRD_CHILD_SIDE void child_die(const char* what) {
  int e = errno;
  say("ctrd: cannot ");
  say(what);
  say(": ");
  const char* reason = ::strerrordesc_np(e);  // a static table: async-signal-safe
  say(reason ? reason : "unknown error");
  say("\n");
  ::syscall(SYS_exit_group, 125);
  __builtin_unreachable();
}

/// Writes `v` in decimal into `out` (at least 12 bytes); returns its length.
CTRD_CHILD_SIDE std::size_t format_int(int v, char* out) {
  char digits[12];
  std::size_t n = 0;
  unsigned u = v < 0 ? 0u - static_cast<unsigned>(v) : static_cast<unsigned>(v);
  do {
    digits[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  std::size_t len = 0;
  if (v < 0) out[len++] = '-';
  while (n > 0) out[len++] = digits[--n];
  return len;
}

/// dup2() as a system call (dup3: arm64 has no dup2).
CTRD_CHILD_SIDE long child_dup(int from, int to) {
  return from == to ? to : ::syscall(SYS_dup3, from, to, 0);
}

}  // namespace

/// Closes every descriptor but the `n` in `keep` (-1 entries are ignored).
CTRD_CHILD_SIDE void close_all_but(int* keep, std::size_t n) {
  for (std::size_t i = 1; i < n; ++i)  // insertion sort: no library call
    for (std::size_t j = i; j > 0 && keep[j - 1] > keep[j]; --j) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  unsigned next = 0;  // the lowest descriptor not yet kept or closed
  for (std::size_t i = 0; i < n; ++i) {
    if (keep[i] < 0 || static_cast<unsigned>(keep[i]) < next) continue;
    if (static_cast<unsigned>(keep[i]) > next)
      ::syscall(SYS_close_range, next, static_cast<unsigned>(keep[i]) - 1, 0u);
    next = static_cast<unsigned>(keep[i]) + 1;
  }
  ::syscall(SYS_close_range, next, ~0u, 0u);
}

namespace {
/// Waits for ctrd's set-up message on `fd` and takes the descriptors it carries.
CTRD_CHILD_SIDE bool receive_setup(int fd, int* fds, std::size_t& count) {
  char byte;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * max_setup_fds)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  long n;
  do {
    n = ::syscall(SYS_recvmsg, fd, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n != 1) return false;
  count = 0;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
    count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const unsigned char* data = CMSG_DATA(c);
    for (std::size_t i = 0; i < count; ++i)
      __builtin_memcpy(&fds[i], data + i * sizeof(int), sizeof(int));
  }
  return true;
}

/// The kernel's struct sigaction (rt_sigaction), without glibc's translation.
struct kernel_sigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)();
  uint64_t mask;
};

/// Opens a terminal of the container's devpts instance (/dev/pts, mounted by
/// enter_isolation), makes its slave stdio and the controlling terminal (owned by the
/// container's user, as podman's /dev/pts/0) and returns the master. Exits 125 on failure.
CTRD_CHILD_SIDE int own_terminal(const spawn_spec& s) {
  long master = ::syscall(SYS_openat, AT_FDCWD, "/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  int unlock = 0;
  if (master < 0 || ::syscall(SYS_ioctl, master, TIOCSPTLCK, &unlock) != 0)
    child_die("open a terminal in the container");
  long slave = ::syscall(SYS_ioctl, master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0) child_die("open the container's terminal");
  if (s.set_user) ::syscall(SYS_fchown, slave, s.uid, s.gid);
  for (int fd = 0; fd < 3; ++fd)
    if (child_dup(static_cast<int>(slave), fd) < 0) child_die("use the container's terminal");
  if (slave > 2) ::syscall(SYS_close, slave);
  if (::syscall(SYS_ioctl, 0, TIOCSCTTY, 0) != 0) child_die("take the container's terminal");
  return static_cast<int>(master);
}

/// Tells ctrd the isolation is done: one byte, with `fd` (SCM_RIGHTS) when >= 0.
CTRD_CHILD_SIDE void send_done(int sock, int fd) {
  char done = 1;
  iovec iov{&done, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (fd >= 0) {
    __builtin_memset(control, 0, sizeof control);
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    __builtin_memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  ::syscall(SYS_sendmsg, sock, &msg, MSG_NOSIGNAL);
}

// Child side, between the clone and exec. It may share ctrd's memory (spawn_held's direct
// path clones with CLONE_VM | CLONE_VFORK) or be a copy of a multi-threaded process whose
// library locks another thread may hold: so raw system calls only, no allocation, no libc
// function with hidden state (glibc's setuid() would walk ctrd's threads, sanitizer
// interceptors would touch shared bookkeeping). `hold_r` < 0: exec at once.

}  // namespace

[[noreturn]] CTRD_CHILD_SIDE void child_main(const spawn_spec& s, char* const* argv,
                                             char* const* envp, int hold_r, int setup_r, int in_r,
                                             int out_w, int err_w, int pty_slave) {
  kernel_sigaction dfl{};
  dfl.handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    ::syscall(SYS_rt_sigaction, sig, &dfl, nullptr, sizeof(uint64_t));
  uint64_t empty = 0;
  ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, nullptr, sizeof empty);
  ::syscall(SYS_setsid);
  // A container with its own root gets a terminal of its own devpts instance once that is
  // mounted (own_terminal()); ctrd's terminal carries only what fails before that.
  bool own_pty = pty_slave >= 0 && s.isolation && s.isolation->root && setup_r >= 0;
  if (pty_slave >= 0) {
    // Opened by ctrd (the path may not exist in the container's mount namespace); the
    // session leader makes it its controlling terminal.
    if (!own_pty) ::syscall(SYS_ioctl, pty_slave, TIOCSCTTY, 0);
    in_r = out_w = err_w = pty_slave;
  }
  // spawn_spec::pass_fd: out of the way of the stdio descriptors first, then to 3.
  long pass = s.pass_fd < 0 ? -1 : ::syscall(SYS_fcntl, s.pass_fd, F_DUPFD, 10);
  if (s.pass_fd >= 0 && pass < 0) ::syscall(SYS_exit_group, 126);
  if (child_dup(in_r, 0) < 0 || child_dup(out_w, 1) < 0 || child_dup(err_w, 2) < 0)
    ::syscall(SYS_exit_group, 126);
  if (pass >= 0) {
    if (hold_r == 3) hold_r = static_cast<int>(::syscall(SYS_fcntl, hold_r, F_DUPFD_CLOEXEC, 4));
    if (setup_r == 3) setup_r = static_cast<int>(::syscall(SYS_fcntl, setup_r, F_DUPFD_CLOEXEC, 4));
    if (child_dup(static_cast<int>(pass), 3) < 0) ::syscall(SYS_exit_group, 126);
  }
  // Close every other descriptor now, not at exec: while held, this child must not keep
  // other containers' release pipes (or its own write end) open, or EOF would never come.
  int keep[] = {0, 1, 2, hold_r, setup_r, pass >= 0 ? 3 : -1};
  close_all_but(keep, sizeof keep / sizeof keep[0]);
  // Limits before anything else the container's own settings could refuse (the host's
  // /proc is still the one mounted: /proc/self is this process).
  for (std::size_t i = 0; i < s.rlimits.size(); ++i) {
    uint64_t lim[2] = {s.rlimits[i].soft, s.rlimits[i].hard};
    if (::syscall(SYS_prlimit64, 0, s.rlimits[i].resource, lim, nullptr) != 0)
      child_die("set a resource limit (--ulimit)");
  }
  if (s.set_oom_score_adj) {
    char text[16];
    std::size_t n = format_int(s.oom_score_adj, text);
    long fd = ::syscall(SYS_openat, AT_FDCWD, "/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::syscall(SYS_write, fd, text, n) != static_cast<long>(n))
      child_die("set oom_score_adj (--oom-score-adj)");
    ::syscall(SYS_close, fd);
  }
  if (s.isolation) {
    int fds[max_setup_fds];
    std::size_t nfds = 0;
    if (setup_r >= 0) {
      // ctrd's part of the set-up (spawn_spec::setup) is done when its message arrives.
      if (!receive_setup(setup_r, fds, nfds)) child_die("receive ctrd's set-up of the container");
    }
    if (const char* failed = enter_isolation(*s.isolation, fds, nfds)) child_die(failed);
    if (setup_r >= 0) {
      // Isolated: ctrd may now let others in (an exec joining its mount namespace before
      // pivot_root would see the host's root). With a terminal, its master goes along.
      int master = own_pty ? own_terminal(s) : -1;
      send_done(setup_r, master);
      if (master >= 0) ::syscall(SYS_close, master);
      ::syscall(SYS_close, setup_r);
    }
  }
  if (::syscall(SYS_chdir, s.workdir.c_str()) != 0) {
    say("ctrd: cannot change to the working directory\n");
    ::syscall(SYS_exit_group, 126);
  }
  if (s.confinement)
    if (const char* failed = confine_before_user(*s.confinement)) child_die(failed);
  if (s.set_user) {
    // Per-thread credentials in the kernel; this process has one thread.
    gid_t g = s.gid;
    const gid_t* groups = s.groups.empty() ? &g : s.groups.data();
    if (::syscall(SYS_setgroups, s.groups.empty() ? 1 : s.groups.size(), groups) != 0 ||
        ::syscall(SYS_setresgid, s.gid, s.gid, s.gid) != 0 ||
        ::syscall(SYS_setresuid, s.uid, s.uid, s.uid) != 0) {
      say("ctrd: cannot switch to the container user\n");
      ::syscall(SYS_exit_group, 126);
    }
  }
  if (s.confinement)
    if (const char* failed = confine_after_user(*s.confinement)) child_die(failed);
  if (hold_r >= 0) {
    char b = 0;
    long n;
    do {
      n = ::syscall(SYS_read, hold_r, &b, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) ::syscall(SYS_exit_group, 0);  // released by closing: never started
  }
  if (s.confinement)
    if (const char* failed = confine_final(*s.confinement)) child_die(failed);
  ::syscall(SYS_execve, s.path.c_str(), argv, envp);
  int e = errno;
  say("ctrd: exec failed\n");
  ::syscall(SYS_exit_group, e == ENOENT ? 127 : 126);
  __builtin_unreachable();
}

/// exec: joins the container's namespaces. With a PID namespace the process must be a
/// child of the joiner: fork, report the grandchild's pid, and let the joiner exit.
void join_namespaces(const spawn_spec& s, int report_w) {
  if (::setns(s.join_pidfd, s.join_flags) != 0) {
    static const char msg[] = "ctrd: cannot enter the container's namespaces\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(125);
  }
  if (!(s.join_flags & CLONE_NEWPID)) return;
  // A raw fork: glibc's fork() would take library locks another thread of ctrd may hold.
  auto inner = static_cast<pid_t>(::syscall(SYS_clone, SIGCHLD, nullptr, nullptr, nullptr, 0));
  if (inner < 0) ::_exit(125);
  if (inner > 0) {
    (void)!::write(report_w, &inner, sizeof inner);
    ::_exit(0);
  }
  ::close(report_w);
}

}  // namespace ctrd
