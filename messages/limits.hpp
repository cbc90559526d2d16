// Limits that more than one part of ctrd (or ctrd and ctrctl) must agree on, in one place.
// Each is part of the protocol or of ctrd's documented behaviour (docs/protocol.md,
// docs/io.md); changing one changes what clients may send.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ctrd::limits {

/// Longest duration a definition may hold (restart delays, health intervals, ...): 30 days,
/// so every duration fits in 32 bits of milliseconds.
constexpr uint32_t max_duration_ms = 30u * 86400u * 1000u;

/// Most stdin bytes ctrd holds for a container or exec process that does not read them;
/// beyond it input is dropped (docs/io.md).
constexpr std::size_t stdin_backlog_bytes = 1u << 20;

}  // namespace ctrd::limits
