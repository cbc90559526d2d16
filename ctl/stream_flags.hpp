// Parsing of the flags of the streaming verbs (logs, events, wait, attach) and of
// `--log-opt`: podman's time syntax for --since/--until, Go durations, log sizes, wait
// conditions and event filters. Pure functions (the clock is a parameter) for unit tests.
// Every parser throws ctrd::error{invalid_argument} with podman-like wording (exit 125).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/value_codec.hpp"

namespace ctl {

using ctrd::json;

/// Parses a Go duration ("300ms", "1h30m", "1.5s", "-2m", "0"; units ns, us, µs, ms, s, m,
/// h) into nanoseconds. Returns false when `text` is not a duration (or overflows).
bool parse_go_duration_ns(const std::string& text, int64_t& out);

/// Parses a --since/--until value as podman does, trying in order: an RFC 3339 timestamp
/// (`2026-11-28T18:00:00Z`, fractional seconds and a `±HH:MM` offset optional; without an
/// offset, local time), a date (`2026-11-28`, local midnight), Unix seconds (`1700000000`,
/// `1700000000.5`), and a Go duration taken as that long before `now` (`10m`: ten minutes
/// ago). Returns nanoseconds since the epoch. Throws "invalid time \"TEXT\"".
int64_t parse_time_ns(const std::string& text, int64_t now);

/// Applies `--log-opt` values (`max-size=SIZE`, `max-file=N`) to a container definition as
/// `log_max_size` / `log_max_files`. Throws for an unknown option or a bad value.
void apply_log_opts(const std::vector<std::string>& opts, json& def);

/// Parses --tail: a non-negative number of lines. Throws "invalid tail value ...".
int64_t parse_tail(const std::string& text);

/// Validates `wait --condition` values (each may be a comma list): podman's state names
/// (see ctrd::parse_container_state), `healthy`, `unhealthy`. Returns the canonical names
/// (podman's spelling: "configured" becomes "created"), duplicates dropped. Throws
/// "invalid condition \"X\": ...".
std::vector<std::string> parse_wait_conditions(const std::vector<std::string>& values);

/// Builds the `events` filter map from `--filter KEY=VALUE` values: keys `container`
/// (names or ids) and `event` (statuses; podman's `die` means `died`), plus `type=container`
/// which is accepted and dropped (ctrd only has container events). Throws "invalid filter
/// ..." for anything else.
json parse_event_filters(const std::vector<std::string>& values);

}  // namespace ctl
