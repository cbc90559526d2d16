// Byte sizes as podman reads and prints them (docker/go-units): RAMInBytes for resource
// limits (`-m 64m`: binary multipliers) and HumanSize for tables (`1.5MB`: decimal units).
// Pure functions for the unit tests.
#pragma once

#include <cstdint>
#include <string>

#include "messages/byte_size.hpp"

namespace ctl {

/// Parses a memory size as podman's -m/--memory (messages/byte_size.hpp).
using ctrd::parse_ram_size;

/// go-units HumanSize: `size` in decimal units with four significant digits, as Go's
/// "%.4g" prints them: 0 -> "0B", 999 -> "999B", 1500000 -> "1.5MB", 2e9 -> "2GB",
/// 123456 -> "123.5kB".
std::string human_size(double size);

}  // namespace ctl
