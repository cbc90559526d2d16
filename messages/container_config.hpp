// A container's definition: what `ctrctl create` sends and what ctrd stores under
// v1/ctr/<id>/config. Immutable once created (a later issue adds replacement from
// service files).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "messages/restart_policy.hpp"
#include "messages/value_codec.hpp"

namespace ctrd {

struct container_config {
  std::string id;                             ///< 64 lower-case hex digits
  std::string name;                           ///< unique, [a-zA-Z0-9][a-zA-Z0-9_.-]*
  std::vector<std::string> command;           ///< argv; argv[0] resolved against PATH
  std::vector<std::string> env;               ///< "KEY=VALUE" entries, in order
  std::string workdir = "/";                  ///< absolute working directory
  std::string user;                           ///< "" (ctrd's user) or "UID[:GID]"
  std::map<std::string, std::string> labels;  ///< free-form metadata
  int stop_signal = 15;                       ///< signal `stop` sends first (SIGTERM)
  uint32_t stop_timeout = 10;                 ///< seconds before stop escalates to SIGKILL
  restart_policy restart;                     ///< applied by the supervisor
  bool auto_remove = false;                   ///< --rm: removed by ctrd once it has exited
  int64_t created_ns = 0;                     ///< creation time, ns since the epoch
};

/// Serialises every field (the store and inspect use this form).
json to_json(const container_config& c);

/// Builds a config from the create request / stored map. Missing keys keep their
/// defaults; present keys must have the right type and valid values. `id`/`created_ns` are
/// read when present (stored records) and ignored otherwise. Throws
/// ctrd::error{ec::invalid_argument} naming the offending key.
container_config config_from_json(const json& j);

/// Checks the rules the constructor above does not: non-empty command, valid name (when
/// set), "K=V" env entries, absolute workdir, user syntax, signal range, policy/--rm mix.
void validate(const container_config& c);

/// True if `name` is a valid container name (podman's rule).
bool valid_container_name(const std::string& name);

/// Parses "UID[:GID]" into numbers; returns false on malformed text.
bool parse_user(const std::string& user, uint32_t& uid, uint32_t& gid, bool& has_gid);

/// "on-failure:3", "always", ... as podman's --restart accepts it.
std::string restart_string(const restart_policy& p);

}  // namespace ctrd
