// `ctrctl update`: what may change in an existing container's definition (podman's update:
// resources, and the restart policy as podman 5 allows), applied to a copy. Pure.
#pragma once

#include "messages/container_config.hpp"

namespace ctrd {

/// The keys an update map may hold (the create map's names): memory, cpus, cpu_shares,
/// pids_limit, restart.
bool updatable_key(const std::string& key);

/// `c` with the values of `changes` (a map of updatable keys, as in a create map) applied
/// and the result validated. Throws ctrd::error{invalid_argument} naming a key that cannot
/// change or a bad value; an empty map is an error too ("nothing to update").
container_config apply_update(const container_config& c, const json& changes);

}  // namespace ctrd
