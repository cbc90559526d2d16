// Read-only views of a container for clients: the `inspect` map (podman's field names)
// and the `list` summary. Pure functions of config and status.
#pragma once

#include <string>

#include "messages/container_config.hpp"
#include "messages/container_status.hpp"

namespace ctrd {

/// podman-shaped inspect map (docs/protocol.md, "inspect").
json inspect_view(const container_config& c, const container_status& s,
                  const std::string& log_path);

/// An event record with podman's fields (docs/protocol.md, "Events"): Type, Status, ID,
/// Name, Time, TimeNano, Attributes (name and labels), ContainerExitCode for "died",
/// HealthStatus for "health_status".
json event_view(const container_config& c, const container_status& s, const std::string& status);

/// One `list` entry (docs/protocol.md, "list summaries").
json summary_view(const container_config& c, const container_status& s);

/// podman's NetworkSettings (docs/protocol.md "inspect"): the published ports, and what its
/// bridge networks gave it while they are set up.
json network_settings_view(const container_config& c, const container_status& s);

/// Its published ports in podman's ps form ("0.0.0.0:8080->80/tcp").
std::vector<std::string> port_strings(const isolation_spec& iso);

}  // namespace ctrd
