// Paths inside a container's root, resolved so that they can never reach the host:
// every lookup goes through openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) relative to a
// directory descriptor of the root, so `..`, absolute symlinks and symlinks pointing
// outside are re-rooted by the kernel, with no window for a race (podman's CVE-2019-10152
// class). CAF-free; used by ctrd (stat, cp, export, artifacts) and by ctrctl for the host
// side of cp (with the host's "/" as root).
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <string>

namespace ctrd::fs {

/// An owned file descriptor (closed on destruction, move-only).
class unique_fd {
 public:
  unique_fd() = default;
  explicit unique_fd(int fd) : fd_(fd) {}
  unique_fd(unique_fd&& o) noexcept : fd_(o.release()) {}
  unique_fd& operator=(unique_fd&& o) noexcept;
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd();
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

/// Opens a directory to serve as a root (O_PATH | O_DIRECTORY). Throws ctrd::error:
/// ec::no_such_file when it does not exist, ec::invalid_argument when it is not a
/// directory, ec::internal otherwise.
unique_fd open_root(const std::string& host_path);

/// Opens `path` inside `root` (absolute, or relative to "/"): openat2 with
/// RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, retried on EAGAIN. `flags` as for open(2);
/// add O_NOFOLLOW to open a final symlink itself (with O_PATH). Throws ctrd::error:
/// ec::no_such_file ("<path>: no such file or directory in the container"),
/// ec::invalid_argument for other lookup errors (ELOOP, ENOTDIR, ...) naming the path.
unique_fd open_in_root(int root, const std::string& path, int flags, mode_t mode = 0);

/// What `stat` reports about a path inside a root (podman's define.FileInfo).
struct file_info {
  std::string name;  ///< base name ("/" for the root)
  uint64_t size = 0;
  uint32_t mode = 0;  ///< st_mode (type and permission bits)
  int64_t mtime_ns = 0;
  uint32_t uid = 0, gid = 0;
  std::string link_target;  ///< for a symlink: its target, resolved inside the root and
                            ///< shown as an absolute path in the container ("" otherwise)
};

/// Stats `path` inside `root` without following a final symlink (lstat). Throws as
/// open_in_root.
file_info stat_in_root(int root, const std::string& path);

/// Normalises a container path lexically: joins a relative `path` to `workdir`, removes
/// "." and empty components and resolves ".." without ever going above "/". Pure.
std::string clean_path(const std::string& path, const std::string& workdir = "/");

}  // namespace ctrd::fs
