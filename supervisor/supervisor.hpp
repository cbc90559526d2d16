// The supervisor actor: owns the registry (names, ids, prefixes), creates container
// actors, keeps a read replica of every container's summary for cheap `list` calls, and
// runs the ordered daemon shutdown. Restart policies and dependencies (later issues) are
// decided here from pure functions.
//
// Protocol:
//   (create_atom, json definition)    -> {id, name}     durable before the reply
//   (resolve_atom, std::string ref)   -> caf::actor     container actor for a name/id/prefix
//   (list_atom, bool all)             -> json array of summaries
//   (status_atom, std::string id, json summary)          replica update from a container
//   (gone_atom, std::string id)                          a container was removed
//   (signal_atom, int signo)                             SIGTERM/SIGINT/SIGPWR: shutdown
//   (shutdown_atom)                   -> {stopped: n}   stop every container, then quit
#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/state_store.hpp"

namespace ctrd {

class host_loop;

/// Spawns the supervisor with the containers loaded from the store (recovered at once).
caf::actor spawn_supervisor(caf::actor_system& sys, caf::actor store, host_loop* host,
                            std::string containers_dir, load_result loaded);

/// Adds the environment every container gets unless it sets it: PATH, HOME, container=ctrd.
void apply_create_defaults(container_config& c);

}  // namespace ctrd
