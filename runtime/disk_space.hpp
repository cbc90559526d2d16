// Free space on the file system holding ctrd's root, and the daemon-wide budget of
// container logs (CAF-free, thread-safe: container actors call it from any worker).
//
// * A reserve (--min-free-space): below it `create` is refused with ec::no_space and
//   container log writes are dropped and counted, so that LevelDB (the state) does not
//   meet a full disk in normal operation. Free space comes from statvfs, cached: refreshed
//   on a call once a second has passed (monotonic) or 1 MiB was logged since the last
//   look, and lowered by every logged byte meanwhile; `create` always looks afresh.
// * A cap on the total bytes of container logs (--log-max-total), on top of each log's
//   rotation: when an append would pass it, the oldest rotated file of the largest log goes
//   first, and so on; when only live files are left the write is dropped. Totals are kept
//   running (one scan of the logs at start, a rescan of one log after its rotation).
// Counts are per log path, since ctrd started (inspect shows them).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace ctrd {

/// Limits; 0 disables either.
struct disk_space_limits {
  uint64_t min_free = 0;        ///< bytes kept free on the root's file system
  uint64_t logs_max_total = 0;  ///< all container logs together
};

/// Size and free bytes (for unprivileged users) of a file system.
struct fs_usage {
  uint64_t size = 0;
  uint64_t avail = 0;
};

/// Reads the usage of the file system holding `path`; returns 0 or an errno.
using fs_probe = std::function<int(const std::string& path, fs_usage& out)>;

/// statvfs(2).
int statvfs_probe(const std::string& path, fs_usage& out);

/// What happened to one log's data because of the reserve or the cap.
struct log_drop_counts {
  uint64_t writes = 0;         ///< appends dropped
  uint64_t bytes = 0;          ///< their bytes
  uint64_t rotated_files = 0;  ///< rotated files removed by the cap
  uint64_t rotated_bytes = 0;  ///< their bytes
};

class disk_space {
 public:
  /// `root`: a path on the file system to watch (ctrd's --root). `now_ms`: a monotonic
  /// clock in ms (tests pass their own).
  disk_space(std::string root, disk_space_limits limits, fs_probe probe = statvfs_probe,
             std::function<int64_t()> now_ms = {});

  const disk_space_limits& limits() const { return limits_; }
  const std::string& root() const { return root_; }

  /// Throws ctrd::error{ec::no_space} ("no space left on <root>: ...") when the free space,
  /// looked up now, is below the reserve.
  void check_create();

  /// Registers the logs of every `<containers_dir>/<id>/ctr.log` (one scan, at start).
  void scan_logs(const std::string& containers_dir);

  /// Before appending `n` bytes to the log `path` (registered on first use): true to write,
  /// false to drop (counted). May remove rotated files of the largest logs (the cap).
  bool admit(const std::string& path, uint64_t n);
  /// After `n` bytes were appended to `path`.
  void appended(const std::string& path, uint64_t n);
  /// Runs `rotate` (the renames and removals of `path`'s files) so that the cap never
  /// removes a file meanwhile, then relearns the sizes of the log's files. Returns its result.
  int rotate_log(const std::string& path, const std::function<int()>& rotate);
  /// The log's files are gone (its container was removed).
  void forget_log(const std::string& path);

  /// Counts of the log `path` (zeros if unknown).
  log_drop_counts counts(const std::string& path) const;
  /// Bytes of all known container logs.
  uint64_t logs_total() const;

 private:
  struct log_entry {
    uint64_t live = 0;              ///< bytes of `path`
    std::vector<uint64_t> rotated;  ///< bytes of path.1, path.2, ... (oldest last)
    log_drop_counts counts;
    uint64_t total() const;
  };

  log_entry& entry(const std::string& path);  // registers (scans) on first use; mu_ held
  void rescan(const std::string& path, log_entry& e);
  bool free_space_low(uint64_t n);  // mu_ held
  bool evict_for(uint64_t n);       // mu_ held: true when total + n fits under the cap
  void note_low(bool low, uint64_t avail);

  std::string root_;
  disk_space_limits limits_;
  fs_probe probe_;
  std::function<int64_t()> now_ms_;

  mutable std::mutex mu_;
  std::unordered_map<std::string, log_entry> logs_;
  uint64_t total_ = 0;
  uint64_t avail_ = 0;         ///< free bytes: last statvfs minus what was logged since
  int64_t looked_ms_ = -1;     ///< when statvfs was last called (-1: never)
  uint64_t logged_since_ = 0;  ///< bytes logged since then
  bool low_ = false;           ///< below the reserve at the last look (logged on change)
  bool cap_warned_ = false;
  bool cap_drop_warned_ = false;  ///< writes dropped at the cap (logged once per streak)
  int64_t relearned_ms_ = -1;     ///< when the cap last relearnt every log's sizes
};

}  // namespace ctrd
