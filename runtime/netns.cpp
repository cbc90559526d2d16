#include "runtime/netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "messages/error.hpp"
#include "runtime/resource_error.hpp"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

namespace ctrd::netns {

namespace {

// The calling thread's own namespace (not the process's: other threads may be elsewhere).
constexpr const char* self_ns = "/proc/thread-self/ns/net";

int open_home() {
  int fd = ::open(self_ns, O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno(ec::internal, std::string("open ") + self_ns, errno);
  return fd;
}

// Back to `home`; a thread left in another namespace would put ctrd's later sockets and
// children there, so this cannot be allowed to fail quietly.
void return_home(int home) {
  if (::setns(home, CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "ctrd: cannot return to its network namespace: %s\n",
                 std::strerror(errno));
    std::abort();
  }
}

}  // namespace

bool exists(const std::string& path) {
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) return false;
  return static_cast<unsigned long>(fs.f_type) == static_cast<unsigned long>(NSFS_MAGIC);
}

bool create(const std::string& path) {
  if (exists(path)) return true;
  // The mount point: a plain file (one left by an interrupted create is reused).
  bool made = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (fd >= 0) {
    made = true;
  } else if (errno == EEXIST) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) throw_errno(ec::internal, "create network namespace file " + path, errno);
  ::close(fd);
  auto discard = [&] {
    if (made) ::unlink(path.c_str());
  };

  int home = -1;
  try {
    home = open_home();
  } catch (...) {
    discard();
    throw;
  }
  int err = 0;
  std::string step;
  if (::unshare(CLONE_NEWNET) != 0) {
    err = errno;
    step = "unshare(CLONE_NEWNET)";
  } else {
    if (::mount(self_ns, path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      err = errno;
      step = "bind-mount the new network namespace on " + path;
    }
    return_home(home);
  }
  ::close(home);
  if (err != 0) {
    discard();
    throw_errno(ec::internal, "create network namespace " + path + ": " + step, err);
  }
  return false;
}

void remove(const std::string& path) {
  // Every bind mount stacked on the file (normally one), then the file.
  for (int i = 0; i < 16; ++i) {
    if (::umount2(path.c_str(), MNT_DETACH) == 0) continue;
    int e = errno;
    if (e == EINVAL || e == ENOENT) break;
    throw_errno(ec::internal, "unmount network namespace " + path, e);
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    throw_errno(ec::internal, "remove network namespace file " + path, errno);
}

scoped_enter::scoped_enter(const std::string& path) {
  home_ = open_home();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    ::close(home_);
    throw_errno(ec::internal, "open network namespace " + path, e);
  }
  int rc = ::setns(fd, CLONE_NEWNET);
  int e = errno;
  ::close(fd);
  if (rc != 0) {
    ::close(home_);
    throw_errno(ec::internal, "enter network namespace " + path, e);
  }
}

scoped_enter::~scoped_enter() {
  return_home(home_);
  ::close(home_);
}

}  // namespace ctrd::netns
