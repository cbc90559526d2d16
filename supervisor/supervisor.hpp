// The supervisor actor: owns the registry (names, ids, prefixes), creates container
// actors, keeps a read replica of every container's summary for cheap `list` calls, and
// runs the ordered daemon shutdown. Restart policies and dependencies (later issues) are
// decided here from pure functions.
//
// Its protocol is supervisor_actor (actors/interfaces.hpp): every request that names a
// container is resolved here once and delegated to the container actor.
#pragma once

#include <functional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/interfaces.hpp"
#include "actors/spawn_mode.hpp"
#include "messages/rpc.hpp"
#include "runtime/state_store.hpp"

namespace ctrd {

class host;
class disk_space;
namespace seccomp {
class cache;
}
namespace cgroup {
class hierarchy;
}

/// Daemon-wide settings the supervisor needs.
struct supervisor_options {
  std::string containers_dir;         ///< <root>/containers
  std::string log_dir;                ///< container logs: <log_dir>/<id>/ctr.log (--log-dir)
  std::string config_dir;             ///< service files (<name>.toml); "" = none
  std::string run_dir;                ///< the control socket's directory
  uint64_t log_max_size = 10u << 20;  ///< for containers that set no log_max_size
  uint32_t log_max_files = 5;         ///< for containers that set no log_max_files
  int64_t default_pids_limit = 0;     ///< for containers created without pids_limit (0: none)
  std::function<void()> on_shutdown;  ///< called once when the shutdown begins (STOPPING=1)
  /// Called once when the daemon hands over instead (upgrade: daemon-reexec, else the
  /// holder is gone); unset when no holder runs ctrd-daemon (daemon-reexec is refused).
  std::function<void(bool upgrade)> on_handover;
  disk_space* space = nullptr;  ///< free-space reserve of --root; outlives the actor system
  /// Reserve and cap of the logs' file system (== space unless --log-dir is on another one).
  disk_space* log_space = nullptr;
  uint64_t default_caps = 0x800405fbull;    ///< --default-capabilities
  seccomp::cache* seccomp = nullptr;        ///< compiled filters; outlives the actor system
  std::string subid_user = "ctrd";          ///< --userns auto takes this user's/group's ranges
  std::string subuid_file = "/etc/subuid";  ///< ... from these files
  std::string subgid_file = "/etc/subgid";
  std::string netns_dir;                   ///< <root>/netns ("" = networks unusable: tests)
  std::string network_config_dir;          ///< netavark's --config
  spawn_mode mode = spawn_mode::detached;  ///< its own thread; `scheduled` in deterministic tests
};

/// Parses a size like podman's --log-opt max-size: bytes, or k/m/g (decimal, as podman).
/// Throws ctrd::error{ec::invalid_argument}.
uint64_t parse_size(const std::string& text);

}  // namespace ctrd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::supervisor_options)

namespace ctrd {

/// Spawns the supervisor with the containers loaded from the store (recovered at once),
/// then loads the service files and starts what should run after a ctrd start.
/// `cgroups` (may be nullptr) must outlive the actor system.
supervisor_actor spawn_supervisor(caf::actor_system& sys, store_actor store, event_bus_actor events,
                                  ctrd::host* host, const cgroup::hierarchy* cgroups,
                                  supervisor_options opts, load_result loaded);

/// Adds the environment every container gets unless it sets it: PATH, HOME, container=ctrd.
void apply_create_defaults(container_config& c);

}  // namespace ctrd
