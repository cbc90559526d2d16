// Detach keys, podman's rules (podman-semantics.md §5): a comma list of `ctrl-<key>` names
// or single characters, default "ctrl-p,ctrl-q", "" disables detaching. The matcher is a
// pure byte filter over ctrctl's stdin so it can be unit-tested without a terminal.
#pragma once

#include <cstddef>
#include <string>

namespace ctl {

/// podman's default detach sequence.
constexpr const char* default_detach_keys = "ctrl-p,ctrl-q";

/// Parses a detach-key spec into the byte sequence it stands for: each comma-separated
/// element is one character taken literally, or `ctrl-X` (case-insensitive) with X one of
/// a-z, @, [, \, ], ^, _ (ctrl-a = 0x01 ... ctrl-z = 0x1a, ctrl-@ = 0x00, ctrl-[ = 0x1b,
/// ctrl-\ = 0x1c, ctrl-] = 0x1d, ctrl-^ = 0x1e, ctrl-_ = 0x1f). "" gives "" (disabled).
/// Throws ctrd::error{invalid_argument} "invalid detach keys: ..." for anything else.
std::string parse_detach_keys(const std::string& spec);

/// Watches a byte stream for the detach sequence. Bytes that may begin the sequence are
/// held back; when the sequence breaks they are released (in order, before the byte that
/// broke it). Works the same whatever the chunking of the input.
class detach_matcher {
 public:
  /// `keys` is the parsed sequence; empty disables matching (everything passes through).
  explicit detach_matcher(std::string keys) : keys_(std::move(keys)) {}

  /// Feeds [data, data+size). Appends the bytes to forward to `out`. Returns true when
  /// the sequence completed: `out` then holds what came before it, the rest of the chunk
  /// is dropped, and the matcher should not be used again.
  bool feed(const char* data, std::size_t size, std::string& out);

  /// Bytes currently held back (a partial match), e.g. to flush them at end of input.
  const std::string& pending() const { return pending_; }

 private:
  std::string keys_;
  std::string pending_;
};

}  // namespace ctl
