// ctrd_escape_probe: one escape attempt per invocation, run inside a container by the
// security tests (tests/integration/security_test.cpp). Linked statically so that it runs
// in a busybox root file system. Prints "ok" (exit 0) when the attempt succeeded, else the
// errno name (exit 1), e.g. "EPERM"; `caps` prints the process's capability and seccomp
// lines of /proc/self/status; `keyring` also prints the session keyring's id. Usage:
// ctrd_escape_probe ATTEMPT [ARGS...]
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

int report(long result) {
  if (result >= 0) {
    std::puts("ok");
    return 0;
  }
  const char* name = ::strerrorname_np(errno);
  std::puts(name ? name : "E?");
  return 1;
}

int usage() {
  std::fputs(
      "usage: ctrd_escape_probe caps | settime-invalid | keyring | userns | open-by-handle |\n"
      "  mount-tmpfs DIR | mount-cgroup DIR [OPTS] | mknod PATH [MAJOR MINOR] | open PATH |\n"
      "  create PATH | remount-rw PATH | ptrace PID | pidfd-getfd PID FD | write FILE TEXT |\n"
      "  read FILE | chown PATH UID | move-pages | personality VALUE\n",
      stderr);
  return 2;
}

int caps() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return report(-1);
  char line[512];
  while (std::fgets(line, sizeof line, f))
    if (!std::strncmp(line, "Cap", 3) || !std::strncmp(line, "Seccomp:", 8) ||
        !std::strncmp(line, "NoNewPrivs:", 11) || !std::strncmp(line, "Uid:", 4) ||
        !std::strncmp(line, "Gid:", 4))
      std::fputs(line, stdout);
  std::fclose(f);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const char* what = argv[1];
  auto arg = [&](int i) { return i < argc ? argv[i] : nullptr; };
  if (!std::strcmp(what, "caps")) return caps();
  if (!std::strcmp(what, "settime-invalid")) {
    // An invalid time: EINVAL when the call is allowed at all, so the clock never changes.
    struct timeval tv {
      0, 2000000
    };
    // The raw call: glibc refuses the invalid time itself, before the kernel sees it.
    return report(::syscall(SYS_settimeofday, &tv, nullptr));
  }
  if (!std::strcmp(what, "keyring")) {
    long id = ::syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
    if (id >= 0) std::printf("session keyring %ld\n", id);
    return report(id);
  }
  if (!std::strcmp(what, "userns")) return report(::unshare(CLONE_NEWUSER));
  if (!std::strcmp(what, "open-by-handle")) {
    // "shocker": a file handle of inode 2 (the root directory of ext4 and most others).
    struct {
      unsigned int handle_bytes;
      int handle_type;
      unsigned char f_handle[8];
    } h{8, 1, {2, 0, 0, 0, 0, 0, 0, 0}};
    int dir = ::open("/", O_RDONLY | O_DIRECTORY);
    return report(::syscall(SYS_open_by_handle_at, dir, &h, O_RDONLY));
  }
  if (!std::strcmp(what, "mount-tmpfs") && arg(2))
    return report(::mount("tmpfs", arg(2), "tmpfs", 0, nullptr));
  if (!std::strcmp(what, "mount-cgroup") && arg(2)) {
    ::mkdir(arg(2), 0755);
    return report(
        ::mount("cgroup", arg(2), "cgroup", 0, arg(3) ? arg(3) : "none,name=ctrd_escape"));
  }
  if (!std::strcmp(what, "mknod") && arg(2)) {
    // A character device: /dev/null's numbers unless MAJOR MINOR are given.
    unsigned maj = arg(4) ? static_cast<unsigned>(std::atoi(arg(3))) : 1;
    unsigned min = arg(4) ? static_cast<unsigned>(std::atoi(arg(4))) : 3;
    return report(::mknod(arg(2), S_IFCHR | 0666, makedev(maj, min)));
  }
  if (!std::strcmp(what, "create") && arg(2)) {
    int fd = ::open(arg(2), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd >= 0) ::close(fd);
    return report(fd);
  }
  if (!std::strcmp(what, "open") && arg(2)) {
    int fd = ::open(arg(2), O_RDONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
    return report(fd);
  }
  if (!std::strcmp(what, "remount-rw") && arg(2))
    return report(::mount(nullptr, arg(2), nullptr, MS_REMOUNT | MS_BIND, nullptr));
  if (!std::strcmp(what, "ptrace") && arg(2)) {
    pid_t pid = std::atoi(arg(2));
    long r = ::ptrace(PTRACE_ATTACH, pid, nullptr, nullptr);
    if (r == 0) {
      // Detach only once it is in its ptrace stop, leaving it running as it was.
      int e = errno;
      ::waitpid(pid, nullptr, __WALL);
      ::ptrace(PTRACE_DETACH, pid, nullptr, nullptr);
      errno = e;
    }
    return report(r);
  }
  if (!std::strcmp(what, "pidfd-getfd") && arg(3)) {
    long pidfd = ::syscall(SYS_pidfd_open, std::atoi(arg(2)), 0);
    if (pidfd < 0) return report(pidfd);
    return report(::syscall(SYS_pidfd_getfd, pidfd, std::atoi(arg(3)), 0));
  }
  if (!std::strcmp(what, "write") && arg(3)) {
    int fd = ::open(arg(2), O_WRONLY);
    if (fd < 0) return report(fd);
    return report(::write(fd, arg(3), std::strlen(arg(3))));
  }
  if (!std::strcmp(what, "read") && arg(2)) {
    int fd = ::open(arg(2), O_RDONLY);
    if (fd < 0) return report(fd);
    char buf[64];
    return report(::read(fd, buf, sizeof buf));
  }
  if (!std::strcmp(what, "move-pages"))  // no pages of its own: harmless, "ok" when allowed
    return report(::syscall(SYS_move_pages, 0, 0, nullptr, nullptr, nullptr, 0));
  if (!std::strcmp(what, "personality") && arg(2))  // sets it: only for this process
    return report(::syscall(SYS_personality, std::strtoul(arg(2), nullptr, 0)));
  if (!std::strcmp(what, "chown") && arg(3))
    return report(::chown(arg(2), static_cast<uid_t>(std::atoi(arg(3))), static_cast<gid_t>(-1)));
  return usage();
}
