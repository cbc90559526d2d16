// The store actor: the only owner of the LevelDB database (state_store). Spawned detached
// because creates and removals are fsync'ed WriteBatches. Group commit: what arrives while
// a write is in progress is written (and fsync'ed) together afterwards; requests are
// answered once their batch is on disk. Its protocol is store_actor (actors/interfaces.hpp);
// failures come back as errors with the LevelDB text (ec::internal).
#pragma once

#include <memory>

#include <caf/actor_system.hpp>

#include "actors/interfaces.hpp"
#include "actors/spawn_mode.hpp"
#include "runtime/state_store.hpp"

namespace ctrd {

/// Spawns the store actor over an opened database (`mode`: its own thread, or the scheduler
/// for a deterministic test).
store_actor spawn_store(caf::actor_system& sys, std::shared_ptr<state_store> db,
                        spawn_mode mode = spawn_mode::detached);

}  // namespace ctrd
