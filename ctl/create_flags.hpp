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

/// Builds the `create` definition from the flags: env files first, then -e entries (later
/// wins), labels as a map, stop_signal as its canonical name, stop_timeout as an integer,
/// auto_remove for --rm. Absent flags are omitted so the daemon's defaults apply. Validates
/// it with ctrd::config_from_json() and ctrd::validate(); throws ctrd::error{invalid_argument}.
json build_definition(const create_options& opts, const std::vector<std::string>& host_env);

}  // namespace ctl
