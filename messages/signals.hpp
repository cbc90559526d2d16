// Signal names and numbers as podman accepts them: "SIGTERM", "TERM", "term", "15",
// "RTMIN+3", "SIGRTMAX-2".
#pragma once

#include <string>

namespace ctrd {

/// Parses a signal name or number. Throws ctrd::error{ec::invalid_argument} naming the
/// input when it is not a valid signal (0 is refused too).
int parse_signal(const std::string& text);

/// "SIGTERM" for 15, "SIGRTMIN+3" for real-time signals, the number otherwise.
std::string signal_name(int sig);

}  // namespace ctrd
