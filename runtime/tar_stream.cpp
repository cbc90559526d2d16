// tar_out: archives a tree inside a root as a POSIX pax stream. The walk holds a directory
// descriptor per level and opens every child relative to it with O_NOFOLLOW, so no host
// path string is ever resolved and a changing tree cannot lead outside the root.
#include "runtime/tar_stream.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>

#include "messages/error.hpp"
#include "runtime/fs_root.hpp"
#include "runtime/tar_entry_fs.hpp"

namespace ctrd::fs {

namespace {

/// Read buffer size for file data: files are streamed, never held in memory whole.

/// mqueue's f_type (linux/magic.h has no name for it).
constexpr long mqueue_magic = 0x19800202;

struct write_deleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct entry_deleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
struct resolver_deleter {
  void operator()(archive_entry_linkresolver* r) const { archive_entry_linkresolver_free(r); }
};
using entry_ptr = std::unique_ptr<archive_entry, entry_deleter>;

/// libarchive's output side: the caller's sink plus what it threw (rethrown by the writer).
struct sink_ctx {
  const sink_fn* sink = nullptr;
  std::exception_ptr failure;
  bool aborted = false;  ///< set while unwinding: the partial archive gets no trailer
};

// Write callback: forwards a block to the sink; an exception is kept, never thrown into C.
la_ssize_t write_cb(archive*, void* p, const void* buf, size_t n) {
  auto* c = static_cast<sink_ctx*>(p);
  if (c->aborted || c->failure) return -1;
  try {
    (*c->sink)(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  } catch (...) {
    c->failure = std::current_exception();
    return -1;
  }
}

// True for the pseudo file systems whose contents are never archived (podman skips them).
bool is_virtual_fs(int fd) {
  struct statfs s;
  if (::fstatfs(fd, &s) != 0) return false;
  switch (static_cast<long>(s.f_type)) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case mqueue_magic:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case SECURITYFS_MAGIC:
      return true;
    default:
      return false;
  }
}

// Joins an archive name prefix ("" at the top of a "." archive) and a child name.
std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "/" + name;
}

/// One tar_out run: the libarchive writer, the hard link cache and the data buffer.
class tar_writer {
 public:
  // Opens a pax writer that streams to `sink`.
  tar_writer(const sink_fn& sink, const tar_out_options& opt) : opt_(opt), buf_(tar_chunk_size) {
    ctx_.sink = &sink;
    a_.reset(archive_write_new());
    links_.reset(archive_entry_linkresolver_new());
    if (!a_ || !links_) throw error(ec::internal, "tar: out of memory");
    archive_entry_linkresolver_set_strategy(links_.get(), ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
    if (archive_write_set_format_pax_restricted(a_.get()) != ARCHIVE_OK ||
        archive_write_open(a_.get(), &ctx_, nullptr, write_cb, nullptr) != ARCHIVE_OK)
      fail("tar: open");
  }

  // An archive abandoned by an exception gets no trailer: freeing the writer must not
  // flush anything more to the sink.
  ~tar_writer() {
    if (!closed_) ctx_.aborted = true;
  }

  // Archives `path` inside `root` according to the options.
  void add_top(int root, const std::string& path) {
    std::string clean = clean_path(path);
    const std::string& top = opt_.top_name;
    if (top == "." || (clean == "/" && top.empty())) {
      // Contents only; a final symlink is followed (inside the root) like `SRC/.`.
      unique_fd dir = open_in_root(root, clean, O_RDONLY | O_DIRECTORY);
      add_contents(dir.get(), "", clean);
      return;
    }
    if (clean == "/") {
      unique_fd dir = open_in_root(root, clean, O_RDONLY | O_DIRECTORY);
      struct stat st;
      if (::fstat(dir.get(), &st) != 0) sys_fail(clean, "stat");
      add_dir(std::move(dir), st, top, clean);
      return;
    }
    auto slash = clean.rfind('/');
    std::string base = clean.substr(slash + 1);
    unique_fd parent =
        open_in_root(root, slash == 0 ? "/" : clean.substr(0, slash), O_PATH | O_DIRECTORY);
    struct stat st;
    if (::fstatat(parent.get(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT)
        throw error(ec::no_such_file, path + ": no such file or directory in the container");
      sys_fail(clean, "stat");
    }
    add(parent.get(), base, st, top.empty() ? base : top, clean);
  }

  // Writes the end of the archive and flushes everything to the sink.
  void finish() {
    if (archive_write_close(a_.get()) != ARCHIVE_OK) fail("tar: close");
    closed_ = true;
  }

 private:
  // Archives the child `name` of `dirfd` (lstat'ed as `st`) under the archive name `arc`.
  void add(int dirfd, const std::string& name, struct stat st, const std::string& arc,
           const std::string& cpath) {
    if (S_ISSOCK(st.st_mode)) return;  // tar has no representation for sockets
    if (S_ISDIR(st.st_mode)) {
      int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT) return;  // removed meanwhile
      if (fd < 0) sys_fail(cpath, "open");
      unique_fd dir(fd);
      if (::fstat(dir.get(), &st) != 0) sys_fail(cpath, "stat");
      add_dir(std::move(dir), st, arc, cpath);
      return;
    }
    unique_fd file;
    std::string target;
    if (S_ISREG(st.st_mode)) {
      // O_NONBLOCK: should the file be swapped for a fifo meanwhile, open must not hang.
      int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT) return;
      if (fd < 0) sys_fail(cpath, "open");
      file = unique_fd(fd);
      if (::fstat(file.get(), &st) != 0) sys_fail(cpath, "stat");
      if (!S_ISREG(st.st_mode)) throw error(ec::internal, cpath + ": changed while archiving");
    } else if (S_ISLNK(st.st_mode)) {
      target = read_link(dirfd, name, cpath);
    }
    entry_ptr e = make_entry(st, arc);
    if (S_ISLNK(st.st_mode)) archive_entry_copy_symlink(e.get(), target.c_str());
    archive_entry* raw = e.get();
    archive_entry* spare = nullptr;
    archive_entry_linkify(links_.get(), &raw, &spare);  // a later link becomes a hard link
    if (spare) archive_entry_free(spare);               // (only for cpio-style strategies)
    if (!raw) return;
    bool linked = archive_entry_hardlink(raw) != nullptr;
    if (linked) archive_entry_set_size(raw, 0);
    write_header(raw, cpath);
    if (file && !linked) copy_data(file.get(), st.st_size, cpath);
  }

  // Archives the directory `dir` itself (unless `arc` is empty) and then its contents.
  void add_dir(unique_fd dir, const struct stat& st, const std::string& arc,
               const std::string& cpath) {
    entry_ptr e = make_entry(st, arc);
    write_header(e.get(), cpath);
    add_contents(dir.get(), arc, cpath);
  }

  // Archives the entries of the directory `dir` in name order, under the prefix `arc`;
  // the contents of mounted pseudo file systems are skipped when so configured.
  void add_contents(int dir, const std::string& arc, const std::string& cpath) {
    if (opt_.skip_virtual_fs && is_virtual_fs(dir)) return;
    std::vector<std::string> names = list_dir(dir, cpath);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      std::string child = cpath == "/" ? "/" + n : cpath + "/" + n;
      struct stat st;
      if (::fstatat(dir, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // removed meanwhile
        sys_fail(child, "stat");
      }
      add(dir, n, st, join(arc, n), child);
    }
  }

  // The target of the symlink `name` in `dirfd`.
  static std::string read_link(int dirfd, const std::string& name, const std::string& cpath) {
    std::vector<char> buf(256);
    for (;;) {
      ssize_t n = ::readlinkat(dirfd, name.c_str(), buf.data(), buf.size());
      if (n < 0) sys_fail(cpath, "readlink");
      if (static_cast<std::size_t>(n) < buf.size()) return std::string(buf.data(), n);
      buf.resize(buf.size() * 2);
    }
  }

  // A header for `st` named `arc`, with the owner override applied; no user/group names
  // (the host's passwd says nothing about a container's users).
  entry_ptr make_entry(const struct stat& st, const std::string& arc) {
    entry_ptr e(archive_entry_new());
    if (!e) throw error(ec::internal, "tar: out of memory");
    archive_entry_copy_stat(e.get(), &st);
    archive_entry_copy_pathname(e.get(), arc.c_str());
    if (!S_ISREG(st.st_mode)) archive_entry_set_size(e.get(), 0);
    if (opt_.owner) {
      archive_entry_set_uid(e.get(), opt_.owner->first);
      archive_entry_set_gid(e.get(), opt_.owner->second);
    }
    return e;
  }

  // Writes a header; warnings (e.g. a name not convertible to UTF-8) are not errors.
  void write_header(archive_entry* e, const std::string& cpath) {
    if (archive_write_header(a_.get(), e) < ARCHIVE_WARN) fail(cpath);
  }

  // Streams `size` bytes of `fd` in chunks; a file that shrank meanwhile is padded with
  // zeros by libarchive, one that grew is cut at the size in the header.
  void copy_data(int fd, off_t size, const std::string& cpath) {
    off_t left = size;
    while (left > 0) {
      std::size_t want = std::min<off_t>(left, static_cast<off_t>(buf_.size()));
      ssize_t n = ::read(fd, buf_.data(), want);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) sys_fail(cpath, "read");
      if (n == 0) break;
      if (archive_write_data(a_.get(), buf_.data(), static_cast<std::size_t>(n)) < 0) fail(cpath);
      left -= n;
    }
    if (archive_write_finish_entry(a_.get()) < ARCHIVE_WARN) fail(cpath);
  }

  // Throws what the sink threw, or an internal error with libarchive's message.
  [[noreturn]] void fail(const std::string& what) {
    if (ctx_.failure) std::rethrow_exception(ctx_.failure);
    const char* msg = archive_error_string(a_.get());
    throw error(ec::internal, what + ": " + (msg ? msg : "archive error"));
  }

  // Throws an internal error naming the container path, the operation and errno.
  [[noreturn]] static void sys_fail(const std::string& cpath, const char* op) {
    throw error(ec::internal, cpath + ": " + op + ": " + std::strerror(errno));
  }

  const tar_out_options& opt_;
  std::vector<char> buf_;
  sink_ctx ctx_;
  bool closed_ = false;
  std::unique_ptr<archive_entry_linkresolver, resolver_deleter> links_;
  std::unique_ptr<archive, write_deleter> a_;  // last: freed first, while ctx_ is alive
};

}  // namespace

// Archives `path` inside `root` into `sink` (see the header for the rules).
void tar_out(int root, const std::string& path, const sink_fn& sink, const tar_out_options& opt) {
  tar_writer w(sink, opt);
  w.add_top(root, path);
  w.finish();
}

}  // namespace ctrd::fs
