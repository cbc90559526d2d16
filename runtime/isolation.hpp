// The native runtime's isolation: what the spawner does between fork and exec to put a
// container into its own namespaces and root file system, and the overlay layer mounted
// for --rootfs-overlay.
//
// Split in two halves because the child of a multi-threaded daemon may only make
// async-signal-safe calls: prepare_isolation() runs in ctrd before the fork and turns a
// container's isolation_spec into plain C strings and flags; enter_isolation() runs in the
// child and only makes system calls. docs/isolation.md describes the resulting container.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "messages/isolation.hpp"
#include "runtime/isolation_hardening.hpp"
#include "runtime/userns.hpp"

namespace ctrd {

namespace cgroup {
class hierarchy;
}

/// What `create` checks against this host (clear errors before anything exists): the
/// rootfs and bind sources exist, namespaces and mounts need root, overlayfs is available
/// for --rootfs-overlay, and every requested limit has its cgroup controller.
/// Throws ctrd::error{ec::invalid_argument}.
void check_host_support(const isolation_spec& spec, const cgroup::hierarchy* cgroups);

/// One bind mount, ready for the child.
struct child_bind {
  const char* source;       ///< host path
  const char* destination;  ///< path in the container (resolved after pivot_root)
  bool read_only;
  bool is_dir;  ///< create a directory (else an empty file) as mount point
};

/// One tmpfs mount, ready for the child.
struct child_tmpfs {
  const char* destination;  ///< path in the container
  const char* options;      ///< kernel options ("size=64m,mode=1777")
  unsigned long flags;      ///< MS_RDONLY, MS_NOEXEC, MS_NOSUID, MS_NODEV
};

/// Everything the child needs, prepared by prepare_isolation(). Strings live in `text`.
struct child_isolation {
  int clone_flags = 0;          ///< CLONE_NEW* for clone()
  bool private_mounts = false;  ///< a private mount namespace (propagation cut off)
  const char* root = nullptr;   ///< host path of the new root, nullptr: keep the host's /
  bool mount_proc = false;      ///< mount a fresh /proc (private PID namespace)
  bool read_only = false;
  const char* hostname = nullptr;
  bool loopback_up = false;  ///< own network namespace: bring lo up
  std::vector<child_bind> binds;
  std::vector<child_tmpfs> tmpfs;
  /// The order of the mounts: index < binds.size() is a bind, else tmpfs[index - binds.size()];
  /// shallow destinations first, so a mount inside another one is not hidden by it.
  std::vector<std::size_t> mount_order;
  child_userns userns;           ///< a user namespace: its mounts come from ctrd (userns.hpp)
  std::deque<std::string> text;  ///< owns every string above (stable addresses)
  child_hardening hardening;     ///< cgroupns, devices, masks (isolation_hardening.hpp)

  bool any() const { return clone_flags != 0; }
};

/// Builds the child's plan for `spec`. `root` is the directory to pivot into (the rootfs,
/// or the overlay's merged directory; "" for none); `default_hostname` is used with a
/// private UTS namespace and no explicit host name. Checks what can be checked in ctrd
/// (the root and every bind source exist) and throws ctrd::error{ec::invalid_argument}
/// naming the path otherwise.
child_isolation prepare_isolation(const isolation_spec& spec, const std::string& root,
                                  const std::string& default_hostname);

/// In the child, after clone(clone_flags): private propagation, bind the root, pivot_root,
/// /proc, /sys, a minimal /dev (null zero full random urandom tty, pts, shm, fd links),
/// /tmp, bind mounts, read-only root with tmpfs /tmp /run /var/tmp, host name, loopback.
/// `setup_fds` are the `count` descriptors ctrd's set-up sent (spawn_spec::setup).
/// Async-signal-safe. Returns nullptr on success, else a static text naming the step that
/// failed (errno is preserved for the caller's message).
const char* enter_isolation(const child_isolation& iso, const int* setup_fds, std::size_t count);

/// Mounts an overlay of `lower` (read-only) with `upper`/`work` (created if missing) at
/// `merged` in ctrd's own mount namespace. Throws ctrd::error{ec::internal} with the
/// kernel's reason.
void mount_overlay(const std::string& lower, const std::string& upper, const std::string& work,
                   const std::string& merged);

/// Unmounts `merged` if it is mounted (lazy detach, so a lingering user cannot block it).
void unmount_overlay(const std::string& merged);

/// True if `path` is a mount point (its device differs from its parent's).
bool is_mount_point(const std::string& path);

}  // namespace ctrd
