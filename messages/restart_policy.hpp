// Restart policy values as podman parses them (podman-semantics.md §2.1).
#pragma once

#include <cstdint>
#include <string>

namespace ctrd {

/// The policy kinds. `no` never restarts.
enum class restart_kind : uint8_t { no, on_failure, always, unless_stopped };

/// A container's restart policy: kind plus, for on-failure, the retry cap (0 = unlimited).
struct restart_policy {
  restart_kind kind = restart_kind::no;
  uint32_t max_retries = 0;
};

/// Parses "", "no", "never", "on-failure", "on-failure:N", "always", "unless-stopped".
/// Throws ctrd::error{ec::invalid_argument} with podman's wording for bad input.
restart_policy parse_restart_policy(const std::string& text);

/// podman's policy name ("no", "on-failure", "always", "unless-stopped").
const char* to_string(restart_kind k);

}  // namespace ctrd
