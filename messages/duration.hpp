// Durations as users write them: Go/podman style ("100ms", "1m30s", "2h", "1.5s") or a bare
// number of seconds ("10", "0.5"). Used by ctrctl flags and service files.
#pragma once

#include <cstdint>
#include <string>

namespace ctrd {

/// Parses a duration into milliseconds. Throws ctrd::error{ec::invalid_argument} naming the
/// text for malformed, negative or absurdly large (> 1 year) values.
uint64_t parse_duration_ms(const std::string& text);

/// Formats milliseconds compactly ("100ms", "1m30s", "0s").
std::string format_duration_ms(uint64_t ms);

}  // namespace ctrd
