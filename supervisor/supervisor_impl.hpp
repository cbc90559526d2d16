// Internals of the supervisor actor, shared by its source files:
//   supervisor.cpp           behaviour, registry, create, remove, list
//   supervisor_jobs.cpp      dependency-ordered starts and the ordered shutdown
//   supervisor_services.cpp  service files: load at start, reload
//   supervisor_recovery.cpp  respawn of a failed container actor
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/atoms.hpp"
#include "actors/container.hpp"
#include "core/dependencies.hpp"
#include "core/registry.hpp"
#include "runtime/subid.hpp"
#include "supervisor/supervisor.hpp"

namespace ctrd::sup {

using promise = caf::typed_response_promise<json>;

/// What the supervisor keeps of a container: its typed handle and its replica, the last
/// summary it published (container_summary, actors/interfaces.hpp: the fields start jobs,
/// dependencies and shutdown read, and the list entry pre-encoded).
struct entry {
  container_actor actor;
  container_summary summary;
};

/// A start that waits for the target's requirements to be ready first.
struct start_job {
  std::string target_id;            // the container to start (resolved once)
  std::string target;               // its name
  std::set<std::string> deps;       // every requirement, transitively
  std::set<std::string> requested;  // requirements we asked to start
  std::set<std::string> started;    // ... and whose start was acknowledged
  std::optional<promise> rp;        // the user's request (none for boot/service starts)
  bool boot = false;                // ctrd's own start: boot starts (RestartCount kept)
  bool attach = false;
  caf::actor sub;
  uint32_t msgid = 0;
  std::string waiting;  // what the target was last told it waits for (report_waiting)
};

struct state {
  static inline const char* name = "supervisor";
  /// Shutdown: 0 = networks not asked yet, -1 = their teardown runs, 1 = done.
  int networks_down = 0;
  registry reg;
  std::unordered_map<std::string, entry> entries;  // by id
  container_deps deps;
  supervisor_options opts;
  std::map<uint64_t, start_job> jobs;
  uint64_t next_job = 1;
  bool shutting_down = false;
  std::set<std::string> to_stop;    // shutdown: names still to stop
  deps::graph stop_graph;           // shutdown: the dependencies (no create any more)
  std::set<std::string> stop_sent;  // shutdown: names asked to stop
  std::vector<caf::typed_response_promise<bool>> shutdown_waiters;
  /// The host uid and gid slices of every --userns auto container, by id (create reserves
  /// one before the store write; removal frees it).
  std::map<std::string, std::pair<subid::range, subid::range>> userns_slices;
  /// Boot-clock times of recent respawns of a failed container actor, by id
  /// (supervisor_recovery.cpp).
  std::map<std::string, std::vector<int64_t>> respawns;
};

// A class of its own, not an alias (docs/architecture.md, "Short type names").
using actor_base = supervisor_actor::stateful_base<state>;
struct actor_t final : actor_base {
  using actor_base::actor_base;
};

// supervisor.cpp
/// The daemon-wide defaults for what a definition (`create` map, service file) leaves out.
void apply_daemon_defaults(actor_t* self, const json& definition, container_config& cfg);
/// The entry of a container name, or nullptr.
entry* find_by_name(actor_t* self, const std::string& name);
/// The entry of a container id, or nullptr.
entry* find_by_id(actor_t* self, const std::string& id);
/// name -> requires of every known container.
deps::graph current_graph(actor_t* self);
/// Validates, stores and spawns a new container; `done` gets its id and name or the error.
void create_container(actor_t* self, container_config cfg,
                      std::function<void(caf::expected<created_container>)> done);

// supervisor_networks.cpp
/// A `network_*` method (docs/protocol.md "Networks"): the container-side checks here, the
/// rest delegated to the network actor. Throws ctrd::error for an unknown container.
caf::result<json> network_call(actor_t* self, const std::string& method, const json& params);

// supervisor_userns.cpp
/// --userns auto: gives `cfg` the lowest free slice of ctrd's subordinate uids and gids
/// (supervisor_options::subid_user, subuid_file, subgid_file) as its uid/gid maps. Throws
/// ctrd::error{ec::invalid_argument} with the reason (no file, no range, all taken,
/// --uidmap given too).
void assign_auto_userns(actor_t* self, container_config& cfg);
/// Records the slice of an --userns auto container (created or recovered).
void track_userns(actor_t* self, const container_config& cfg);

// supervisor_recovery.cpp
/// A container actor ended abnormally with `reason`: respawns it from the store in
/// recovery mode (logged) and returns true, or returns false when it gives up (shutdown,
/// too many failures in a row): the caller then forgets the container.
bool respawn_container(actor_t* self, const std::string& id, const caf::error& reason);

// supervisor_jobs.cpp
/// Starts container `id` once its requirements are ready (at once if it has none).
void start_with_deps(actor_t* self, const std::string& id, std::optional<promise> rp,
                     bool attach = false, caf::actor sub = {}, uint32_t msgid = 0);
/// The same by name (service and boot starts); with `boot`, the target and the requirements
/// it starts get boot starts.
void start_name_with_deps(actor_t* self, const std::string& name, bool boot);
/// Re-evaluates pending start jobs and the shutdown after a status change.
void advance_jobs(actor_t* self);
void begin_shutdown(actor_t* self);
/// daemon-reexec or a lost holder: every container actor ends, no process is stopped
/// (their pipes are with the holder), and the supervisor quits.
void hand_over_and_quit(actor_t* self, bool upgrade);

// supervisor_services.cpp
/// Reads the service directory, creates/updates/removes service containers; `done` gets
/// the reload report and the services to start: new ones with autostart, and with `boot`
/// every autostart service the user has not stopped.
void load_services(actor_t* self, bool boot,
                   std::function<void(reload_report, std::vector<std::string>)> done);

}  // namespace ctrd::sup
