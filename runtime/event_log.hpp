// The events history, `<root>/events.log`: one compact JSON event per line, rotated and
// bounded like a container log, so `events --since` works across ctrd restarts. Appends
// come from one thread (the owning actor) and never throw; reads block on file I/O.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "messages/value_codec.hpp"
#include "runtime/log_file.hpp"

namespace ctrd {

/// The `filters` of an `events` request. Values of one key OR together, keys AND; an empty
/// list does not constrain.
struct event_filter {
  std::vector<std::string> containers;  ///< names (match `Name`) or ids / id prefixes (`ID`)
  std::vector<std::string> events;      ///< statuses (`Status`); "die" is stored as "died"
  std::vector<std::string> types;       ///< event types (`Type`)

  /// True if `event` (an event map as in docs/protocol.md) passes the filter.
  bool matches(const json& event) const;
};

/// Builds a filter from the protocol's `filters` map (null = no filter). Each value is an
/// array of strings (a single string is accepted too). Throws ctrd::error{invalid_argument}
/// for a non-map, an unknown key or a value of another type.
event_filter parse_event_filter(const json& filters);

/// Default limits of the events history: 1 MiB per file, 2 rotated files.
inline constexpr log_limits default_event_log_limits{1u << 20, 2};

/// Calls `emit` for each stored event of the snapshot, oldest first, whose `Time` (RFC 3339
/// as proc::rfc3339) lies in [since, until] ("" = unbounded) and that matches `f`, until it
/// returns false. Malformed lines are skipped. Blocking.
void read_events(const log_snapshot& s, const event_filter& f, const std::string& since,
                 const std::string& until, const std::function<bool(const json&)>& emit);

/// The events history file and its rotation. Not thread safe.
class event_log {
 public:
  /// Uses `<root>/events.log`; `root` must exist.
  explicit event_log(const std::string& root, log_limits limits = default_event_log_limits)
      : file_(root + "/events.log", limits) {}

  /// Appends `event` as one JSON line. Errors are counted, the event dropped; see
  /// append_result for when to log.
  append_result append(const json& event);
  /// The stored events as of now, for read_events on another thread.
  log_snapshot snapshot() const { return file_.snapshot(); }
  /// read_events over snapshot(): call on the appending thread (or with no appends
  /// running), since it blocks on the reads.
  void read(const event_filter& f, const std::string& since, const std::string& until,
            const std::function<bool(const json&)>& emit) const {
    read_events(snapshot(), f, since, until, emit);
  }
  /// Closes the fd; the next append reopens it.
  void close() { file_.close(); }
  /// Failed appends so far.
  uint64_t errors() const { return file_.errors(); }
  /// The most recent error ("" if none).
  const std::string& last_error() const { return file_.last_error(); }
  const std::string& path() const { return file_.path(); }

 private:
  rotating_file file_;
};

}  // namespace ctrd
