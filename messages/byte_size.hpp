// Byte sizes as podman reads them (docker/go-units RAMInBytes for `-m 64m`, FromHumanSize
// for `--log-opt max-size=10m`), and the same spellings in service files (`memory =
// "512m"`, `log_max_size = "10m"`). Shared by ctrctl and the service files.
#pragma once

#include <cstdint>
#include <string>

namespace ctrd {

/// Parses a memory size as podman's -m/--memory (go-units RAMInBytes): a decimal number
/// with an optional fraction, an optional space, an optional b/k/m/g/t/p multiplier (powers
/// of 1024, case-insensitive), then an optional "i" and "b" ("64m", "64MiB", "1.5g",
/// "4096", "512kb"). The result is truncated to whole bytes. Throws
/// ctrd::error{invalid_argument} "invalid memory size ..." for anything else or a value
/// that does not fit in an int64.
int64_t parse_ram_size(const std::string& text);

/// Parses a size as podman's --log-opt max-size (go-units FromHumanSize): a decimal number
/// with an optional k, m, g, t or p multiplier (powers of 1000, case-insensitive), an
/// optional "i" and "b" ("10m", "10MB", "1.5g", "4096"). Throws "invalid size ...".
uint64_t parse_log_size(const std::string& text);

}  // namespace ctrd
