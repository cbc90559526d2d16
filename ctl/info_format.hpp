// `ctrctl info`: podman's layout (host, store, version) filled with what ctrd has, the
// host's facts read from /proc, /sys and uname(2), and the YAML-like text podman prints.
#pragma once

#include <string>

#include "messages/value_codec.hpp"

namespace ctl {

using ctrd::json;

/// The host section: arch, os, kernel, hostname, cpus, memTotal/memFree/swapTotal/swapFree
/// (bytes), uptime, cgroupVersion (v1/v2), cgroupControllers (of the root cgroup2),
/// cgroupManager ("cgroupfs": ctrd writes the cgroup files itself).
json host_facts();

/// Renders `j` as podman's YAML: maps as "key: value" in key order, nested maps and lists
/// indented by two spaces ("- item" for list entries), strings quoted when YAML needs it.
std::string yaml_text(const json& j);

/// go-units-like "1h 2m 3.00s" uptime text podman prints, from seconds.
std::string uptime_text(double seconds);

}  // namespace ctl
