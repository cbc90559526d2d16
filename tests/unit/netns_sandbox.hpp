// A sandbox for tests that create network namespaces or run netavark: the body runs in a
// forked child that first unshares its mount and network namespaces and mounts a tmpfs on a
// scratch directory (and on /run), so every namespace file, bind mount, interface and
// firewall rule it makes exists only there and vanishes with the child. Never touches the
// host's network. Needs root; the caller skips with the printed reason otherwise.
#pragma once

#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>

namespace ctrd::test {

/// The outcome of a sandboxed body: `skipped` with the reason in `text`, else `text` is ""
/// on success or the failures the body reported (or how the child died).
struct sandbox_result {
  bool skipped = false;
  std::string text;
};

/// Appends "file:line: condition" to `fails` when `cond` is false (inside a sandbox body,
/// where Catch's assertions cannot be used).
#define SANDBOX_EXPECT(fails, cond)                                                      \
  do {                                                                                   \
    if (!(cond))                                                                         \
      (fails) += std::string(__FILE__ ":") + std::to_string(__LINE__) + ": " #cond "\n"; \
  } while (0)

/// The inode of the network namespace at `path` (0 if it cannot be stat'ed).
inline ino_t ns_inode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

/// The calling thread's network namespace inode.
inline ino_t own_ns_inode() {
  return ns_inode("/proc/thread-self/ns/net");
}

/// Runs `body(scratch)` in the sandbox, the child killed after `timeout_s` seconds.
inline sandbox_result run_sandboxed(const std::function<std::string(const std::string&)>& body,
                                    unsigned timeout_s = 60) {
  if (::geteuid() != 0) return {true, "needs root (unshare of the network namespace)"};
  char tmpl[] = "/tmp/ctrd-netns-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return {false, std::string("mkdtemp: ") + std::strerror(errno)};
  std::string scratch = tmpl;
  int fds[2];
  if (::pipe(fds) != 0) {
    ::rmdir(scratch.c_str());
    return {false, std::string("pipe: ") + std::strerror(errno)};
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::alarm(timeout_s);
    std::string out;
    if (::unshare(CLONE_NEWNS | CLONE_NEWNET) != 0) {
      out = std::string("SKIP unshare(CLONE_NEWNS|CLONE_NEWNET): ") + std::strerror(errno);
    } else if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
               ::mount("tmpfs", scratch.c_str(), "tmpfs", 0, "mode=0700") != 0 ||
               ::mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") != 0) {
      out = std::string("sandbox mounts: ") + std::strerror(errno);
    } else {
      try {
        out = body(scratch);
      } catch (const std::exception& e) {
        out = std::string("exception: ") + e.what();
      }
    }
    std::size_t off = 0;
    while (off < out.size()) {
      ssize_t n = ::write(fds[1], out.data() + off, out.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  sandbox_result r;
  if (pid < 0) {
    r.text = std::string("fork: ") + std::strerror(errno);
  } else {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
      if (n > 0) r.text.append(buf, static_cast<std::size_t>(n));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      r.text += "sandbox child ended with status " + std::to_string(status) +
                (WIFSIGNALED(status) ? " (signal " + std::to_string(WTERMSIG(status)) + ")" : "");
    if (r.text.rfind("SKIP ", 0) == 0) {
      r.skipped = true;
      r.text = r.text.substr(5);
    }
  }
  ::close(fds[0]);
  ::rmdir(scratch.c_str());
  return r;
}

}  // namespace ctrd::test
