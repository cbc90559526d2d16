// File-system steps of a spawned child between clone and exec (isolation.cpp,
// isolation_hardening.cpp): system calls only, no allocation, errno left for the caller.
#pragma once

#include <sys/types.h>

namespace ctrd::child_fs {

/// mkdir -p of an absolute path with `mode` for the directories it creates (a stack buffer:
/// paths up to 4095 bytes). False on the first mkdir that fails for another reason than
/// EEXIST.
bool make_dirs(const char* path, mode_t mode);

/// Creates an empty file at `path` (a bind-mount target), not following a symlink there.
/// True when it exists afterwards as a file or a directory.
bool make_file(const char* path);

}  // namespace ctrd::child_fs
