// User namespaces (--uidmap/--gidmap, --userns auto): root in the container is an
// unprivileged uid on the host. docs/security.md "User namespaces".
//
// The container is cloned with CLONE_NEWUSER together with its other namespaces (they are
// then owned by its user namespace). ctrd's part runs in the spawner's set-up callback,
// between the clone and the child's isolation (spawn_spec::setup): it writes the child's
// uid_map and gid_map and makes idmapped mounts (open_tree + mount_setattr
// MOUNT_ATTR_IDMAP) of the root file system (for --rootfs-overlay: an overlay built from
// idmapped layers) and of every -v volume, plus a read-only clone of the host's /sys when
// the network namespace is the host's; the trees travel to the child over the set-up
// channel and it attaches them instead of its plain binds. Nothing is chowned.
//
// The child side (userns_*) makes raw system calls only (see spawner.cpp child_main).
#pragma once

#include <sys/types.h>
#include <cstddef>
#include <string>
#include <vector>

#include "messages/isolation.hpp"
#include "messages/security.hpp"
#include "runtime/fs_root.hpp"

namespace ctrd {

struct container_config;
class setup_channel;

/// What ctrd does in the parent for a container's user namespace (one run).
struct userns_plan {
  std::vector<id_range> uid_map, gid_map;  ///< empty: no user namespace
  std::string rootfs;                      ///< the root file system (an overlay's lower layer)
  std::string overlay_dir;  ///< "" or the directory holding the overlay's upper/ and work/
  std::vector<bind_mount> binds;
  bool host_sysfs = false;  ///< the network namespace is the host's: send its /sys read-only

  bool any() const { return !uid_map.empty(); }
  /// The descriptors userns_setup() sends, in order: root, one per bind, [/sys].
  std::size_t fd_count() const { return any() ? 1 + binds.size() + (host_sysfs ? 1 : 0) : 0; }
};

/// The child's part of the plan (in child_isolation).
struct child_userns {
  bool enabled = false;
  bool host_sysfs = false;   ///< /sys comes from ctrd (else a fresh sysfs of its own netns)
  std::size_t first_fd = 0;  ///< index of the root tree among the set-up descriptors
  std::size_t fd_count = 0;  ///< userns_plan::fd_count()
};

/// The plan for container `c` (its rootfs or, with `overlay_dir`, its overlay layers).
/// Throws ctrd::error{ec::invalid_argument} when --user names an id the maps leave out.
userns_plan make_userns_plan(const container_config& c, const std::string& overlay_dir);

/// Throws ctrd::error{ec::invalid_argument} when c.user (UID[:GID]) is outside the
/// container's id maps (no user namespace: nothing to check).
void check_user_mapped(const container_config& c);

/// Adds the user namespace to the child's clone flags and plan.
void add_userns(const userns_plan& plan, std::size_t first_fd, child_userns& child,
                int& clone_flags);

/// ctrd's set-up for child `pid` (cloned with CLONE_NEWUSER, waiting for its set-up):
/// writes its id maps and returns the idmapped trees to send (userns_plan::fd_count(), in
/// that order). Throws ctrd::error naming what could not be shared, e.g. a volume on a
/// file system without idmapped mounts.
std::vector<fs::unique_fd> userns_setup(pid_t pid, const userns_plan& plan);

/// Sends `fds` over the set-up channel (nothing when empty; the caller's copies close).
void send_fds(setup_channel& channel, const std::vector<fs::unique_fd>& fds);

/// The contents of /proc/<pid>/uid_map (or gid_map) for `ranges`.
std::string id_map_text(const std::vector<id_range>& ranges);

/// The host id of container id `inside` under `ranges`; false when unmapped.
bool map_to_host(const std::vector<id_range>& ranges, uint32_t inside, uint32_t& outside);

/// For its lifetime, the calling thread creates files as host ids `uid`/`gid` (its
/// file-system ids; the kernel's credentials are per thread) with every capability it has
/// kept effective: what an idmapped mount needs from a writer in ctrd (host root is not
/// mapped in it). Restores the thread's ids and capabilities when destroyed.
class fs_ids_scope {
 public:
  fs_ids_scope(uid_t uid, gid_t gid);
  ~fs_ids_scope();
  fs_ids_scope(const fs_ids_scope&) = delete;
  fs_ids_scope& operator=(const fs_ids_scope&) = delete;

 private:
  uint32_t caps_[6] = {};  ///< the thread's capability sets before (capget v3: 2 x e, p, i)
  bool have_caps_ = false;
};

// ---- child side: system calls only ------------------------------------------------

/// Mounts the child prepares before it leaves the host's tree (pivot_root): in a user
/// namespace proc and sysfs may only be mounted while a full view of them is still visible,
/// and device nodes cannot be made (mknod), so the host's are cloned. -1: none.
struct userns_mounts {
  int proc = -1;
  int sys = -1;
};

/// Once the child has looked up the host paths it needs (as host root, their owner: its
/// capabilities are its user namespace's only), and before it makes any file in the
/// container: become root in the namespace (gid, no groups, uid 0), dropping the host's
/// root credentials. Returns nullptr or the failed step.
const char* userns_become_root();

/// Before pivot_root: attaches ctrd's root tree (fds[0]) on `root`, makes a fresh proc
/// (and sysfs with a private network) or takes ctrd's /sys clone. `fds` are the plan's.
const char* userns_prepare_root(const child_userns& u, const char* root, const int* fds,
                                userns_mounts& out);

/// Attaches the detached mount `tree` at `target` and closes it.
bool userns_attach(int tree, const char* target);

/// A clone of the host's node `path` (e.g. /dev/null) to bind into the container's /dev.
int userns_clone_node(const char* path);

}  // namespace ctrd
