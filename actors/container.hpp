// The container actor: the only writer of one container's state. It feeds every request
// and every process event to the pure lifecycle table (core/lifecycle.hpp) and
// carries out the effects; processing one message at a time is what replaces libpod's
// per-container lock, syncContainer() and Batch().
//
// Its protocol is container_actor in actors/interfaces.hpp (one comment per handler):
// requests of the supervisor and of sessions, the host loop's events
// (host_group_client_actor) and its own timers. Outgoing: put_status_atom / put_container_atom
// / erase_atom to the store, (status_atom, id, container_summary) to the supervisor on every
// transition and (gone_atom, id) after removal, events to the event bus.
#pragma once

#include <cstdint>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/interfaces.hpp"
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

/// Largest artifact a container accepts (it travels in one frame); sessions check it
/// before forwarding the bytes.
constexpr std::size_t max_artifact_bytes = 4u << 20;

/// What every container actor needs from the daemon.
struct container_deps {
  store_actor store;
  container_owner_actor supervisor;  ///< told the summaries and the removal
  event_bus_actor events;            ///< the event bus
  ctrd::host* host = nullptr;        ///< the OS side (host_loop in production)
  std::string containers_dir;        ///< <root>/containers
  std::string log_dir;               ///< <log_dir>/<id>/ctr.log (== containers_dir by default)
  std::string run_dir;  ///< the control socket's directory (short paths: notify sockets)
  const cgroup::hierarchy* cgroups = nullptr;  ///< where container cgroups go (nullptr: none)
  disk_space* space = nullptr;  ///< reserve and cap of the logs' file system (nullptr: none)
  uint64_t default_caps =
      default_capabilities;           ///< --default-capabilities (podman's 11 by default)
  seccomp::cache* seccomp = nullptr;  ///< compiled filters (nullptr: a process-wide cache)
  network_actor network;              ///< bridge networks (docs/network.md)
};

}  // namespace ctrd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::container_deps)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::stored_container)

namespace ctrd {

/// Reconciles a record from a previous ctrd run with the processes that exist now (pure
/// apart from reading /proc and killing a leftover held child): a live main process keeps
/// "running", a dead one becomes "exited" with ExitCode -1 and the reason in Error, an
/// initialized container becomes "created" again, an interrupted stop's "stopped" becomes
/// "exited". Returns true if the record changed. With `holder_may_owe` (the host's
/// holder_may_owe_exits()), a dead process whose status the holder has not sent yet stays
/// "running": the container actor waits for that status (container.cpp, recover()).
bool recover_record(stored_container& rec, bool holder_may_owe = false);

/// Spawns the actor for a container. With `recovering`, the stored state comes from a
/// previous ctrd run: live processes are adopted (pid + start time), dead ones recorded as
/// exited with the reason, interrupted removals completed.
container_actor spawn_container(caf::actor_system& sys, stored_container rec,
                                const container_deps& deps, bool recovering);

/// The summary of a container as its actor sends it to the supervisor (the list entry
/// pre-encoded once, runtime/container_view.hpp's summary_view). `dir` is the container's
/// directory: an overlay container's entry names its upper layer there (upper_dir).
container_summary make_summary(const container_config& c, const container_status& s,
                               const std::string& dir = {});

}  // namespace ctrd
