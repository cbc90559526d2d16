// Byte sizes as podman reads and prints them (docker/go-units): RAMInBytes for resource
// limits (`-m 64m`: binary multipliers) and HumanSize for tables (`1.5MB`: decimal units).
// Pure functions for the unit tests.
#pragma once

#include <cstdint>
#include <string>

namespace ctl {

/// Parses a memory size as podman's -m/--memory (go-units RAMInBytes): a decimal number
/// with an optional fraction, an optional space, an optional b/k/m/g/t/p multiplier (powers
/// of 1024, case-insensitive), then an optional "i" and "b" ("64m", "64MiB", "1.5g",
/// "4096", "512kb"). The result is truncated to whole bytes. Throws
/// ctrd::error{invalid_argument} "invalid memory size ..." for anything else or a value
/// that does not fit in an int64.
int64_t parse_ram_size(const std::string& text);

/// go-units HumanSize: `size` in decimal units with four significant digits, as Go's
/// "%.4g" prints them: 0 -> "0B", 999 -> "999B", 1500000 -> "1.5MB", 2e9 -> "2GB",
/// 123456 -> "123.5kB".
std::string human_size(double size);

}  // namespace ctl
