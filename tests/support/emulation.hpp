// What a user-mode emulator (qemu-user: scripts/cross-test.sh runs the arm64 unit tests
// under qemu-aarch64-static, docs/arm64.md) cannot do, detected by trying it: each check
// returns "" when the feature works here, else the reason a test skips with. On a real
// kernel of the supported versions every check returns "", so the tests run in full.
//   CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());   // at the top of a TEST_CASE
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

/// Skips the current Catch2 test case (a WARN "skipped: <reason>") when `reason` is not "".
#define CTRD_SKIP_WITHOUT(reason)                \
  do {                                           \
    const std::string ctrd_skip_why_ = (reason); \
    if (!ctrd_skip_why_.empty()) {               \
      WARN("skipped: " << ctrd_skip_why_);       \
      return;                                    \
    }                                            \
  } while (0)

namespace ctrd::test {

/// openat2 (RESOLVE_IN_ROOT, every root-confined path of ctrd): qemu-user 7.2 (Debian 12)
/// does not implement it.
inline std::string no_openat2() {
  static const std::string why = [] {
    open_how how{};
    how.flags = O_PATH | O_CLOEXEC;
    long fd = ::syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
    if (fd >= 0) {
      ::close(static_cast<int>(fd));
      return std::string();
    }
    return errno == ENOSYS ? std::string(
                                 "openat2 is not implemented here (ENOSYS: qemu-user "
                                 "before 9.x); ctrd needs it for root-confined paths")
                           : std::string();
  }();
  return why;
}

/// A seccomp filter can be loaded (qemu-user refuses PR_SET_SECCOMP / seccomp(2): a filter
/// for the guest's system call numbers would apply to the emulator's own host calls).
inline std::string no_seccomp() {
  static const std::string why = [] {
    pid_t pid = ::fork();
    if (pid == 0) {
      sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
      sock_fprog prog{1, &allow};
      bool ok = ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
                ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0;
      ::_exit(ok ? 0 : 1);
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return std::string();
    return WIFEXITED(status) && WEXITSTATUS(status) == 1
               ? std::string(
                     "seccomp filters cannot be loaded here (a user-mode emulator "
                     "such as qemu-user refuses them)")
               : std::string();
  }();
  return why;
}

/// A forked, single-threaded process is one task: under qemu-user it has the emulator's
/// helper threads too, so cgroup task counts and per-task signals are not the program's.
inline std::string hidden_threads() {
  static const std::string why = [] {
    int p[2];
    if (::pipe(p) != 0) return std::string();
    pid_t pid = ::fork();
    if (pid == 0) {
      int n = 0;
      if (DIR* d = ::opendir("/proc/self/task")) {
        while (dirent* e = ::readdir(d))
          if (e->d_name[0] != '.') ++n;
        ::closedir(d);
      }
      char c = static_cast<char>(n > 100 ? 100 : n);
      ssize_t w = ::write(p[1], &c, 1);
      ::_exit(w == 1 ? 0 : 1);
    }
    ::close(p[1]);
    char c = 1;
    ssize_t r = pid > 0 ? ::read(p[0], &c, 1) : 0;
    ::close(p[0]);
    if (pid > 0) ::waitpid(pid, nullptr, 0);
    return r == 1 && c > 1 ? "a single-threaded child has " + std::to_string(c) +
                                 " tasks here (a user-mode emulator's helper threads): "
                                 "cgroup task counts and group signals are not the test's"
                           : std::string();
  }();
  return why;
}

/// clone with CLONE_NEWNS: qemu-user refuses namespace flags in clone (EINVAL) even for
/// root; without privilege it is EPERM (the tests that need it check privilege apart).
inline std::string no_clone_namespaces() {
  static const std::string why = [] {
    long pid = ::syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) ::_exit(0);
    if (pid > 0) {
      ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
      return std::string();
    }
    return errno == EINVAL ? std::string(
                                 "clone with CLONE_NEWNS fails with EINVAL here "
                                 "(qemu-user cannot create namespaces in clone)")
                           : std::string();
  }();
  return why;
}

/// The test binary can exec a program of its own architecture: under qemu-user without
/// binfmt_misc the host kernel refuses an arm64 executable (ENOEXEC), so tests that start
/// ctrd's binaries cannot run. Probed by exec'ing the test binary itself (listing no test):
/// for Catch2 test binaries only.
inline std::string no_exec_of_own_binaries() {
  static const std::string why = [] {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return std::string();
    pid_t pid = ::fork();
    if (pid == 0) {
      int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
      if (null >= 0) {
        ::dup2(null, 1);
        ::dup2(null, 2);
      }
      char exe[] = "/proc/self/exe", list[] = "--list-test-names-only",
           none[] = "[ctrd-emulation-probe]";
      char* argv[] = {exe, list, none, nullptr};
      ::execv(exe, argv);
      int e = errno;
      ssize_t w = ::write(p[1], &e, sizeof e);
      ::_exit(w == sizeof e ? 127 : 126);
    }
    ::close(p[1]);
    int e = 0;
    ssize_t r = pid > 0 ? ::read(p[0], &e, sizeof e) : 0;
    ::close(p[0]);
    if (pid > 0) ::waitpid(pid, nullptr, 0);
    return r == sizeof e && e == ENOEXEC
               ? std::string(
                     "the kernel cannot exec this architecture's binaries here "
                     "(ENOEXEC: a user-mode emulator without binfmt_misc)")
               : std::string();
  }();
  return why;
}

}  // namespace ctrd::test
