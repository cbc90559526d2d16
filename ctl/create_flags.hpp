// The flags `ctrctl create` and `ctrctl run` share, and their translation into the container
// definition `create` sends (docs/protocol.md, "Container definition"). Everything that can
// be checked locally is checked here, so bad input fails without a round trip.
#pragma once

#include <string>
#include <vector>

#include "messages/value_codec.hpp"

namespace CLI {
class App;
}

namespace ctl {

using ctrd::json;

/// Raw create flags as typed by the user, plus the container command.
struct create_options {
  std::string name;                     ///< --name
  std::string restart;                  ///< --restart POLICY
  std::string stop_signal;              ///< --stop-signal SIG
  std::string stop_timeout;             ///< --stop-timeout SECS (text, validated here)
  std::vector<std::string> env;         ///< -e/--env K=V, K, or PREFIX*
  std::vector<std::string> env_files;   ///< --env-file F
  std::string workdir;                  ///< -w/--workdir DIR
  std::string user;                     ///< -u/--user UID[:GID]
  std::vector<std::string> labels;      ///< -l/--label K=V or K
  bool rm = false;                      ///< --rm (auto_remove)
  std::vector<std::string> requires_;   ///< --requires NAME[,NAME] (repeatable)
  std::string restart_delay;            ///< --restart-delay D (durations: text, see below)
  std::string restart_max_delay;        ///< --restart-max-delay D
  std::string restart_reset;            ///< --restart-reset D
  std::string restart_limit;            ///< --restart-limit N (0 = no limit)
  std::string restart_window;           ///< --restart-window D
  std::string health_cmd;               ///< --health-cmd CMD (run by /bin/sh -c; "none": no check)
  std::string health_interval;          ///< --health-interval D ("disable": no check)
  std::string health_timeout;           ///< --health-timeout D
  std::string health_retries;           ///< --health-retries N (> 0)
  std::string health_start_period;      ///< --health-start-period D
  std::string health_on_failure;        ///< --health-on-failure none|kill|restart|stop
  bool no_healthcheck = false;          ///< --no-healthcheck
  std::string sdnotify;                 ///< --sdnotify container|ignore
  bool interactive = false;             ///< -i/--interactive (keep stdin open)
  bool tty = false;                     ///< -t/--tty (pseudo-terminal)
  std::vector<std::string> log_opts;    ///< --log-opt max-size=SIZE | max-file=N
  std::vector<std::string> command;     ///< CMD [ARG...]
};

/// Registers the shared create flags on `cmd`, bound to `opts` (which must outlive parsing).
void add_create_flags(CLI::App& cmd, create_options& opts);

/// ctrctl's own environment as "K=V" entries (from environ).
std::vector<std::string> process_environment();

/// Expands one -e / env-file entry, as podman does: "K=V" is kept; "K" takes K's value from
/// `host_env` and is dropped when K is unset there; "PREFIX*" takes every host variable whose
/// name starts with PREFIX. Throws ctrd::error{invalid_argument} for an empty name or a name
/// containing whitespace.
std::vector<std::string> expand_env_entry(const std::string& entry,
                                          const std::vector<std::string>& host_env);

/// Parses the text of an env file: one entry per line (as expand_env_entry), leading
/// whitespace ignored, blank lines and lines starting with '#' skipped, "\r\n" accepted.
/// `source` names the file in error messages.
std::vector<std::string> parse_env_file(const std::string& text, const std::string& source,
                                        const std::vector<std::string>& host_env);

/// Reads and parses an env file. Throws ctrd::error{invalid_argument} "cannot read env file
/// PATH: <strerror>" when it cannot be opened.
std::vector<std::string> read_env_file(const std::string& path,
                                       const std::vector<std::string>& host_env);

/// Merges "K=V" entries: a later entry for a key replaces the earlier one in place.
std::vector<std::string> merge_env(const std::vector<std::string>& entries);

/// Parses a duration flag (ctrd::parse_duration_ms: "100ms", "1m30s", bare numbers are
/// seconds) into milliseconds, refusing more than the protocol's 30 days. Throws
/// ctrd::error{invalid_argument} with the parser's message.
uint64_t duration_flag_ms(const std::string& text);

/// Splits --requires values: each may be a comma-separated list; names are validated with
/// ctrd::valid_container_name() and duplicates dropped (first occurrence kept). Throws
/// ctrd::error{invalid_argument}.
std::vector<std::string> split_requires(const std::vector<std::string>& values);

/// Builds the `create` definition from the flags: env files first, then -e entries (later
/// wins), labels as a map, stop_signal as its canonical name, stop_timeout as an integer,
/// auto_remove for --rm, requires as an array, durations in milliseconds (`*_ms` keys),
/// health_cmd as ["/bin/sh", "-c", CMD], sdnotify as a bool, `interactive`/`tty` when set,
/// --log-opt as log_max_size/log_max_files (apply_log_opts()). Absent flags are omitted so the
/// daemon's defaults apply; without a health check (no --health-cmd, `--health-cmd none`,
/// `--health-interval disable`, --no-healthcheck) no health key is sent, the other
/// --health-* values are only checked (podman ignores them too), and --health-on-failure
/// other than none is refused. Validates the result with ctrd::config_from_json() and
/// ctrd::validate(); throws ctrd::error{invalid_argument}.
json build_definition(const create_options& opts, const std::vector<std::string>& host_env);

}  // namespace ctl
