// A HELPER RUN: one short-lived program (netavark) run through the host loop, which spawns
// it, carries its pipes and reaps it, so no handler waits on it. The requester sends
// (run_atom) once and gets (exit code, stdout, stderr) when the program has exited and its
// pipes are drained; the actor then ends. Output beyond 1 MiB per stream is dropped.
// A program that cannot be spawned gives exit code 127 and the reason as stderr. Its
// protocol is helper_run_actor (actors/interfaces.hpp).
#pragma once

#include <string>
#include <vector>

#include <caf/actor_system.hpp>

#include "actors/interfaces.hpp"

namespace ctrd {

/// What to run: the program, its argv and environment, the bytes for its stdin.
struct helper_command {
  std::string path;
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string input;
};

/// Spawns the actor; the program starts at once, its result waits for (run_atom).
helper_run_actor spawn_helper_run(caf::actor_system& sys, host* h, helper_command cmd);

}  // namespace ctrd
