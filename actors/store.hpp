// The store actor: the only owner of the LevelDB database (state_store). Spawned detached
// because creates and removals are fsync'ed WriteBatches. Group commit: what arrives while
// a write is in progress is written (and fsync'ed) together afterwards; requests are
// answered once their batch is on disk.
//
// Protocol:
//   (put_atom, container_config, container_status) -> true          new container, durable (not
//   --rm) (put_atom, std::string id, container_status)   -> (nothing)     state update, errors
//   logged (erase_atom, std::string id, bool durable)     -> true          removal (load_atom) ->
//   load_result   everything on disk
// Failures come back as errors with the LevelDB text (ec::internal).
#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "runtime/state_store.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::load_result)

namespace ctrd {

/// Spawns the store actor over an opened database.
caf::actor spawn_store(caf::actor_system& sys, std::shared_ptr<state_store> db);

}  // namespace ctrd
