// A container's definition: what `ctrctl create` sends and what ctrd stores under
// v1/ctr/<id>/config. Immutable once created (a later issue adds replacement from
// service files).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "messages/isolation.hpp"
#include "messages/process_limits.hpp"
#include "messages/restart_policy.hpp"
#include "messages/security.hpp"
#include "messages/value_codec.hpp"

namespace ctrd {

/// What the health check does when the container turns unhealthy (podman's
/// --health-on-failure).
enum class health_action : uint8_t { none, kill, restart, stop };

/// Restart pacing beyond podman: exponential backoff and a crash-loop limit
/// (docs/supervision.md).
struct backoff_spec {
  uint32_t initial_ms = 100;  ///< delay before the first policy restart (0: immediate)
  uint32_t max_ms = 60000;    ///< cap of the doubling delay (never below initial_ms)
  uint32_t reset_ms = 10000;  ///< a run (ready, if it has a check) this long resets the delay
  uint32_t limit = 10;  ///< more policy restarts than this within the window park it (0: no limit)
  uint32_t window_ms = 60000;  ///< the crash-loop window
};

/// A health check (podman's --health-* flags). Disabled when `cmd` is empty.
struct health_spec {
  std::vector<std::string> cmd;  ///< argv, run like the container's command
  uint32_t interval_ms = 30000;  ///< between checks
  uint32_t timeout_ms = 30000;   ///< a check running longer fails
  uint32_t retries = 3;          ///< consecutive failures before "unhealthy"
  uint32_t start_period_ms = 0;  ///< failures during this time after start do not count
  health_action on_failure = health_action::none;
};

struct container_config {
  std::string id;                                  ///< 64 lower-case hex digits
  std::string name;                                ///< unique, [a-zA-Z0-9][a-zA-Z0-9_.-]*
  std::vector<std::string> command;                ///< argv; argv[0] resolved against PATH
  std::vector<std::string> env;                    ///< "KEY=VALUE" entries, in order
  std::string workdir = "/";                       ///< absolute working directory
  std::string user;                                ///< "" (ctrd's user) or "UID[:GID]"
  std::map<std::string, std::string> labels;       ///< free-form metadata
  std::map<std::string, std::string> annotations;  ///< --annotation (inspect: Config.Annotations)
  std::vector<uint32_t> group_add;     ///< supplementary group ids (--group-add, -u NAME's groups)
  int stop_signal = 15;                ///< signal `stop` sends first (SIGTERM)
  uint32_t stop_timeout = 10;          ///< seconds before stop escalates to SIGKILL
  restart_policy restart;              ///< applied by the supervisor
  bool auto_remove = false;            ///< --rm: removed by ctrd once it has exited
  int64_t created_ns = 0;              ///< creation time, ns since the epoch
  backoff_spec backoff;                ///< policy restart pacing
  health_spec health;                  ///< optional health check
  std::vector<std::string> requires_;  ///< names of containers that must be up first
  bool sdnotify = false;               ///< readiness comes from READY=1 on NOTIFY_SOCKET
  std::string source;                  ///< service file it came from ("" if created by a client)
  bool autostart = true;               ///< service files: start when ctrd starts
  bool interactive = false;            ///< keep stdin open for attachers (-i)
  bool tty = false;                    ///< a pseudo-terminal as stdio (-t)
  uint64_t log_max_size = 10u << 20;   ///< rotate the log beyond this size (0: never)
  uint32_t log_max_files = 5;          ///< rotated log files kept
  /// Where its output is kept: "k8s-file" (ctrd's log file), "journald", "none".
  std::string log_driver = "k8s-file";
  isolation_spec isolation;    ///< rootfs, namespaces, cgroup limits
  process_limits proc_limits;  ///< --ulimit, --oom-score-adj
  security_spec security;      ///< capabilities, seccomp, masks, devices, user namespace
};

/// "none", "kill", "restart", "stop".
const char* to_string(health_action a);

/// Parses a health action; throws ctrd::error{ec::invalid_argument}.
health_action parse_health_action(const std::string& text);

/// Serialises every field (the store and inspect use this form).
json to_json(const container_config& c);

/// Builds a config from the create request / stored map. Missing keys keep their
/// defaults; present keys must have the right type and valid values. `id`/`created_ns` are
/// read when present (stored records) and ignored otherwise. Throws
/// ctrd::error{ec::invalid_argument} naming the offending key.
container_config config_from_json(const json& j);

/// Largest stored definition of one container (command, environment, labels, ... encoded):
/// what one container costs ctrd's memory, its store and every `ps` is bounded.
constexpr std::size_t max_config_bytes = 256u << 10;

/// Checks the rules the constructor above does not: non-empty command, valid name (when
/// set), "K=V" env entries, absolute workdir, user syntax, signal range, policy/--rm mix,
/// the size of the whole definition (max_config_bytes).
void validate(const container_config& c);

/// True if `name` is a valid container name (podman's rule).
bool valid_container_name(const std::string& name);

/// Parses "UID[:GID]" into numbers; returns false on malformed text.
bool parse_user(const std::string& user, uint32_t& uid, uint32_t& gid, bool& has_gid);

/// "on-failure:3", "always", ... as podman's --restart accepts it.
std::string restart_string(const restart_policy& p);

}  // namespace ctrd
