#include "runtime/fs_root.hpp"

#include "runtime/resource_error.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <vector>

#include "messages/error.hpp"
#include "runtime/resource_error.hpp"

namespace ctrd::fs {

namespace {

/// How often open_in_root retries a lookup the kernel aborted because of a concurrent
/// rename or mount (EAGAIN) before giving up.
constexpr int open_retries = 16;

/// The parent of a clean absolute container path ("/" for "/" and for "/x").
std::string parent_of(const std::string& clean) {
  auto slash = clean.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : clean.substr(0, slash);
}

/// The base name of a clean absolute container path ("/" for the root).
std::string base_of(const std::string& clean) {
  if (clean == "/") return "/";
  return clean.substr(clean.rfind('/') + 1);
}

/// Reads the target of the symlink opened as `fd` (O_PATH | O_NOFOLLOW).
std::string read_link_fd(int fd, const std::string& path) {
  std::vector<char> buf(256);
  for (;;) {
    ssize_t n = ::readlinkat(fd, "", buf.data(), buf.size());
    if (n < 0) throw error(ec::internal, path + ": readlink: " + std::strerror(errno));
    if (static_cast<std::size_t>(n) < buf.size()) return std::string(buf.data(), n);
    buf.resize(buf.size() * 2);
  }
}

}  // namespace

// Closes the current descriptor and takes over `o`'s.
unique_fd& unique_fd::operator=(unique_fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

// Closes the descriptor, if any.
unique_fd::~unique_fd() {
  if (fd_ >= 0) ::close(fd_);
}

// Opens a host directory as an O_PATH root descriptor.
unique_fd open_root(const std::string& host_path) {
  int fd = ::open(host_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) return unique_fd(fd);
  int err = errno;
  std::string msg = host_path + ": " + std::strerror(err);
  if (err == ENOENT) throw error(ec::no_such_file, msg);
  if (err == ENOTDIR) throw error(ec::invalid_argument, msg);
  if (err == EMFILE || err == ENFILE || err == ENOMEM)
    throw resource_error("open root " + msg, err);
  throw error(ec::internal, "open root " + msg);
}

// openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, retried while the kernel reports a
// concurrent rename (EAGAIN); errors mapped to ctrd::error naming the container path.
unique_fd open_in_root(int root, const std::string& path, int flags, mode_t mode) {
  struct open_how how;
  std::memset(&how, 0, sizeof how);
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  // openat2 refuses a mode without O_CREAT / O_TMPFILE.
  if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) how.mode = mode;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char* p = path.empty() ? "/" : path.c_str();
  int err = EAGAIN;
  for (int i = 0; i < open_retries && err == EAGAIN; ++i) {
    long fd = ::syscall(SYS_openat2, root, p, &how, sizeof how);
    if (fd >= 0) return unique_fd(static_cast<int>(fd));
    err = errno;
  }
  if (err == ENOENT)
    throw error(ec::no_such_file, path + ": no such file or directory in the container");
  std::string msg = path + ": " + std::strerror(err);
  if (err == ENOMEM || err == EMFILE || err == ENFILE) throw resource_error(msg, err);
  if (err == EIO || err == EAGAIN || err == ENOSYS) throw error(ec::internal, msg);
  throw error(ec::invalid_argument, msg);
}

// lstat of a container path: the final component is opened itself (O_PATH | O_NOFOLLOW).
file_info stat_in_root(int root, const std::string& path) {
  unique_fd fd = open_in_root(root, path, O_PATH | O_NOFOLLOW);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0)
    throw error(ec::internal, path + ": stat: " + std::strerror(errno));
  std::string clean = clean_path(path);
  file_info info;
  info.name = base_of(clean);
  info.size = static_cast<uint64_t>(st.st_size);
  info.mode = st.st_mode;
  info.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  if (S_ISLNK(st.st_mode)) {
    // Shown as the container sees it: relative targets are joined to the link's directory;
    // purely lexical, nothing is resolved on the host.
    info.link_target = clean_path(read_link_fd(fd.get(), path), parent_of(clean));
  }
  return info;
}

// Lexical normalisation: split on '/', drop "." and empty parts, pop on ".." (never above "/").
std::string clean_path(const std::string& path, const std::string& workdir) {
  std::vector<std::string> parts;
  auto add = [&parts](const std::string& s) {
    std::size_t i = 0;
    while (i <= s.size()) {
      std::size_t j = s.find('/', i);
      if (j == std::string::npos) j = s.size();
      std::string c = s.substr(i, j - i);
      if (c == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!c.empty() && c != ".") {
        parts.push_back(std::move(c));
      }
      i = j + 1;
    }
  };
  if (path.empty() || path[0] != '/') add(workdir);
  add(path);
  std::string out;
  for (const auto& c : parts) out += "/" + c;
  return out.empty() ? "/" : out;
}

}  // namespace ctrd::fs
