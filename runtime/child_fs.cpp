#include "runtime/child_fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <cstddef>

#include "runtime/child_side.hpp"

namespace ctrd::child_fs {

CTRD_CHILD_SIDE bool make_dirs(const char* path, mode_t mode) {
  char buf[4096];
  std::size_t n = 0;
  while (path[n]) ++n;
  if (n == 0 || n >= sizeof buf) return false;
  __builtin_memcpy(buf, path, n + 1);
  for (std::size_t i = 1; i <= n; ++i) {
    if (buf[i] != '/' && buf[i] != '\0') continue;
    char saved = buf[i];
    buf[i] = '\0';
    if (::mkdir(buf, mode) != 0 && errno != EEXIST) return false;
    buf[i] = saved;
  }
  return true;
}

CTRD_CHILD_SIDE bool make_file(const char* path) {
  int fd = static_cast<int>(
      ::syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (fd < 0) return errno == EEXIST || errno == EISDIR;
  ::syscall(SYS_close, fd);
  return true;
}

}  // namespace ctrd::child_fs
