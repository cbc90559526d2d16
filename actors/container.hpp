// The container actor: the only writer of one container's state. It feeds every request
// and every process event to the pure lifecycle table (core/lifecycle.hpp) and
// carries out the effects; processing one message at a time is what replaces libpod's
// per-container lock, syncContainer() and Batch().
//
// Requests (replies are json maps, errors are caf::errors from make_caf_error):
//   (init_atom)                                        -> {id}
//   (start_atom, bool attach, caf::actor sub, uint32_t msgid)
//        attach=false -> {id} once started;
//        attach=true  -> `sub` gets (output_atom, msgid, int stream, std::string bytes) for
//                        everything the process writes, then the reply {id, exit_code}
//                        after the process ended and its output is drained
//   (stop_atom, int64_t timeout_s (-1: configured), bool by_user) -> {id, escalated, signal,
//   timeout}
//                                                         once exited
//   (kill_atom, int signal)                            -> {id}
//   (restart_atom, int64_t timeout_s)                  -> {id} once running again
//   (remove_atom, bool force)                          -> {id} once the record is deleted
//   (inspect_atom)                                     -> inspect map
//   (wait_atom)                                        -> {id, exit_code} once exited
//   (logs_atom)                                        -> {id, path} of the log file
// Host events (from host_loop): exited_atom, output_atom, eof_atom, drained_atom; its own
// timers: (timeout_atom, generation).
// Outgoing: (put_atom ...) to the store on every transition, (status_atom, id, summary) to
// the supervisor on every transition, (gone_atom, id) after removal.
#pragma once

#include <cstdint>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <caf/allowed_unsafe_message_type.hpp>

#include "messages/capabilities.hpp"
#include "runtime/state_store.hpp"

namespace ctrd {

class host;
class disk_space;
namespace cgroup {
class hierarchy;
}
namespace seccomp {
class cache;
}

/// What every container actor needs from the daemon.
/// Largest artifact a container accepts (it travels in one frame); sessions check it
/// before forwarding the bytes.
constexpr std::size_t max_artifact_bytes = 4u << 20;

struct container_deps {
  caf::actor store;
  caf::actor supervisor;
  caf::actor events;           ///< the event bus
  ctrd::host* host = nullptr;  ///< the OS side (host_loop in production)
  std::string containers_dir;  ///< <root>/containers
  std::string run_dir;         ///< the control socket's directory (short paths: notify sockets)
  const cgroup::hierarchy* cgroups = nullptr;  ///< where container cgroups go (nullptr: none)
  disk_space* space = nullptr;                 ///< free-space reserve and log cap (nullptr: none)
  uint64_t default_caps =
      default_capabilities;           ///< --default-capabilities (podman's 11 by default)
  seccomp::cache* seccomp = nullptr;  ///< compiled filters (nullptr: a process-wide cache)
};

}  // namespace ctrd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::container_deps)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::stored_container)

namespace ctrd {

/// Reconciles a record from a previous ctrd run with the processes that exist now (pure
/// apart from reading /proc and killing a leftover held child): a live main process keeps
/// "running", a dead one becomes "exited" with ExitCode -1 and the reason in Error, an
/// initialized container becomes "created" again, an interrupted stop's "stopped" becomes
/// "exited". Returns true if the record changed.
bool recover_record(stored_container& rec);

/// Spawns the actor for a container. With `recovering`, the stored state comes from a
/// previous ctrd run: live processes are adopted (pid + start time), dead ones recorded as
/// exited with the reason, interrupted removals completed.
caf::actor spawn_container(caf::actor_system& sys, stored_container rec, const container_deps& deps,
                           bool recovering);

}  // namespace ctrd
