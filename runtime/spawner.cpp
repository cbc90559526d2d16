#include "runtime/spawner.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "messages/error.hpp"
#include "runtime/confinement.hpp"
#include "runtime/fs_root.hpp"
#include "runtime/isolation.hpp"
#include "runtime/resource_error.hpp"
#include "runtime/spawner_child.hpp"

#if defined(__x86_64__)
// clone3 with a function to run in the child on its own stack, like glibc's internal
// __clone3 (which it does not export): long ctrd_clone3_run(clone_args*, size_t,
// int (*fn)(void*), void* arg). Returns the child's pid or -errno in the parent; the child
// calls fn(arg) on the stack given in the clone_args and exits with its result. r8/r9
// survive the syscall in both processes; the kernel points the child's rsp at the new
// stack, aligned by the caller.
extern "C" long ctrd_clone3_run(void* args, std::size_t size, int (*fn)(void*), void* arg);
__asm__(
    ".text\n"
    ".p2align 4\n"
    ".hidden ctrd_clone3_run\n"
    ".globl ctrd_clone3_run\n"
    ".type ctrd_clone3_run,@function\n"
    "ctrd_clone3_run:\n"
    "  mov %rdx, %r8\n"
    "  mov %rcx, %r9\n"
    "  mov $435, %eax\n"  // SYS_clone3
    "  syscall\n"
    "  test %rax, %rax\n"
    "  jnz 1f\n"
    "  xor %ebp, %ebp\n"  // the child: no frames above
    "  mov %r9, %rdi\n"
    "  call *%r8\n"
    "  mov %eax, %edi\n"
    "  mov $231, %eax\n"  // SYS_exit_group
    "  syscall\n"
    "  hlt\n"
    "1:\n"
    "  ret\n"
    ".size ctrd_clone3_run, .-ctrd_clone3_run\n");
#define CTRD_HAVE_CLONE3_RUN 1
#endif
// Elsewhere (arm64: docs/arm64.md) there is no direct path: every spawn takes the held
// fork/clone path below, which the x86-64 build uses for isolated containers and exec
// joins, and which the arm64 unit tests run under qemu-user.

namespace ctrd {

const char* const default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

namespace {

enum class probe { ok, missing, not_executable, directory, dangling };

/// The target of `p` if it is a symbolic link inside `root` (read without following it).
std::string link_in_root(int root, const std::string& p) {
  try {
    auto fd = fs::open_in_root(root, p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    char buf[4096];
    auto n = ::readlinkat(fd.get(), "", buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  } catch (const error&) {
    return {};
  }
}

/// What `p` is (inside `root` when it is a descriptor); `link` gets the target of a
/// dangling symbolic link.
probe probe_file(const std::string& p, int root, std::string* link = nullptr) {
  struct stat st;
  if (root >= 0) {
    try {
      auto fd = fs::open_in_root(root, p, O_PATH | O_CLOEXEC);
      if (::fstat(fd.get(), &st) != 0) return probe::missing;
    } catch (const resource_error&) {
      throw;  // out of descriptors or memory: not a missing command
    } catch (const error&) {
      auto target = link_in_root(root, p);
      if (target.empty()) return probe::missing;
      if (link) *link = target;
      return probe::dangling;
    }
    if (S_ISDIR(st.st_mode)) return probe::directory;
    return (st.st_mode & 0111) ? probe::ok : probe::not_executable;
  }
  if (::stat(p.c_str(), &st) != 0) {
    if (is_resource_errno(errno)) throw_errno(ec::internal, "cannot look up " + p, errno);
    return errno == EACCES ? probe::not_executable : probe::missing;
  }
  if (S_ISDIR(st.st_mode)) return probe::directory;
  if (::access(p.c_str(), X_OK) != 0) return probe::not_executable;
  return probe::ok;
}

[[noreturn]] void fail_probe(probe r, const std::string& cmd, const std::string& path,
                             const std::string& link = {}) {
  switch (r) {
    case probe::dangling:
      // Typically `busybox --install -s` on a merged-/usr host: links to /usr/bin/busybox,
      // which the root file system lacks.
      throw error(ec::command_not_found,
                  "executable file `" + path + "` is a symbolic link to `" + link +
                      "`, which does not exist inside the container's root file system");
    case probe::directory:
      throw error(ec::cannot_invoke,
                  "open executable `" + path + "`: is a directory: permission denied");
    case probe::not_executable:
      throw error(ec::cannot_invoke, "executable file `" + path + "`: permission denied");
    default:
      throw error(ec::command_not_found,
                  "executable file `" + cmd + "` not found in $PATH: No such file or directory");
  }
}

void close_quietly(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::string resolve_command(const std::string& cmd, const std::vector<std::string>& env,
                            const std::string& workdir, int root) {
  if (cmd.find('/') != std::string::npos) {
    std::string p = cmd[0] == '/' ? cmd : workdir + "/" + cmd;
    std::string link;
    auto r = probe_file(p, root, &link);
    if (r != probe::ok) fail_probe(r, cmd, p, link);
    return p;
  }
  std::string path = default_path;
  for (const auto& e : env)
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  probe worst = probe::missing;
  std::string worst_path, worst_link;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    auto colon = path.find(':', pos);
    std::string dir =
        path.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
    pos = colon == std::string::npos ? path.size() + 1 : colon + 1;
    if (dir.empty()) dir = workdir;
    std::string candidate = dir + "/" + cmd;
    std::string link;
    auto r = probe_file(candidate, root, &link);
    if (r == probe::ok) return candidate;
    if (r != probe::missing && worst == probe::missing) {
      worst = r;
      worst_path = candidate;
      worst_link = link;
    }
  }
  fail_probe(worst, cmd, worst_path, worst_link);
}

namespace {

/// The parent's side of the child's stdio, created before the fork.
struct stdio_fds {
  int in_r = -1, in_w = -1;    // stdin: pipe (interactive) or /dev/null in in_r
  int out_r = -1, out_w = -1;  // stdout pipe
  int err_r = -1, err_w = -1;  // stderr pipe
  int master = -1;             // pty master (tty)
  int slave = -1;              // pty slave (tty), opened O_NOCTTY

  void close_all() {
    for (int* fd : {&in_r, &in_w, &out_r, &out_w, &err_r, &err_w, &master, &slave})
      close_quietly(*fd);
  }
};

/// Opens the ptmx of the devpts instance mounted at /dev/pts inside the root `root_path`.
/// The container owns that tree, so the path is resolved by the kernel inside it with no
/// symbolic link followed, and only a ptmx node of a devpts file system is opened: a
/// container's /dev/ptmx -> /host/file can never make ctrd open a host file.
int open_container_ptmx(const std::string& root_path) {
  try {
    auto root = fs::open_root(root_path);
    auto node = fs::open_in_root(root.get(), "/dev/pts/ptmx", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    struct statfs sfs;
    if (::fstat(node.get(), &st) != 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 ||
        minor(st.st_rdev) != 2 || ::fstatfs(node.get(), &sfs) != 0 ||
        sfs.f_type != DEVPTS_SUPER_MAGIC) {
      errno = EPERM;
      return -1;
    }
    auto again = "/proc/self/fd/" + std::to_string(node.get());
    return ::open(again.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  } catch (const resource_error&) {
    throw;
  } catch (const error&) {
    errno = ENOENT;
    return -1;
  }
}

stdio_fds make_stdio(const spawn_spec& s) {
  stdio_fds f;
  auto fail = [&](const char* what) {
    int e = errno;
    f.close_all();
    throw_errno(ec::internal, std::string("cannot create ") + what + " for the container", e);
  };
  if (s.tty && !s.pty_root.empty()) {
    // A terminal of the container's own devpts instance, so that it exists in there.
    f.master = open_container_ptmx(s.pty_root);
    int unlock = 0;
    if (f.master < 0 || ::ioctl(f.master, TIOCSPTLCK, &unlock) != 0)
      fail("a pseudo-terminal in the container");
    f.slave = ::ioctl(f.master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (f.slave < 0) fail("the terminal in the container");
    return f;
  }
  if (s.tty) {
    f.master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    char name[128];
    if (f.master < 0 || ::grantpt(f.master) != 0 || ::unlockpt(f.master) != 0 ||
        ::ptsname_r(f.master, name, sizeof name) != 0)
      fail("a pseudo-terminal");
    f.slave = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (f.slave < 0) fail("the terminal");
    return f;
  }
  int p[2];
  if (s.interactive) {
    if (::pipe2(p, O_CLOEXEC) != 0) fail("the stdin pipe");
    f.in_r = p[0];
    f.in_w = p[1];
  } else if ((f.in_r = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
    fail("/dev/null");
  }
  if (::pipe2(p, O_CLOEXEC) != 0) fail("the stdout pipe");
  f.out_r = p[0];
  f.out_w = p[1];
  if (::pipe2(p, O_CLOEXEC) != 0) fail("the stderr pipe");
  f.err_r = p[0];
  f.err_w = p[1];
  return f;
}

/// Waits for the child's "isolated" byte on the set-up socket; returns the descriptor it
/// carries (-1: none, or the child failed and closed the socket).
int receive_done(int sock) {
  char done;
  iovec iov{&done, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n != 1) return -1;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
      c->cmsg_len != CMSG_LEN(sizeof(int)))
    return -1;
  int fd;
  std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

#ifdef CTRD_HAVE_CLONE3_RUN
/// What the direct child needs (it runs on its own stack, in ctrd's memory).
struct direct_args {
  const spawn_spec* spec;
  char* const* argv;
  char* const* envp;
  int in_r, out_w, err_w, pty_slave;
};

CTRD_CHILD_SIDE int direct_child(void* p) {
  auto* d = static_cast<direct_args*>(p);
  child_main(*d->spec, d->argv, d->envp, -1, -1, d->in_r, d->out_w, d->err_w, d->pty_slave);
}

/// Stack size of a direct child (child_main needs little: no allocation, no deep calls).
constexpr std::size_t direct_stack_size = 256 << 10;

/// A stack for direct children, one per spawning thread (the parent waits until the child
/// has exec'd, so it is free again when clone returns). A guard page below it.
char* direct_stack_top() {
  constexpr std::size_t size = direct_stack_size, guard = 4096;
  thread_local char* top = [] {
    void* p = ::mmap(nullptr, size + guard, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (p == MAP_FAILED) return static_cast<char*>(nullptr);
    ::mprotect(p, guard, PROT_NONE);
    return static_cast<char*>(p) + size + guard;
  }();
  return top;
}

/// The direct spawn: clone3 with CLONE_VM | CLONE_VFORK (no copy of ctrd's page tables,
/// no copy-on-write faults and TLB shootdowns afterwards: a fork of the multi-threaded
/// daemon cost a quarter of its CPU in crash loops), into the cgroup when `cgroup_fd` >= 0.
/// Returns the pid or -errno; the child has exec'd (or exited) when it returns.
long clone_direct(direct_args& d, int cgroup_fd, bool& into) {
  into = false;
  char* top = direct_stack_top();
  if (!top) return -ENOMEM;
  clone_args a{};
  a.flags = CLONE_VM | CLONE_VFORK;
  a.exit_signal = SIGCHLD;
  a.stack = reinterpret_cast<uint64_t>(top - direct_stack_size);
  a.stack_size = direct_stack_size;
  if (cgroup_fd >= 0) {
    a.flags |= CLONE_INTO_CGROUP;
    a.cgroup = static_cast<uint64_t>(cgroup_fd);
  }
  // No signal handler may run in the child while it shares ctrd's memory.
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  long r = ctrd_clone3_run(&a, sizeof a, direct_child, &d);
  if (r < 0 && cgroup_fd >= 0) {  // e.g. a kernel without CLONE_INTO_CGROUP
    a.flags &= ~static_cast<uint64_t>(CLONE_INTO_CGROUP);
    a.cgroup = 0;
    r = ctrd_clone3_run(&a, sizeof a, direct_child, &d);
  } else if (r >= 0) {
    into = cgroup_fd >= 0;
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return r;
}
#endif

/// fork(), or clone() with namespace `flags`; into the cgroup2 directory `cgroup_fd` when
/// it is >= 0 and the kernel supports clone3's CLONE_INTO_CGROUP (`into` says whether it
/// did). Returns what fork() returns. The child only makes system calls, so the raw
/// syscalls (which skip glibc's fork handlers) are safe.
pid_t clone_child(int flags, int cgroup_fd, bool& into) {
  into = false;
  if (cgroup_fd >= 0) {
    clone_args a{};
    a.flags = static_cast<uint64_t>(static_cast<unsigned>(flags)) | CLONE_INTO_CGROUP;
    a.exit_signal = SIGCHLD;
    a.cgroup = static_cast<uint64_t>(cgroup_fd);
    auto pid = static_cast<pid_t>(::syscall(SYS_clone3, &a, sizeof a));
    if (pid >= 0) {
      into = true;
      return pid;
    }
  }
  return flags ? static_cast<pid_t>(
                     ::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, 0))
               : ::fork();
}

}  // namespace

held_child spawn_held(const spawn_spec& s) {
  // Everything the child needs is prepared here: no allocation after fork.
  std::vector<char*> argv, envp;
  for (const auto& a : s.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : s.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

#ifdef CTRD_HAVE_CLONE3_RUN
  const bool direct = !s.hold && !s.isolation && s.join_pidfd < 0;
#else
  const bool direct = false;
#endif
  int hold[2] = {-1, -1};
  if (!direct && ::pipe2(hold, O_CLOEXEC) != 0)
    throw_errno(ec::internal, "cannot create the release pipe", errno);
  stdio_fds f;
  try {
    f = make_stdio(s);
  } catch (...) {
    close_quietly(hold[0]);
    close_quietly(hold[1]);
    throw;
  }
  // exec into a PID namespace: the forked child joins, forks the real process and reports
  // its pid on this pipe.
  int report[2] = {-1, -1};
  bool double_fork = s.join_pidfd >= 0 && (s.join_flags & CLONE_NEWPID);
  if (double_fork && ::pipe2(report, O_CLOEXEC) != 0) {
    int e = errno;
    close_quietly(hold[0]);
    close_quietly(hold[1]);
    f.close_all();
    throw_errno(ec::internal, "cannot create the exec pipe", e);
  }
  // ctrd's part of the child's set-up (spawn_spec::setup) comes on this socket pair.
  int setup[2] = {-1, -1};
  if (s.setup && s.isolation && s.join_pidfd < 0 && !direct &&
      ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, setup) != 0) {
    int e = errno;
    for (int* fd : {&hold[0], &hold[1], &report[0], &report[1]}) close_quietly(*fd);
    f.close_all();
    throw_errno(ec::internal, "cannot create the set-up channel", e);
  }
  int flags = s.isolation ? s.isolation->clone_flags : 0;
  int cgroup_fd =
      s.cgroup_dir.empty() ? -1 : ::open(s.cgroup_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgroup_fd < 0 && !s.cgroup_dir.empty() && is_resource_errno(errno)) {
    // Not a kernel without CLONE_INTO_CGROUP: no descriptor left. Fail before the child
    // exists rather than start it outside its cgroup.
    int e = errno;
    for (int* fd : {&hold[0], &hold[1], &report[0], &report[1], &setup[0], &setup[1]})
      close_quietly(*fd);
    f.close_all();
    throw_errno(ec::internal, "cannot open the cgroup " + s.cgroup_dir, e);
  }
  bool in_cgroup = false;
  pid_t pid;
#ifdef CTRD_HAVE_CLONE3_RUN
  if (direct) {
    direct_args d{&s, argv.data(), envp.data(), f.in_r, f.out_w, f.err_w, s.tty ? f.slave : -1};
    long r = clone_direct(d, cgroup_fd, in_cgroup);
    if (r == -ENOSYS) {  // no clone3: a plain fork that execs at once
      pid = ::fork();
      if (pid == 0)
        child_main(s, argv.data(), envp.data(), -1, -1, f.in_r, f.out_w, f.err_w,
                   s.tty ? f.slave : -1);
    } else {
      pid = r < 0 ? -1 : static_cast<pid_t>(r);
      if (r < 0) errno = static_cast<int>(-r);
    }
  } else
#endif
    pid = clone_child(flags, cgroup_fd, in_cgroup);
  if (pid == 0) {
    // Not a copy of ctrd that a container may look into: no ptrace, no pidfd_getfd, no
    // /proc/<pid>/fd of it until exec resets this (the direct path shares ctrd's mm and
    // never enters a container before exec).
    ::syscall(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (s.join_pidfd >= 0) {
      // Before entering the container's namespaces, hold nothing of ctrd's but what the
      // join and the child need.
      int keep[] = {0, 1, 2, s.join_pidfd, report[1], hold[0], f.in_r, f.out_w, f.err_w, f.slave};
      close_all_but(keep, sizeof keep / sizeof keep[0]);
      join_namespaces(s, report[1]);
    }
    child_main(s, argv.data(), envp.data(), hold[0], setup[1], f.in_r, f.out_w, f.err_w,
               s.tty ? f.slave : -1);
  }
  int fork_errno = errno;
  if (cgroup_fd >= 0) ::close(cgroup_fd);
  close_quietly(setup[1]);
  if (pid > 0 && setup[0] >= 0) {
    try {
      setup_channel channel(setup[0]);
      s.setup(pid, in_cgroup, channel);
      if (!channel.sent()) channel.send();
      // Wait until it is isolated (a byte) or has failed (EOF: it exits 125 with the
      // reason on its stderr, handled as any exit).
      // With a rootfs and a tty, the byte carries the master of the container's own
      // terminal (spawner_child.cpp, own_terminal), which replaces ctrd's.
      int own_master = receive_done(setup[0]);
      if (own_master >= 0) {
        close_quietly(f.master);
        f.master = own_master;
      }
    } catch (...) {
      ::kill(pid, SIGKILL);  // waiting for the set-up: it never ran anything
      close_quietly(setup[0]);
      for (int* fd : {&hold[0], &hold[1], &report[0], &report[1]}) close_quietly(*fd);
      f.close_all();
      throw;
    }
  }
  close_quietly(setup[0]);
  if (double_fork) {
    ::close(report[1]);
    pid_t inner = -1;
    ssize_t n = pid > 0 ? ::read(report[0], &inner, sizeof inner) : -1;
    ::close(report[0]);
    if (pid > 0 && n != static_cast<ssize_t>(sizeof inner)) {
      fork_errno = ESRCH;  // the intermediate child could not join or fork
      pid = -1;
    } else if (pid > 0) {
      pid = inner;  // the intermediate child exits by itself; the reaper collects it
    }
  }
  close_quietly(hold[0]);
  close_quietly(f.slave);
  close_quietly(f.in_r);
  close_quietly(f.out_w);
  close_quietly(f.err_w);
  held_child c;
  c.release_fd = hold[1];
  if (s.tty) {
    c.out_fd = f.master;
    c.in_fd = f.master >= 0 ? ::fcntl(f.master, F_DUPFD_CLOEXEC, 3) : -1;
  } else {
    c.out_fd = f.out_r;
    c.err_fd = f.err_r;
    c.in_fd = f.in_w;
  }
  if (pid < 0) {
    for (int* fd : {&c.release_fd, &c.out_fd, &c.err_fd, &c.in_fd}) close_quietly(*fd);
    throw_errno(ec::internal, "cannot fork the container process", fork_errno);
  }
  c.pid = pid;
  c.in_cgroup = in_cgroup;
  for (int fd : {c.out_fd, c.err_fd, c.in_fd})
    if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return c;
}

void setup_channel::send(const int* fds, std::size_t count) {
  char byte = 1;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * max_setup_fds)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (count > max_setup_fds) throw error(ec::internal, "too many descriptors for a child's set-up");
  if (count > 0) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * count);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * count);
    std::memcpy(CMSG_DATA(c), fds, sizeof(int) * count);
  }
  ssize_t n;
  do {
    n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n != 1) throw_errno(ec::internal, "cannot hand the set-up to the container's process", errno);
  sent_ = true;
}

bool release_child(held_child& c) {
  if (c.release_fd < 0) return c.pid > 0;  // spawned without a hold: it runs already
  char b = 1;
  ssize_t n;
  do {
    n = ::write(c.release_fd, &b, 1);
  } while (n < 0 && errno == EINTR);
  close_quietly(c.release_fd);
  return n == 1;
}

}  // namespace ctrd
