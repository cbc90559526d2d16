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
  std::string name;                    ///< --name
  std::string restart;                 ///< --restart POLICY
  std::string stop_signal;             ///< --stop-signal SIG
  std::string stop_timeout;            ///< --stop-timeout SECS (text, validated here)
  std::vector<std::string> env;        ///< -e/--env K=V, K, or PREFIX*
  std::vector<std::string> env_files;  ///< --env-file F
  std::string workdir;                 ///< -w/--workdir DIR
  std::string user;                    ///< -u/--user UID[:GID]
  std::vector<std::string> labels;     ///< -l/--label K=V or K
  bool rm = false;                     ///< --rm (auto_remove)
  std::vector<std::string> requires_;  ///< --requires NAME[,NAME] (repeatable)
  std::string restart_delay;           ///< --restart-delay D (durations: text, see below)
  std::string restart_max_delay;       ///< --restart-max-delay D
  std::string restart_reset;           ///< --restart-reset D
  std::string restart_limit;           ///< --restart-limit N (0 = no limit)
  std::string restart_window;          ///< --restart-window D
  std::string health_cmd;              ///< --health-cmd CMD (run by /bin/sh -c; "none": no check)
  std::string health_interval;         ///< --health-interval D ("disable": no check)
  std::string health_timeout;          ///< --health-timeout D
  std::string health_retries;          ///< --health-retries N (> 0)
  std::string health_start_period;     ///< --health-start-period D
  std::string health_on_failure;       ///< --health-on-failure none|kill|restart|stop
  bool no_healthcheck = false;         ///< --no-healthcheck
  std::string sdnotify;                ///< --sdnotify container|ignore
  bool interactive = false;            ///< -i/--interactive (keep stdin open)
  bool tty = false;                    ///< -t/--tty (pseudo-terminal)
  std::vector<std::string> log_opts;   ///< --log-opt max-size=SIZE | max-file=N
  std::string log_driver;              ///< --log-driver k8s-file|journald|none ("" = default)
  std::string rootfs;                  ///< --rootfs DIR (or DIR:O for an overlay)
  bool rootfs_overlay = false;         ///< --rootfs-overlay
  bool read_only = false;              ///< --read-only
  std::vector<std::string> volumes;    ///< -v/--volume HOST:CTR[:ro|rw]
  std::string hostname;                ///< --hostname NAME
  std::string pid;                     ///< --pid private|host
  std::string ipc;                     ///< --ipc private|host
  std::string uts;                     ///< --uts private|host
  std::string network;                 ///< first network (host|none|bridge|NAME), if set here
  std::vector<std::string> network_values;   ///< --network/--net values (repeatable, a,b)
  std::string ip;                            ///< --ip IPv4 (with a network)
  std::vector<std::string> publish;          ///< -p/--publish SPEC (repeatable)
  std::vector<std::string> network_aliases;  ///< --network-alias A[,A] (repeatable)
  std::string memory;                        ///< -m/--memory SIZE (text, validated here)
  std::string cpus;                          ///< --cpus FLOAT
  std::string cpu_shares;                    ///< -c/--cpu-shares N
  std::string pids_limit;                    ///< --pids-limit N (-1 or 0: unlimited)
  std::vector<std::string> ulimits;          ///< --ulimit type=soft[:hard] (repeatable)
  std::string oom_score_adj;                 ///< --oom-score-adj N (-1000..1000)
  bool privileged = false;                   ///< --privileged
  std::vector<std::string> cap_add;          ///< --cap-add CAP[,CAP] (repeatable; ALL)
  std::vector<std::string> cap_drop;         ///< --cap-drop CAP[,CAP] (repeatable; ALL)
  std::vector<std::string> security_opts;    ///< --security-opt K[=V] (repeatable)
  std::vector<std::string> devices;          ///< --device HOST[:CTR][:rwm] (repeatable)
  std::vector<std::string> uidmaps;          ///< --uidmap CTR:HOST:N (repeatable)
  std::vector<std::string> gidmaps;          ///< --gidmap CTR:HOST:N (repeatable)
  std::string userns;                        ///< --userns host|auto
  // Issue 14 (run_flags.cpp):
  std::string entrypoint;                ///< --entrypoint CMD or JSON array
  bool has_entrypoint = false;           ///< --entrypoint was given (even "")
  std::vector<std::string> tmpfs;        ///< --tmpfs PATH[:OPTS] (repeatable)
  std::vector<std::string> mounts;       ///< --mount type=bind|tmpfs,... (repeatable)
  std::vector<std::string> add_hosts;    ///< --add-host HOST:IP (repeatable)
  std::vector<std::string> dns;          ///< --dns IP (repeatable)
  std::vector<std::string> dns_search;   ///< --dns-search DOMAIN (repeatable)
  bool replace = false;                  ///< --replace (remove a container of that name first)
  std::vector<std::string> group_add;    ///< --group-add GROUP (repeatable)
  std::vector<std::string> label_files;  ///< --label-file F (repeatable)
  std::vector<std::string> annotations;  ///< --annotation K=V (repeatable)
  std::vector<std::string> command;      ///< CMD [ARG...]
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

/// One `-v HOST:CTR[:OPTIONS]` bind mount, as sent in `mounts`.
struct volume_spec {
  std::string source;       ///< absolute host path
  std::string destination;  ///< absolute container path
  bool read_only = false;
};

/// Makes `path` absolute against `cwd` (lexically: "." and empty components dropped, ".."
/// removes the previous component, never above "/"). Pure.
std::string absolute_path(const std::string& path, const std::string& cwd);

/// ctrctl's working directory. Throws ctrd::error{internal} when it cannot be determined.
std::string current_directory();

/// Parses a -v/--volume value as podman does for bind mounts: HOST:CTR[:OPTIONS] with
/// OPTIONS a comma list of `ro`/`rw` (not both). HOST must be
/// a path (absolute, or relative starting with "."; ctrd has no named volumes) and is made
/// absolute against `cwd`; CTR must be absolute. Does not look at the file system. Throws
/// ctrd::error{invalid_argument} "invalid volume ...".
volume_spec parse_volume(const std::string& text, const std::string& cwd);

/// Parses --cpus: a decimal number of CPUs, at least 0.01 (the kernel's smallest quota, 1
/// ms per 100 ms period). Throws ctrd::error{invalid_argument}.
double parse_cpus(const std::string& text);

/// Parses -m/--memory with parse_ram_size(); 0 means no limit, anything else must be at
/// least 6 MiB (podman's minimum). Throws ctrd::error{invalid_argument}.
int64_t parse_memory_limit(const std::string& text);

/// Parses -c/--cpu-shares: 0 (the default weight) or 2..262144. Throws
/// ctrd::error{invalid_argument}.
uint64_t parse_cpu_shares(const std::string& text);

/// Parses --pids-limit: -1 and 0 mean unlimited (returned as 0), otherwise a positive
/// integer. Throws ctrd::error{invalid_argument}.
int64_t parse_pids_limit(const std::string& text);

/// Registers the security flags (--privileged, --cap-add, ..., --userns) on `cmd`.
void add_security_flags(CLI::App& cmd, create_options& opts);

/// Adds the security keys of the flags to `def` (relative seccomp profile paths are made
/// absolute against `cwd`, or ctrctl's directory when "").
void apply_security(const create_options& opts, const std::string& cwd, json& def);

/// Registers the flags of run_flags.cpp (--entrypoint, --tmpfs, --mount, --add-host, --dns,
/// --dns-search, --replace, --group-add, --label-file, --annotation) on `cmd`.
void add_run_flags(CLI::App& cmd, create_options& opts);

/// Registers --network/--net, --ip, -p/--publish and --network-alias (network_flags.cpp).
void add_network_flags(CLI::App& cmd, create_options& opts);

/// Checks one --network value: "" (the default, host), host, none, bridge (ctrd's default
/// network) or a network name; refuses podman's modes ctrd lacks (container:, ns:, pasta,
/// slirp4netns, private). Throws ctrd::error{invalid_argument}.
std::string network_mode(const std::string& value);

/// Adds `network` (the first network), `networks` (further bridge networks, as podman's
/// repeated --network), `ip`, `ports` (the -p strings) and `network_aliases` to `def`;
/// --ip, -p and --network-alias need a bridge network. Throws ctrd::error{invalid_argument}.
void apply_network(const create_options& opts, json& def);

/// Parses --entrypoint as podman: a JSON array of strings, else one word (the whole text);
/// "" is an empty entrypoint. Throws ctrd::error{invalid_argument}.
std::vector<std::string> parse_entrypoint(const std::string& text);

/// One `--tmpfs PATH[:OPTS]` as a `tmpfs` entry of the definition (podman's default
/// options rw,noexec,nosuid,nodev; size=, mode=, nr_inodes=, uid=, gid= pass to the kernel).
/// Throws ctrd::error{invalid_argument}.
json parse_tmpfs(const std::string& text);

/// One `--mount type=bind|tmpfs,...`: {"bind": {source, destination, read_only}} or
/// {"tmpfs": {...}}. Bind sources are made absolute against `cwd`. Throws
/// ctrd::error{invalid_argument} (other types: "ctrd supports type=bind and type=tmpfs").
json parse_mount(const std::string& text, const std::string& cwd);

/// Checks `--add-host HOST:IP` (IPv4 or IPv6; the first ':' separates), returns it.
std::string parse_add_host(const std::string& text);

/// Parses the text of a --label-file: KEY=VALUE (or KEY) lines, blank lines and '#' lines
/// skipped. Throws ctrd::error{invalid_argument} naming `source` and the line.
std::vector<std::string> parse_label_file(const std::string& text, const std::string& source);

/// Adds the keys of the flags above to `def` (labels from files before --label ones;
/// --entrypoint prepended to the command; names of -u/--group-add resolved through the
/// rootfs's /etc/passwd and /etc/group, or the host's without --rootfs).
void apply_run_flags(const create_options& opts, const std::string& cwd, json& def);

/// Builds the `create` definition from the flags: env files first, then -e entries (later
/// wins), labels as a map, stop_signal as its canonical name, stop_timeout as an integer,
/// auto_remove for --rm, requires as an array, durations in milliseconds (`*_ms` keys),
/// health_cmd as ["/bin/sh", "-c", CMD], sdnotify as a bool, `interactive`/`tty` when set,
/// --log-opt as log_max_size/log_max_files (apply_log_opts()). Absent flags are omitted so the
/// daemon's defaults apply; without a health check (no --health-cmd, `--health-cmd none`,
/// `--health-interval disable`, --no-healthcheck) no health key is sent, the other
/// --health-* values are only checked (podman ignores them too), and --health-on-failure
/// other than none is refused. Isolation and resources (docs/ctrctl.md): `rootfs` made
/// absolute against `cwd` (must be an existing directory; a ":O" suffix sets
/// `rootfs_overlay`), `rootfs_overlay`, `read_only`, `mounts` from -v (host paths must
/// exist; they need --rootfs; no duplicate destinations), `hostname` (refused with `--uts
/// host`), `pid`/`ipc`/`uts` (private|host), the network keys (apply_network()), `memory` in bytes,
/// `cpus`, `cpu_shares`, `pids_limit`. Validates the result with ctrd::config_from_json()
/// and ctrd::validate(); throws ctrd::error{invalid_argument}. `cwd` "" means
/// current_directory().
json build_definition(const create_options& opts, const std::vector<std::string>& host_env,
                      const std::string& cwd = {});

}  // namespace ctl
