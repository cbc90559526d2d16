#include "runtime/tar_entry_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <memory>

#include "messages/error.hpp"
#include "runtime/fs_root.hpp"

namespace ctrd::fs {

namespace {

// Throws an internal error naming the path, the operation and errno.
[[noreturn]] void sys_fail(const std::string& what, const char* op) {
  throw error(ec::internal, what + ": " + op + ": " + std::strerror(errno));
}

}  // namespace

// readdir over a duplicate of `dir` (fdopendir takes ownership of the descriptor it gets).
std::vector<std::string> list_dir(int dir, const std::string& what) {
  int dup = ::fcntl(dir, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) sys_fail(what, "dup");
  // A duplicate shares the offset: start from the beginning whatever was read before.
  ::lseek(dup, 0, SEEK_SET);
  DIR* d = ::fdopendir(dup);
  if (!d) {
    ::close(dup);
    sys_fail(what, "opendir");
  }
  std::unique_ptr<DIR, int (*)(DIR*)> guard(d, ::closedir);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* de = ::readdir(d)) {
    if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0)
      names.emplace_back(de->d_name);
    errno = 0;
  }
  if (errno != 0) sys_fail(what, "readdir");
  return names;
}

// Depth-first removal relative to directory descriptors.
void remove_tree(int parent, const std::string& name, const std::string& what) {
  struct stat st;
  if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    sys_fail(what, "stat");
  }
  if (S_ISDIR(st.st_mode)) {
    int fd = ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) sys_fail(what, "open");
    unique_fd dir(fd);
    for (const auto& n : list_dir(dir.get(), what)) remove_tree(dir.get(), n, what + "/" + n);
  }
  if (::unlinkat(parent, name.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0 &&
      errno != ENOENT)
    sys_fail(what, "remove");
}

}  // namespace ctrd::fs
