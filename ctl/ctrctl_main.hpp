// ctrctl's whole program as a function: the executable's main() calls it, and so does the
// device build's multi-call executable (multicall/main.cpp) when it is run as `ctrctl`.
#pragma once

/// Parses argv, runs the command against the daemon and returns ctrctl's exit status
/// (podman's codes: 0, 125 for ctrctl's own errors, the container's status for run/wait...).
int ctrctl_main(int argc, char** argv);
