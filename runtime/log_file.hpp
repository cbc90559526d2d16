// A container's log file with size-based rotation, and readers over a consistent snapshot.
//
// Files: `<path>` is the live file, `<path>.1` the newest rotated one, ..., `<path>.N` the
// oldest. Writers (rotating_file, log_writer) are used by one thread (the owning actor) and
// never throw; readers (read_log, for_each_line) block on file I/O and belong on a reader
// thread. A log_snapshot taken on the writer's thread fixes what a reader will see, so
// later appends and rotations neither add to nor remove from it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/log_format.hpp"

namespace ctrd {

/// Rotation limits. max_size 0 = never rotate; max_files = rotated files kept besides the
/// live one (0 = the live file is simply discarded when full).
struct log_limits {
  uint64_t max_size = 10u << 20;
  uint32_t max_files = 5;
};

/// The limits a log runs with under a cap on all logs together (`logs_max_total`, 0: none):
/// its live file rotates at half the cap at the latest, so that the cap always finds a
/// rotated file to remove instead of a live file that alone outgrew it (and stopped).
log_limits under_cap(log_limits asked, uint64_t logs_max_total);

class disk_space;

/// Outcome of an append. `failed_first` is returned for the first failure of a streak (the
/// caller logs it once); further failures return `failed` until a write succeeds again.
/// `dropped`: not written because of the free-space reserve or the daemon-wide log cap
/// (disk_space counts it and logs the streak).
enum class append_result : uint8_t { ok, failed_first, failed, dropped };

/// Read-only fds of a log's files, oldest first, each with the byte count readers may
/// see. Owns and closes the fds; movable, not copyable. Read by one thread at a time.
class log_snapshot {
 public:
  /// One file of the snapshot: an open fd and the number of bytes readable from offset 0.
  struct file {
    int fd = -1;
    uint64_t limit = 0;
  };

  log_snapshot() = default;
  ~log_snapshot();
  log_snapshot(log_snapshot&& other) noexcept;
  log_snapshot& operator=(log_snapshot&& other) noexcept;
  log_snapshot(const log_snapshot&) = delete;
  log_snapshot& operator=(const log_snapshot&) = delete;

  /// Takes ownership of `fd`, readable up to `limit` bytes (appended after the older files).
  void add(int fd, uint64_t limit);
  /// The files, oldest first.
  const std::vector<file>& files() const { return files_; }
  /// Total bytes of the snapshot (sum of the limits).
  uint64_t size() const;
  /// Reads up to `n` bytes of file `i` at `offset` (clamped to its limit); counts the bytes
  /// in bytes_read(). Returns the bytes read, 0 at the limit, -1 on error.
  int64_t pread(std::size_t i, char* buf, std::size_t n, uint64_t offset) const;
  /// Bytes read through this snapshot so far (lets tests check that a tail is cheap).
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  void close_all() noexcept;
  std::vector<file> files_;
  mutable uint64_t bytes_read_ = 0;
};

/// A snapshot of the log at `path` (no live writer): every existing file, each readable up
/// to its current size. Missing files are left out (an empty snapshot if there is no log).
log_snapshot snapshot_log(const std::string& path);

/// An append-only file with size-based rotation and error streak accounting. Not thread
/// safe. Errors are counted and remembered, the data is dropped, nothing is thrown.
class rotating_file {
 public:
  /// `path` is the live file; its directory must exist (it is not created). With `space`
  /// (may be null; must outlive this), every append asks it first and reports what it wrote,
  /// and rotations run under its lock.
  rotating_file(std::string path, log_limits limits, disk_space* space = nullptr);
  ~rotating_file();
  rotating_file(const rotating_file&) = delete;
  rotating_file& operator=(const rotating_file&) = delete;

  /// Appends `data` (whole lines) with one write(2), rotating first when the live file would
  /// exceed max_size. Opens the file lazily.
  append_result append(std::string_view data);
  /// Closes the fd; the next append reopens the file.
  void close();
  /// The open live file was removed by someone else (its name is gone).
  bool removed() const;
  /// New limits, applied from the next append on.
  void set_limits(log_limits limits) { limits_ = limits; }
  const log_limits& limits() const { return limits_; }
  const std::string& path() const { return path_; }
  /// Number of failed appends since construction.
  uint64_t errors() const { return errors_; }
  /// Description of the most recent error ("" if none yet).
  const std::string& last_error() const { return last_error_; }
  /// A snapshot of the files as of now (the live file limited to what was appended).
  log_snapshot snapshot() const;

 private:
  int open_live();
  int rotate();
  int write_all(std::string_view data);
  append_result fail(const std::string& what, int err);

  std::string path_;
  log_limits limits_;
  disk_space* space_ = nullptr;
  int fd_ = -1;
  uint64_t size_ = 0;           ///< bytes in the live file (valid while fd_ >= 0)
  bool needs_newline_ = false;  ///< the live file ends in a torn line (crash): end it first
  bool failing_ = false;        ///< inside an error streak
  uint64_t errors_ = 0;
  std::string last_error_;
};

/// A container's log (`<dir>/ctr.log`): output chunks become k8s-file records.
class log_writer {
 public:
  /// `path` is the live file (`<dir>/ctr.log`); nothing is opened before the first append.
  /// `space`: see rotating_file.
  explicit log_writer(std::string path, log_limits limits = {}, disk_space* space = nullptr)
      : file_(std::move(path), limits, space) {}

  /// Formats the chunk as records (format_log_records) and appends them, in slices of
  /// whole records of about 64 KiB (rotation and the cap act between slices); `dropped`
  /// if any slice was.
  append_result append(int64_t ts_ns, bool is_stderr, std::string_view chunk);
  /// Closes the fd; the next append reopens it.
  void close() { file_.close(); }
  /// New rotation limits, applied from the next append on.
  void set_limits(log_limits limits) { file_.set_limits(limits); }
  /// Failed appends so far.
  uint64_t errors() const { return file_.errors(); }
  /// The most recent error ("" if none).
  const std::string& last_error() const { return file_.last_error(); }
  /// What a reader started now may read: exactly the records appended so far.
  log_snapshot snapshot() const { return file_.snapshot(); }
  const std::string& path() const { return file_.path(); }

 private:
  rotating_file file_;
  std::string buf_;
};

/// A position in a snapshot: file index and byte offset in it.
struct log_position {
  std::size_t file = 0;
  uint64_t offset = 0;
};

/// Calls `fn` for each complete line (without '\n') from `from` on, in order, until it
/// returns false. A trailing line without '\n' (torn by a crash) is skipped. The view is
/// valid only during the call. Blocking.
void for_each_line(const log_snapshot& s, log_position from,
                   const std::function<bool(std::string_view)>& fn);

/// What read_log yields. since/until: RFC 3339 strings in proc::rfc3339's fixed-width UTC
/// form (compared as strings), "" = unbounded, both inclusive. tail: the last N lines within
/// [since, until] (a line = its P fragments and the F record ending it, per stream; a
/// trailing fragment counts as a line), -1 = all.
struct log_query {
  std::string since, until;
  int64_t tail = -1;
};

/// Calls `emit` for each record of the snapshot matching `q`, in order, until it returns
/// false. Malformed lines are skipped. The record's views are valid only during the call.
/// A tail reads the files backwards in blocks, so its cost is proportional to the lines
/// returned, not to the log's size. Blocking.
void read_log(const log_snapshot& s, const log_query& q,
              const std::function<bool(const log_record&)>& emit);

}  // namespace ctrd
