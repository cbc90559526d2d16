// Tar streams out of and into a directory tree confined to a root (libarchive,
// uncompressed POSIX pax tar). `ctrctl export` and `cp` from a container use tar_out;
// `cp` into a container uses tar_in. ctrctl uses the same functions on the host side with
// the host's "/" as root. CAF-free and blocking: ctrd calls them from a worker thread.
#pragma once

#include <sys/types.h>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ctrd::fs {

/// The size of the buffers that tar streams are read and written in.
inline constexpr std::size_t tar_chunk_size = 64 * 1024;

/// Receives archive bytes as they are produced. Throwing aborts the archive.
using sink_fn = std::function<void(const char* data, std::size_t size)>;
/// Supplies archive bytes: fills `buf` with up to `cap` bytes and returns how many; 0 means
/// end of the archive. Throwing aborts the extraction.
using source_fn = std::function<std::size_t(char* buf, std::size_t cap)>;

struct tar_out_options {
  /// Name of the top-level entry: "" = the base name of `path`; "." = no top-level entry,
  /// the directory's contents at the top (podman's `SRC/.`, and export of "/"; a final
  /// symlink is then followed inside the root, and a non-directory is ec::invalid_argument).
  /// For `path` "/", "" means ".".
  std::string top_name;
  /// Do not descend into mounted proc, sysfs, cgroup, devpts, mqueue, debugfs, tracefs or
  /// securityfs file systems (their mount points are still archived, empty); podman's
  /// CopyToArchive skips /dev, /proc and /sys contents the same way.
  bool skip_virtual_fs = true;
  /// Rewrite the owner of every entry (podman chowns copies to the container user).
  std::optional<std::pair<uid_t, gid_t>> owner;
};

/// Archives `path` inside `root` (a file, symlink, or directory tree; symlinks are stored
/// as symlinks, never followed; hard links within the archive are kept; devices and fifos
/// are stored as such; sockets, which tar cannot represent, are skipped) and streams it to
/// `sink`. Every directory is opened with open_in_root/openat(O_NOFOLLOW) relative to its
/// parent's descriptor, so a tree changing underneath cannot lead outside the root. Throws
/// ctrd::error (as open_in_root, or ec::internal naming the entry for I/O errors).
void tar_out(int root, const std::string& path, const sink_fn& sink,
             const tar_out_options& opt = {});

struct tar_in_options {
  /// Owner for every extracted entry (podman's default: the container's user); nullopt
  /// keeps the archive's owners (root) or the caller's ids (non-root).
  std::optional<std::pair<uid_t, gid_t>> owner;
  /// Allow replacing a directory with a non-directory or the reverse (podman --overwrite);
  /// otherwise such an entry is refused.
  bool overwrite = false;
  /// Translates an archive's owner (kept when `owner` is unset) into the ids to store, e.g.
  /// through a user namespace's maps; false: outside them (the entry keeps the writer's).
  std::function<bool(uid_t&, gid_t&)> map_ids;
};

/// What an extraction did.
struct tar_in_result {
  std::size_t entries = 0;
  uint64_t bytes = 0;
};

/// Extracts the archive from `source` into the directory `dest_dir` inside `root`.
/// Refused entries (ctrd::error{ec::invalid_argument} naming the entry, extraction stops):
/// absolute names, names with a ".." component, hard links whose target is outside the
/// archive's tree, entries that would be created through a symlink (`dest_dir` is opened
/// with open_in_root; below it every parent is opened one component at a time with
/// O_NOFOLLOW, so a symlinked parent, whether the archive or the container made it, is
/// refused rather than followed; a symlink at the leaf is replaced), a directory replacing
/// a non-directory or the reverse without `overwrite`, device nodes unless running as
/// root, sockets and unknown types. A "." entry (the destination itself) is skipped. Modes
/// (including setuid/setgid and sticky bits), mtimes and symlinks are preserved; owners
/// per `owner`.
tar_in_result tar_in(int root, const std::string& dest_dir, const source_fn& source,
                     const tar_in_options& opt = {});

}  // namespace ctrd::fs
