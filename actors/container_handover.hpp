// Pipes of a container actor that ended abnormally, kept for the actor the supervisor
// respawns in its place (supervisor/supervisor_recovery.cpp): a running container's
// output and stdin survive the respawn instead of being cut off (SIGPIPE).
#pragma once

#include <string>

namespace ctrd {

/// The ends of a running process's pipes that ctrd holds.
struct handed_pipes {
  int out_fd = -1;  ///< stdout (with a tty: the pty master)
  int err_fd = -1;  ///< stderr (-1 with a tty)
  int in_fd = -1;   ///< stdin (interactive), or a dup of the pty master
  bool any() const { return out_fd >= 0 || err_fd >= 0 || in_fd >= 0; }
};

/// Keeps the pipes of container `id` (the ended actor's state, already unwatched).
void hand_over_pipes(const std::string& id, handed_pipes p);
/// Takes them (the respawned actor); none if nothing was handed over.
handed_pipes take_over_pipes(const std::string& id);
/// Closes them: the container is not respawned.
void drop_handed_pipes(const std::string& id);

}  // namespace ctrd
