// `exec`: one extra process inside a running container (its namespaces through setns,
// its cgroup), owned by a small actor of its own so that the container actor's state stays
// about the container. The actor streams the process's output to the client that asked,
// takes its stdin/resize/detach, and ends with {id, exit_code}.
//
// Its protocol is exec_session_actor (actors/interfaces.hpp). At the end it sends
// (exec_ended_atom, int exit_code) to the container, which emits `exec_died`.
#pragma once

#include <cstdint>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/interfaces.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/spawner.hpp"

namespace ctrd {

class host;

/// What an exec needs; the spec's join_pidfd is owned (closed) by the exec actor.
struct exec_job {
  spawn_spec spec;
  cgroup::group cg;  ///< the container's cgroup (the process joins it before exec)
  std::string container_id;
  container_actor container;  ///< told the exit code at the end
  caf::actor client;          ///< receives (output_atom, msgid, stream, bytes)
  uint32_t msgid = 0;
  ctrd::host* host = nullptr;  ///< the OS side (host_loop in production)
};

/// Spawns the exec actor; send it (start_atom) to run the process.
exec_session_actor spawn_exec(caf::actor_system& sys, exec_job job);

}  // namespace ctrd
