// The rest of a rootfs container's isolation (issue 11): its cgroup namespace with a
// read-only cgroupfs at /sys/fs/cgroup, device nodes (--device, the host's with
// --privileged) and the device allow-list they need, masked and read-only /proc and /sys
// paths. Split like isolation.hpp: prepare_hardening() runs in ctrd before the clone
// and turns the container's definition into plain strings and numbers;
// enter_hardening() runs in the child at the end of enter_isolation() and only makes
// system calls. docs/security.md and docs/isolation.md describe the result.
#pragma once

#include <sys/types.h>
#include <deque>
#include <string>
#include <vector>

#include "messages/isolation.hpp"
#include "messages/security.hpp"

namespace ctrd {

namespace cgroup {
class group;
class hierarchy;
struct limits;
}  // namespace cgroup

/// Most device nodes a container gets beyond the minimal /dev (--device, and the host's
/// taken for --privileged): the child keeps one descriptor per node in a user namespace.
constexpr std::size_t max_host_devices = 512;

/// A device node as ctrd found it on the host, to be made in the container.
struct host_device {
  std::string path;  ///< path in the container
  mode_t mode = 0;   ///< S_IFCHR/S_IFBLK and permission bits of the host node
  dev_t rdev = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string access;     ///< cgroup permissions (r, w, m)
  bool requested = true;  ///< a --device (else one of the host's, for --privileged)
  std::string host;       ///< the node's host path (bound instead of made in a user namespace)
};

/// The nodes a rootfs container gets beyond the minimal /dev: its --device nodes (stat of
/// each host node now) and, with --privileged, every device node of the host's /dev (not
/// pts, shm, mqueue and those the minimal /dev has). Throws ctrd::error{ec::invalid_argument}
/// naming a --device that is missing or not a character or block device.
std::vector<host_device> container_devices(const security_spec& sec, const isolation_spec& iso);

/// Adds to `lim` what the container's cgroup needs beyond its limits: a group in every
/// hierarchy (rootfs containers: their cgroup namespace) and, unless --privileged, the
/// device allow-list (the defaults and one rule per --device in `devices`).
void add_confinement_limits(cgroup::limits& lim, const security_spec& sec,
                            const isolation_spec& iso, const std::vector<host_device>& devices);

/// What `create` checks beyond validate(): every --device exists and is a device node,
/// and permissions other than rwm have a devices controller to enforce them. Throws
/// ctrd::error{ec::invalid_argument}.
void check_confinement_support(const security_spec& sec, const isolation_spec& iso,
                               const cgroup::hierarchy* cgroups);

/// One cgroup file system mounted in the container.
struct child_cgroup_mount {
  const char* target;   ///< /sys/fs/cgroup/<name>, or /sys/fs/cgroup itself
  const char* fstype;   ///< "cgroup" or "cgroup2"
  const char* options;  ///< v1 hierarchy options, nullptr for cgroup2
};

/// A device node the child makes.
struct child_device {
  const char* path;
  const char* parent;  ///< its directory (created first)
  mode_t mode;
  dev_t rdev;
  uid_t uid;
  gid_t gid;
  bool replace;      ///< a --device: replaces a node of the minimal /dev at the same path
  const char* host;  ///< host path: in a user namespace (no mknod) the host node is bound
};

/// Everything the child needs, prepared by prepare_hardening(). Strings live in `text`.
struct child_hardening {
  bool active = false;             ///< a rootfs container: the rest applies
  bool cgroupns = false;           ///< unshare(CLONE_NEWCGROUP) (the container has a group)
  bool cgroupfs_tmpfs = false;     ///< a tmpfs at /sys/fs/cgroup holds the mounts (v1, hybrid)
  bool cgroupfs_writable = false;  ///< --privileged or unmask=/sys/fs/cgroup
  bool sys_writable = false;       ///< --privileged: /sys read-write
  std::vector<child_cgroup_mount> cgroup_mounts;
  std::vector<child_device> devices;
  std::vector<const char*> masked;
  std::vector<const char*> read_only;
  std::deque<std::string> text;  ///< owns every string above (stable addresses)
};

/// Builds the child's plan for a rootfs container: the cgroupfs mounts of `group` (the
/// container's cgroup, already created: its directories are the namespace's roots), the
/// `devices` from container_devices(), and the masked and read-only paths of `sec`.
void prepare_hardening(child_hardening& c, const isolation_spec& iso, const security_spec& sec,
                       const cgroup::group& group, const std::vector<host_device>& devices);

/// In the child, after the root, /proc, /sys, /dev and the bind mounts are in place (its
/// cgroup membership done by ctrd's set-up): the device nodes, the cgroup namespace and
/// its cgroupfs, the masked paths, the read-only paths. Async-signal-safe. Returns nullptr
/// on success, else a static text naming the step that failed (errno preserved).
/// `device_trees`: with a user namespace (which may not mknod), one detached clone of each
/// device's host node (userns_clone_node, taken before pivot_root) to bind instead; nullptr
/// otherwise.
const char* enter_hardening(const child_hardening& c, const int* device_trees = nullptr);

}  // namespace ctrd
