// Human-readable rendering for `ctrctl ps` and friends, podman style: go-units durations
// ("Up 5 seconds", "Exited (0) 3 seconds ago", "2 minutes ago"), the tabwriter table, and
// the JSON form of `ps --format json`. Pure functions (the clock is a parameter) so the
// unit tests can pin them down.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/value_codec.hpp"

namespace ctl {

using ctrd::json;

/// Current wall-clock time in nanoseconds since the epoch.
int64_t now_ns();

/// go-units HumanDuration (what podman prints): "Less than a second", "1 second",
/// "N seconds", "About a minute", "N minutes", "About an hour", "N hours", "N days",
/// "N weeks", "N months", "N years". Negative durations count as zero.
std::string human_duration(int64_t duration_ns);

/// "N seconds ago" etc. for a past time (the CREATED column).
std::string ago_string(int64_t then_ns, int64_t now);

/// The STATUS column for a container: "Created", "Initialized", "Up 5 seconds",
/// "Exited (CODE) 3 seconds ago" (also for "stopped"), "Paused", "Stopping", "Removing";
/// any other state is printed capitalised. A non-empty `health` (starting, healthy,
/// unhealthy) is appended in parentheses as podman does: "Up 5 seconds (healthy)".
std::string status_string(const std::string& state, int exit_code, int64_t started_ns,
                          int64_t finished_ns, int64_t now, const std::string& health = {});

/// The first 12 characters of an id (podman's short id).
std::string short_id(const std::string& id);

/// argv joined by spaces; unless `no_trunc`, cut to 17 characters plus "..." (podman).
std::string command_string(const json& command, bool no_trunc);

/// Sorts `list` summaries newest first (podman's default `--sort created`).
void sort_summaries(json& summaries);

/// The `ps` table (header included, newline-terminated) for an array of `list` summaries
/// (docs/protocol.md): CONTAINER ID, COMMAND, CREATED, STATUS, RESTARTS, PORTS (the
/// summary's `ports` joined by ", "), NAMES, laid out
/// like Go's tabwriter with podman's settings (minwidth 12, padding 2).
std::string ps_table(const json& summaries, int64_t now, bool no_trunc);

/// `ps -q`: one id per line (short unless `no_trunc`).
std::string ps_quiet(const json& summaries, bool no_trunc);

/// `ps --format json`: podman-like objects with keys Id, Names, Command, Created,
/// CreatedAt, State, Status, ExitCode, Exited, ExitedAt, Pid, Restarts, StartedAt
/// (times in unix seconds, 0 when they never happened), Labels, Mounts (destinations),
/// Image (the rootfs, "" for none), AutoRemove, Size ({RwSize, RootFsSize} when the summary
/// has size_rw/size_root), plus ctrd's Health ("" when there is no check), Ready (bool),
/// Error ("" when none) and RestartPolicy ("no", "always", "on-failure:3", ...), Ports
/// (podman's [{host_ip, container_port, host_port, range, protocol}]) and Networks (names).
json ps_json(const json& summaries, int64_t now);

/// `reload`'s report split for printing: `lines` gets "created NAME", "updated NAME",
/// "removed NAME" (in that order, each list as ctrd sent it) and `errors` gets one
/// "FILE:LINE:COLUMN: KEY: MESSAGE" per error (LINE:COLUMN left out when the line is 0,
/// COLUMN when it is 0, "KEY: " when the key is empty).
void reload_report(const json& result, std::vector<std::string>& lines,
                   std::vector<std::string>& errors);

/// Go's time.Time String() form, what podman prints for event times:
/// "2026-11-28 18:11:14.123456789 +0000 UTC" (fraction without trailing zeros, left out when
/// zero). In UTC when `utc`, else in the local time zone (offset and zone abbreviation).
std::string format_go_time(int64_t ns, bool utc);

/// RFC 3339 in UTC with nine fractional digits: "2026-11-28T18:11:14.000000001Z".
std::string format_rfc3339_nano(int64_t ns);

/// One event (the `event` map of an `event` notification) in podman's human format:
/// "TIME container STATUS ID (name=NAME[, health_status=S][, containerExitCode=N][, K=V...])"
/// with TIME as format_go_time(TimeNano, utc) (the `Time` text when TimeNano is missing),
/// health_status for health events, containerExitCode for died events, and the remaining
/// Attributes (labels) sorted by key.
std::string event_human(const json& event, bool utc);

}  // namespace ctl
