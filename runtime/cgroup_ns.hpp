// The cgroup file systems a container with a cgroup namespace sees at /sys/fs/cgroup: one
// mount per hierarchy it has its own group in (cgroup::group::dirs()), named as on the
// host. Pure (works on /proc/self/mountinfo's text); the child mounts them after
// unshare(CLONE_NEWCGROUP), so each shows the container's group as its root
// (runtime/isolation_hardening.cpp, docs/security.md "Cgroup namespace and cgroupfs").
#pragma once

#include <string>
#include <vector>

namespace ctrd::cgroup {

/// One cgroup file system to mount inside.
struct ns_mount {
  std::string name;     ///< directory below /sys/fs/cgroup ("" = /sys/fs/cgroup itself)
  std::string fstype;   ///< "cgroup" (v1) or "cgroup2"
  std::string options;  ///< v1: the hierarchy ("memory", "cpu,cpuacct", "none,name=systemd")
};

/// The mounts for a group with directories `dirs`, from the host's `mountinfo` text: for
/// each directory the cgroup mount it lies in. A cgroup2 mounted at /sys/fs/cgroup itself
/// gives name "" (a pure v2 host). Duplicates (co-mounted controllers) are dropped.
std::vector<ns_mount> namespace_mounts(const std::string& mountinfo,
                                       const std::vector<std::string>& dirs);

}  // namespace ctrd::cgroup
