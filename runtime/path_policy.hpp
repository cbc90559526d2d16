// Which /proc and /sys paths a rootfs container sees masked or read-only (podman 4's
// lists), after --security-opt unmask=/mask= and --privileged. Pure: the child applies
// the result (runtime/isolation_hardening.cpp); docs/security.md "Masked and read-only paths".
#pragma once

#include <string>
#include <vector>

#include "messages/security.hpp"

namespace ctrd {

/// podman 4's masked paths: a file gets /dev/null bound over it, a directory an empty
/// read-only tmpfs; a path the kernel does not have is skipped.
extern const std::vector<std::string> default_masked_paths;

/// podman 4's read-only paths: bound onto themselves, read-only, nosuid, nodev, noexec.
/// (/sys/fs/cgroup, read-only as well, is the cgroupfs of the container: cgroupfs_writable.)
extern const std::vector<std::string> default_read_only_paths;

struct path_policy {
  std::vector<std::string> masked;     ///< in the order they are applied
  std::vector<std::string> read_only;  ///< in the order they are applied
  bool sys_writable = false;           ///< /sys mounted read-write (--privileged only)
  bool cgroupfs_writable = false;      ///< /sys/fs/cgroup's hierarchies read-write
};

/// The paths for `s`: the defaults minus what `unmask` names (ALL, exact paths or shell
/// patterns such as /proc/*, matched per path component as podman does; unmask applies to
/// the masked and the read-only defaults and to /sys/fs/cgroup), plus every `mask` path.
/// --privileged: nothing masked or read-only (mask= still applies), /sys and cgroupfs
/// read-write.
path_policy resolve_path_policy(const security_spec& s);

}  // namespace ctrd
