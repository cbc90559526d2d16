// Shared pieces of the file verbs (export, cp, stat, artifact): the bytes of a `data`
// notification, output files opened on first write, and the rendering of `stat` results
// (pure, for the unit tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "ctl/client.hpp"

namespace ctl {

/// The bytes of the `data` key of a notification or result (bin or str). False when absent.
bool data_of(const json& params, const char*& data, std::size_t& size);

/// The bytes `data` as a msgpack bin value.
json binary_value(const char* data, std::size_t size);

/// Where streamed bytes go: stdout ("" or "-") or a file created (mode 0666 & ~umask,
/// truncated) on the first write or on finish(), so a request that fails before sending
/// anything leaves no empty file behind.
class output_target {
 public:
  explicit output_target(std::string path) : path_(std::move(path)) {}
  ~output_target();
  output_target(const output_target&) = delete;
  output_target& operator=(const output_target&) = delete;

  /// Writes bytes. A closed stdout ends ctrctl quietly (exit 141); a file error throws
  /// ctrd::error{internal} naming the file.
  void write(const char* data, std::size_t size);

  /// Creates the file if nothing was written yet and closes it (errors throw).
  void finish();

 private:
  void open();
  std::string path_;
  int fd_ = -1;
};

/// Sends `method` with `params`, writes the bytes of its `data` notifications to `target`
/// and waits for the reply: 0, or (the error printed) the exit code for its error.
int stream_into(client& c, const std::string& method, const json& params, output_target& target);

/// Reads all of `fd` up to `limit` bytes; sets `too_big` (and stops) when there is more.
/// Throws ctrd::error{internal} with `what` and strerror on a read error.
std::string read_limited(int fd, std::size_t limit, bool& too_big, const std::string& what);

/// `ls -l`'s mode string for st_mode: "drwxr-xr-x", "-rw-r--r--", "lrwxrwxrwx", setuid /
/// setgid / sticky as s/S and t/T.
std::string mode_string(uint32_t mode);

/// GNU stat's file type words: "regular file" ("regular empty file" when `size` is 0),
/// "directory", "symbolic link", "character special file", "block special file", "fifo",
/// "socket".
std::string file_type_name(uint32_t mode, uint64_t size);

/// `ctrctl stat` output for a `stat` result (docs/ctrctl.md), like GNU stat:
///   "  File: PATH[ -> TARGET]\n  Size: N\tTYPE\nAccess: (0644/-rw-r--r--)  Uid: (    0)   Gid: (
///   0)\nModify: TIME\n"
/// with TIME as "2026-11-28 18:11:14.123456789 +0000" (UTC when `utc`, else local time).
std::string stat_text(const std::string& path, const json& info, bool utc);

}  // namespace ctl
