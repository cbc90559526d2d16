// tar_in: extracts a tar stream into a directory inside a root. Entry names are checked
// lexically (no absolute names, no ".."), and every parent directory is walked one
// component at a time from the destination's descriptor with O_NOFOLLOW, so an entry can
// never be created through a symlink, whoever made it (the archive or the container).
#include "runtime/tar_stream.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

/// Read buffer size: the archive is pulled from the source in chunks of this size.

using name_parts = std::vector<std::string>;

struct read_deleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

/// libarchive's input side: the caller's source plus what it threw (rethrown later).
struct source_ctx {
  const source_fn* source = nullptr;
  std::exception_ptr failure;
  std::vector<char> buf = std::vector<char>(tar_chunk_size);
};

// Read callback: pulls the next chunk from the source; an exception is kept, never thrown
// into C code.
la_ssize_t read_cb(archive*, void* p, const void** out) {
  auto* c = static_cast<source_ctx*>(p);
  if (c->failure) return -1;
  try {
    std::size_t n = (*c->source)(c->buf.data(), c->buf.size());
    *out = c->buf.data();
    return static_cast<la_ssize_t>(std::min(n, c->buf.size()));
  } catch (...) {
    c->failure = std::current_exception();
    return -1;
  }
}

// Throws invalid_argument for a refused entry.
[[noreturn]] void refuse(const std::string& entry, const std::string& why) {
  throw error(ec::invalid_argument, "archive entry " + entry + ": " + why);
}

// Throws internal for a failed system call while extracting `entry`.
[[noreturn]] void entry_fail(const std::string& entry, const char* op) {
  throw error(ec::internal, "archive entry " + entry + ": " + op + ": " + std::strerror(errno));
}

// Splits an entry (or hard link target) name into components, dropping "." and empty
// ones (so a leading "./" goes); refuses absolute names and ".." components.
name_parts split_name(const std::string& name, const std::string& entry, const char* what) {
  if (!name.empty() && name[0] == '/') refuse(entry, std::string(what) + " is an absolute path");
  name_parts out;
  std::size_t i = 0;
  while (i <= name.size()) {
    std::size_t j = name.find('/', i);
    if (j == std::string::npos) j = name.size();
    std::string c = name.substr(i, j - i);
    if (c == "..") refuse(entry, std::string(what) + " has a \"..\" component");
    if (!c.empty() && c != ".") out.push_back(std::move(c));
    i = j + 1;
  }
  return out;
}

// The relative path of the first `n` components, for messages.
std::string joined(const name_parts& comps, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += (i ? "/" : "") + comps[i];
  return s;
}

/// A directory whose mode, owner and mtime are applied once its contents are in place.
struct pending_dir {
  name_parts comps;
  mode_t mode;
  std::optional<std::pair<uid_t, gid_t>> owner;
  struct timespec times[2];
};

/// One extraction: the destination's descriptor, the options and the deferred directories.
class extractor {
 public:
  // Opens the destination directory inside the root.
  extractor(int root, const std::string& dest_dir, const tar_in_options& opt)
      : opt_(opt), dest_(open_in_root(root, dest_dir, O_PATH | O_DIRECTORY)) {}

  // Extracts the current entry of `a`.
  void extract(archive* a, archive_entry* e, tar_in_result& r) {
    const char* raw = archive_entry_pathname(e);
    if (!raw) throw error(ec::invalid_argument, "archive entry without a name");
    std::string name = raw;
    name_parts comps = split_name(name, name, "name");
    if (comps.empty()) return;  // "." or "./": the destination itself, left as it is
    unique_fd parent = walk(comps, comps.size() - 1, name, true);
    const std::string& base = comps.back();
    if (const char* hl = archive_entry_hardlink(e)) {
      link(parent.get(), base, comps, hl, name);
    } else {
      switch (archive_entry_filetype(e)) {
        case AE_IFDIR:
          dir(parent.get(), comps, e, name);
          break;
        case AE_IFREG:
          r.bytes += file(a, parent.get(), base, e, name);
          break;
        case AE_IFLNK:
          symlink(parent.get(), base, e, name);
          break;
        case AE_IFIFO:
        case AE_IFCHR:
        case AE_IFBLK:
          node(parent.get(), base, e, name);
          break;
        default:
          refuse(name, "unsupported entry type");
      }
    }
    ++r.entries;
  }

  // Applies the deferred directory metadata, deepest (latest) first; a directory the
  // archive replaced or removed meanwhile is skipped.
  void finish() {
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
      std::string name = joined(it->comps, it->comps.size());
      unique_fd parent;
      try {
        parent = walk(it->comps, it->comps.size() - 1, name, false);
      } catch (const error&) {
        continue;
      }
      int fd = ::openat(parent.get(), it->comps.back().c_str(),
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) continue;
      unique_fd d(fd);
      if (it->owner && ::fchown(d.get(), it->owner->first, it->owner->second) != 0)
        entry_fail(name, "chown");
      if (::fchmod(d.get(), it->mode) != 0) entry_fail(name, "chmod");
      if (::futimens(d.get(), it->times) != 0) entry_fail(name, "utimes");
    }
  }

 private:
  // Opens (O_PATH) the directory made of the first `n` components below the destination,
  // one component at a time with O_NOFOLLOW; missing ones are created when `create`.
  unique_fd walk(const name_parts& comps, std::size_t n, const std::string& entry, bool create) {
    unique_fd cur(::fcntl(dest_.get(), F_DUPFD_CLOEXEC, 0));
    if (!cur) entry_fail(entry, "dup");
    for (std::size_t i = 0; i < n; ++i) {
      const char* c = comps[i].c_str();
      int fd = ::openat(cur.get(), c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT && create) {
        if (::mkdirat(cur.get(), c, 0755) == 0) {
          if (opt_.owner && ::fchownat(cur.get(), c, opt_.owner->first, opt_.owner->second,
                                       AT_SYMLINK_NOFOLLOW) != 0)
            entry_fail(entry, "chown");
        } else if (errno != EEXIST) {
          entry_fail(entry, "mkdir");
        }
        fd = ::openat(cur.get(), c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      }
      if (fd < 0) {
        int err = errno;
        std::string p = joined(comps, i + 1);
        struct stat st;
        bool is_link =
            ::fstatat(cur.get(), c, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
        if (is_link) refuse(entry, "parent " + p + " is a symlink");
        if (err == ENOENT) refuse(entry, p + " does not exist");
        if (err == ENOTDIR) refuse(entry, "parent " + p + " is not a directory");
        errno = err;
        entry_fail(entry, "open parent");
      }
      cur = unique_fd(fd);
    }
    return cur;
  }

  // Makes room for a new `base` in `parent`: an existing directory is kept for a directory
  // entry (returns true); otherwise the old entry is removed, except that replacing a
  // directory with a non-directory or the reverse needs `overwrite`.
  bool clear(int parent, const std::string& base, bool is_dir, const std::string& entry) {
    struct stat st;
    if (::fstatat(parent, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return false;
      entry_fail(entry, "stat");
    }
    bool was_dir = S_ISDIR(st.st_mode);
    if (was_dir && is_dir) return true;
    if (was_dir != is_dir && !opt_.overwrite)
      refuse(entry, was_dir ? "would replace a directory with a non-directory"
                            : "would replace a non-directory with a directory");
    remove_tree(parent, base, entry);
    return false;
  }

  // Whose the entry becomes: the override, the archive's owner when running as root, or
  // nobody's in particular (left as created) otherwise.
  std::optional<std::pair<uid_t, gid_t>> owner_of(archive_entry* e) const {
    if (opt_.owner) return opt_.owner;
    if (::geteuid() != 0) return std::nullopt;
    auto uid = static_cast<uid_t>(archive_entry_uid(e));
    auto gid = static_cast<gid_t>(archive_entry_gid(e));
    if (opt_.map_ids && !opt_.map_ids(uid, gid)) return std::nullopt;
    return std::make_pair(uid, gid);
  }

  // The entry's access and modification times (UTIME_OMIT where the archive has none).
  static void times_of(archive_entry* e, struct timespec ts[2]) {
    ts[0] = {0, UTIME_OMIT};
    ts[1] = {0, UTIME_OMIT};
    if (archive_entry_atime_is_set(e))
      ts[0] = {archive_entry_atime(e), archive_entry_atime_nsec(e)};
    if (archive_entry_mtime_is_set(e))
      ts[1] = {archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
  }

  // A directory: created (or kept); its metadata is deferred until the end.
  void dir(int parent, const name_parts& comps, archive_entry* e, const std::string& entry) {
    const std::string& base = comps.back();
    mode_t mode = archive_entry_perm(e) & 07777;
    if (!clear(parent, base, true, entry) &&
        ::mkdirat(parent, base.c_str(), (mode & 0777) | 0700) != 0)
      entry_fail(entry, "mkdir");
    pending_dir p{comps, mode, owner_of(e), {}};
    times_of(e, p.times);
    dirs_.push_back(std::move(p));
  }

  // A regular file: a new inode (O_EXCL, so never an existing file or symlink written
  // through), data written chunk by chunk (sparse holes kept), then owner, mode and times.
  uint64_t file(archive* a, int parent, const std::string& base, archive_entry* e,
                const std::string& entry) {
    clear(parent, base, false, entry);
    int fd =
        ::openat(parent, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) entry_fail(entry, "create");
    unique_fd f(fd);
    uint64_t bytes = 0;
    for (;;) {
      const void* buf;
      size_t size;
      la_int64_t off;
      int rc = archive_read_data_block(a, &buf, &size, &off);
      if (rc == ARCHIVE_EOF) break;
      if (rc < ARCHIVE_WARN) throw_archive(a, entry);
      for (size_t done = 0; done < size;) {
        ssize_t n =
            ::pwrite(f.get(), static_cast<const char*>(buf) + done, size - done, off + done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) entry_fail(entry, "write");
        done += static_cast<size_t>(n);
      }
      bytes += size;
    }
    if (archive_entry_size_is_set(e) && ::ftruncate(f.get(), archive_entry_size(e)) != 0)
      entry_fail(entry, "truncate");
    auto owner = owner_of(e);
    // chown first: it clears setuid/setgid, which the chmod then sets.
    if (owner && ::fchown(f.get(), owner->first, owner->second) != 0) entry_fail(entry, "chown");
    if (::fchmod(f.get(), archive_entry_perm(e) & 07777) != 0) entry_fail(entry, "chmod");
    struct timespec ts[2];
    times_of(e, ts);
    if (::futimens(f.get(), ts) != 0) entry_fail(entry, "utimes");
    return bytes;
  }

  // A symlink, its target stored verbatim (it is resolved inside the container later).
  void symlink(int parent, const std::string& base, archive_entry* e, const std::string& entry) {
    const char* target = archive_entry_symlink(e);
    if (!target) refuse(entry, "symlink without a target");
    clear(parent, base, false, entry);
    if (::symlinkat(target, parent, base.c_str()) != 0) entry_fail(entry, "symlink");
    set_meta_at(parent, base, e, entry, false);
  }

  // A fifo or (as root only) a device node.
  void node(int parent, const std::string& base, archive_entry* e, const std::string& entry) {
    mode_t type = archive_entry_filetype(e);
    if (type != AE_IFIFO && ::geteuid() != 0)
      refuse(entry, "device nodes can only be created by root");
    clear(parent, base, false, entry);
    dev_t dev =
        type == AE_IFIFO ? 0 : makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
    if (::mknodat(parent, base.c_str(), type | 0600, dev) != 0) entry_fail(entry, "mknod");
    set_meta_at(parent, base, e, entry, true);
  }

  // Owner, mode (unless a symlink) and times of `base` in `parent`, never following it.
  void set_meta_at(int parent, const std::string& base, archive_entry* e, const std::string& entry,
                   bool with_mode) {
    auto owner = owner_of(e);
    if (owner &&
        ::fchownat(parent, base.c_str(), owner->first, owner->second, AT_SYMLINK_NOFOLLOW) != 0)
      entry_fail(entry, "chown");
    if (with_mode &&
        ::fchmodat(parent, base.c_str(), archive_entry_perm(e) & 07777, AT_SYMLINK_NOFOLLOW) != 0)
      entry_fail(entry, "chmod");
    struct timespec ts[2];
    times_of(e, ts);
    if (::utimensat(parent, base.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0)
      entry_fail(entry, "utimes");
  }

  // A hard link to an earlier entry: the target must name a path below the destination
  // (no absolute path, no "..", no symlinked parent); a final symlink is linked itself.
  void link(int parent, const std::string& base, const name_parts& comps, const std::string& target,
            const std::string& entry) {
    name_parts t = split_name(target, entry, "hard link target");
    if (t.empty()) refuse(entry, "hard link to the destination directory");
    if (t == comps) return;  // a link to itself: already there
    unique_fd tparent = walk(t, t.size() - 1, entry, false);
    struct stat st;
    if (::fstatat(tparent.get(), t.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      refuse(entry, "hard link target " + target + " does not exist");
    if (S_ISDIR(st.st_mode)) refuse(entry, "hard link target " + target + " is a directory");
    clear(parent, base, false, entry);
    if (::linkat(tparent.get(), t.back().c_str(), parent, base.c_str(), 0) != 0)
      entry_fail(entry, "link");
  }

  // Throws the error libarchive reports for `entry`.
  [[noreturn]] static void throw_archive(archive* a, const std::string& entry) {
    const char* msg = archive_error_string(a);
    throw error(ec::invalid_argument, "archive entry " + entry + ": " + (msg ? msg : "read error"));
  }

  const tar_in_options& opt_;
  unique_fd dest_;
  std::vector<pending_dir> dirs_;
};

}  // namespace

// Extracts tar data from `source` below `dest_dir` inside `root` (see the header).
tar_in_result tar_in(int root, const std::string& dest_dir, const source_fn& source,
                     const tar_in_options& opt) {
  extractor x(root, dest_dir, opt);
  source_ctx ctx;
  ctx.source = &source;
  std::unique_ptr<archive, read_deleter> a(archive_read_new());
  if (!a) throw error(ec::internal, "tar: out of memory");
  archive_read_support_format_tar(a.get());
  archive_read_support_format_empty(a.get());
  auto fail = [&](const char* what) {
    if (ctx.failure) std::rethrow_exception(ctx.failure);
    const char* msg = archive_error_string(a.get());
    throw error(ec::invalid_argument, std::string(what) + ": " + (msg ? msg : "malformed archive"));
  };
  if (archive_read_open(a.get(), &ctx, nullptr, read_cb, nullptr) != ARCHIVE_OK) fail("tar");
  tar_in_result r;
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) fail("tar");
    try {
      x.extract(a.get(), e, r);
    } catch (const error&) {
      if (ctx.failure) std::rethrow_exception(ctx.failure);
      throw;
    }
  }
  x.finish();
  return r;
}

}  // namespace ctrd::fs
