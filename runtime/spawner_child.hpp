// The child side of a spawn (spawner.hpp): what runs between clone and exec. It may share
// ctrd's memory (CLONE_VM | CLONE_VFORK) or be a copy of a multi-threaded process whose
// library locks another thread may hold, so it makes raw system calls only. Internal to
// the spawner.
#pragma once

#include <cstddef>

#include "runtime/child_side.hpp"
#include "runtime/spawner.hpp"

namespace ctrd {

/// Closes every descriptor but the `n` in `keep` (-1 entries are ignored; `keep` is sorted
/// in place).
CTRD_CHILD_SIDE void close_all_but(int* keep, std::size_t n);

/// Sets the child up (signals, session, stdio, limits, isolation, confinement, user), waits
/// on `hold_r` (>= 0) for the release and execs. `setup_r` >= 0: waits there for ctrd's
/// set-up first (spawn_spec::setup). Never returns.
[[noreturn]] CTRD_CHILD_SIDE void child_main(const spawn_spec& s, char* const* argv,
                                             char* const* envp, int hold_r, int setup_r, int in_r,
                                             int out_w, int err_w, int pty_slave);

/// exec: joins the container's namespaces. With a PID namespace the process must be a
/// child of the joiner: it forks, reports the grandchild's pid on `report_w` and the joiner
/// exits; the grandchild returns.
void join_namespaces(const spawn_spec& s, int report_w);

}  // namespace ctrd
