// Per-process resource limits of a container (podman's --ulimit and --oom-score-adj): the
// `create` keys "ulimits" (strings "type=soft[:hard]") and "oom_score_adj". Part of
// container_config; applied by the spawner in the child before exec (raw system calls).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/value_codec.hpp"

namespace ctrd {

/// One --ulimit. Values are RLIM_INFINITY (~0) for "unlimited".
struct ulimit_spec {
  std::string type;  ///< "nofile", "nproc", "core", ... (podman's names)
  int resource = 0;  ///< RLIMIT_*
  uint64_t soft = 0;
  uint64_t hard = 0;

  bool operator==(const ulimit_spec& o) const {
    return type == o.type && soft == o.soft && hard == o.hard;
  }
};

struct process_limits {
  std::vector<ulimit_spec> ulimits;  ///< in the order given; a later one of a type wins
  int oom_score_adj = 0;             ///< -1000..1000 (ctrd's own -1000 is never inherited)
};

/// Parses podman's "type=soft[:hard]" (hard defaults to soft; -1 or "unlimited": no limit).
/// Throws ctrd::error{ec::invalid_argument} naming the text.
ulimit_spec parse_ulimit(const std::string& text);

/// "type=soft:hard" as parse_ulimit reads it.
std::string format_ulimit(const ulimit_spec& u);

/// Adds "ulimits" and "oom_score_adj" to a serialised config.
void process_limits_to_json(const process_limits& l, json& out);

/// Reads one `create` key into `l` if it is one of these; returns false for other keys.
/// Throws ctrd::error{ec::invalid_argument} naming the key for a bad value.
bool process_limits_from_key(process_limits& l, const std::string& key, const json& value);

}  // namespace ctrd
