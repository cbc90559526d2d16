// What a container actor takes over from its predecessor:
//  * the pipes of a running container, from an actor that ended abnormally and is
//    respawned (supervisor/supervisor_recovery.cpp), or from ctrd's holder after a daemon
//    crash or upgrade (supervisor/main.cpp): output and stdin go on instead of being cut
//    off (SIGPIPE);
//  * the exit codes of processes the holder reaped while no daemon watched them (its
//    hand-over, and later exits of adopted processes that no watch claimed).
// Process-wide tables behind a mutex (any actor's thread may take from them).
#pragma once

#include <cstdint>
#include <functional>
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

/// Records the exit code of a process the holder reaped (the newest per pid).
void hand_over_exit(int64_t pid, int exit_code);
/// Called with each pid whose code was taken (the holder then forgets it); set once at start.
void on_exit_taken(std::function<void(int64_t)> forget);
/// The exit code the holder saw for `pid`, taken out of the table; false if none.
bool take_over_exit(int64_t pid, int& exit_code);
/// True when the table has a code for `pid` (left there).
bool exit_known(int64_t pid);

}  // namespace ctrd
