// The warning `create` gives for a --rootfs that users other than root can write to (the
// directory itself or one of its parents): a setuid binary planted there runs as root in
// the container. ctrd never changes the permissions of a user's directory.
// docs/security.md "Rootfs ownership".
#pragma once

#include <sys/types.h>
#include <string>

namespace ctrd {

/// True when a directory with `mode` owned by `uid` lets users other than root change
/// its entries: owned by a non-root user, or group/other-writable without the sticky bit.
bool writable_by_others(mode_t mode, uid_t uid);

/// "" when `rootfs` and every parent directory of it (symbolic links resolved) are safe,
/// else the warning naming the rootfs (and the parent that makes it unsafe).
std::string rootfs_warning(const std::string& rootfs);

}  // namespace ctrd
