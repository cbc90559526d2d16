// The network actor (docs/network.md): bridge networks through netavark. Its protocol is
// network_actor (actors/interfaces.hpp). It loads the networks and the attachments (the
// addresses allocated to containers) from the store when it starts, and every netavark
// run goes through the host loop (actors/helper_run.hpp): no handler waits on a process.
#pragma once

#include <string>

#include <caf/actor_system.hpp>

#include "actors/interfaces.hpp"

namespace ctrd {

/// Where the network actor keeps things.
struct network_deps {
  store_actor store;
  host* h = nullptr;
  std::string netns_dir;   ///< <root>/netns: one bound namespace per container id
  std::string config_dir;  ///< netavark's --config (aardvark-dns's files below it)
};

/// Spawns the network actor.
network_actor spawn_network(caf::actor_system& sys, network_deps deps);

}  // namespace ctrd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::network_deps)
