// The container lifecycle states, named as podman prints them (podman-semantics.md §1.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ctrd {

/// Lifecycle states. Note the podman naming trap: `configured` prints as "created" and
/// `created` (process forked and held before exec) prints as "initialized".
enum class container_state : uint8_t {
  configured = 0,  ///< "created": defined, no process
  created = 1,     ///< "initialized": process forked and held before exec; attachable
  running = 2,     ///< "running"
  paused = 3,      ///< "paused": frozen
  stopping = 4,    ///< "stopping": stop signal sent, waiting for the process to end
  stopped = 5,     ///< "stopped": main process ended, its group is being torn down
  exited = 6,      ///< "exited": ended and cleaned up
  removing = 7,    ///< "removing": removal in progress
};

constexpr int container_state_count = 8;

/// podman's name ("created" for configured, "initialized" for created, ...).
const char* to_string(container_state s);

/// Parses a state as `podman wait --condition` accepts it: podman's names plus the enum
/// names ("configured" == "created", "initialized"). Returns nullopt for unknown text.
std::optional<container_state> parse_container_state(const std::string& text);

/// True for states in which the container has a live process (created, running, paused,
/// stopping, stopped).
bool has_process(container_state s);

}  // namespace ctrd
