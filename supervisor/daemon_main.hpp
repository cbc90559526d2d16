// The actor daemon's whole program as a function: ctrd-daemon's main() calls it, and so does
// the device build's multi-call executable (multicall/main.cpp) for any name but `ctrctl`.
#pragma once

namespace ctrd {

/// Parses the daemon's flags, runs it in the foreground until it is told to stop and returns
/// its exit status (0 after a clean stop, 1 when it could not start, 2 for a usage error).
int daemon_main(int argc, char** argv);

}  // namespace ctrd
