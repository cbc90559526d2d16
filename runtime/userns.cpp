#include "runtime/userns.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "messages/container_config.hpp"
#include "messages/error.hpp"
#include "runtime/child_side.hpp"
#include "runtime/resource_error.hpp"
#include "runtime/spawner.hpp"

namespace ctrd {
namespace {

/// A name for the file system at `path` in error messages.
std::string fs_name(const std::string& path) {
  struct statfs st;
  if (::statfs(path.c_str(), &st) != 0) return "unknown";
  struct known {
    unsigned long magic;
    const char* name;
  };
  static const known names[] = {
      {EXT4_SUPER_MAGIC, "ext4"},
      {XFS_SUPER_MAGIC, "xfs"},
      {BTRFS_SUPER_MAGIC, "btrfs"},
      {TMPFS_MAGIC, "tmpfs"},
      {OVERLAYFS_SUPER_MAGIC, "overlay"},
      {NFS_SUPER_MAGIC, "nfs"},
      {0x65735546, "fuse"},
      {PROC_SUPER_MAGIC, "proc"},
      {SYSFS_MAGIC, "sysfs"},
      {V9FS_MAGIC, "9p"},
      {0xFF534D42, "cifs"},
      {0xFE534D42, "smb2"},
      {RAMFS_MAGIC, "ramfs"},
      {SQUASHFS_MAGIC, "squashfs"},
      {MSDOS_SUPER_MAGIC, "vfat"},
      {0x00c36400, "ceph"},
      {ECRYPTFS_SUPER_MAGIC, "ecryptfs"},
  };
  for (const auto& k : names)
    if (static_cast<unsigned long>(st.f_type) == k.magic) return k.name;
  char hex[32];
  std::snprintf(hex, sizeof hex, "type 0x%lx", static_cast<unsigned long>(st.f_type));
  return hex;
}

int mount_setattr(int fd, unsigned flags, uint64_t set, int userns) {
  mount_attr a{};
  a.attr_set = set;
  a.userns_fd = static_cast<uint64_t>(userns);
  return static_cast<int>(
      ::syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | flags, &a, sizeof a));
}

/// A detached clone of `path` (recursive: with what is mounted below it) whose ids are
/// mapped through `userns`; read-only when `ro`.
fs::unique_fd idmapped_tree(const std::string& path, const std::string& what, int userns,
                            bool recursive, bool ro) {
  unsigned rec = recursive ? AT_RECURSIVE : 0;
  fs::unique_fd tree(static_cast<int>(
      ::syscall(SYS_open_tree, AT_FDCWD, path.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec)));
  if (!tree) throw_errno(ec::internal, "cannot clone " + what + " for the user namespace", errno);
  if (mount_setattr(tree.get(), rec, MOUNT_ATTR_IDMAP | (ro ? MOUNT_ATTR_RDONLY : 0), userns) !=
      0) {
    int e = errno;
    if (e == EINVAL)  // the file system lacks FS_ALLOW_IDMAP
      throw error(ec::invalid_argument,
                  "cannot share " + what +
                      " with the container's user namespace: its file system (" + fs_name(path) +
                      ") does not support idmapped mounts" +
                      (recursive ? " (or one mounted below it does not)" : ""));
    throw_errno(ec::internal, "cannot make an idmapped mount of " + what, e);
  }
  return tree;
}

/// An overlay of the idmapped layers: `lower` (the rootfs) and upper/ and work/ of the
/// idmapped directory `dir`. Built in a thread of its own whose file-system ids are the
/// container root's host ids (the overlay creates its work files and copy-ups with its
/// creator's credentials, which must be mapped by the layers' idmapping; host root is not),
/// with every capability it has kept effective. The thread's credentials end with it.
fs::unique_fd idmapped_overlay(const fs::unique_fd& lower, const fs::unique_fd& dir,
                               const std::string& rootfs, uint32_t fsuid, uint32_t fsgid) {
  fs::unique_fd upper(::openat(dir.get(), "upper", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  fs::unique_fd work(::openat(dir.get(), "work", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!upper || !work)
    throw_errno(ec::internal, "cannot open the overlay layers of rootfs \"" + rootfs + "\"", errno);
  fs::unique_fd result;
  const char* step = nullptr;
  int err = 0;
  std::thread([&] {
    fs_ids_scope as_root(fsuid, fsgid);
    fs::unique_fd fsfd(static_cast<int>(::syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC)));
    auto set_fd = [&](const char* key, int fd) {
      return ::syscall(SYS_fsconfig, fsfd.get(), FSCONFIG_SET_FD, key, nullptr, fd) == 0;
    };
    if (!fsfd)
      step = "open an overlay";
    else if (!set_fd("lowerdir+", lower.get()) || !set_fd("upperdir", upper.get()) ||
             !set_fd("workdir", work.get()))
      step = "give the overlay its idmapped layers (needs Linux 6.13 or later)";
    else if (::syscall(SYS_fsconfig, fsfd.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
      step = "create the overlay of idmapped layers";
    else if ((result = fs::unique_fd(
                  static_cast<int>(::syscall(SYS_fsmount, fsfd.get(), FSMOUNT_CLOEXEC, 0)))),
             !result)
      step = "mount the overlay of idmapped layers";
    err = errno;
  }).join();
  if (step)
    throw_errno(ec::internal, std::string("cannot ") + step + " for rootfs \"" + rootfs + "\"",
                err);
  return result;
}

void write_map(pid_t pid, const char* file, const std::vector<id_range>& ranges) {
  auto path = "/proc/" + std::to_string(pid) + "/" + file;
  auto text = id_map_text(ranges);
  fs::unique_fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw_errno(ec::internal, std::string("cannot write the container's ") + file, errno);
}

}  // namespace

fs_ids_scope::fs_ids_scope(uid_t uid, gid_t gid) {
  __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct d[2];
  have_caps_ = ::syscall(SYS_capget, &h, d) == 0;
  if (have_caps_) std::memcpy(caps_, d, sizeof d);
  ::syscall(SYS_setfsgid, gid);
  ::syscall(SYS_setfsuid, uid);  // drops the file-system capabilities from the effective set
  if (have_caps_) {
    d[0].effective = d[0].permitted;
    d[1].effective = d[1].permitted;
    ::syscall(SYS_capset, &h, d);
  }
}

fs_ids_scope::~fs_ids_scope() {
  ::syscall(SYS_setfsuid, ::geteuid());
  ::syscall(SYS_setfsgid, ::getegid());
  if (have_caps_) {
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct d[2];
    std::memcpy(d, caps_, sizeof d);
    ::syscall(SYS_capset, &h, d);
  }
}

void send_fds(setup_channel& channel, const std::vector<fs::unique_fd>& fds) {
  if (fds.empty()) return;
  std::vector<int> raw;
  for (const auto& f : fds) raw.push_back(f.get());
  channel.send(raw.data(), raw.size());
}

std::string id_map_text(const std::vector<id_range>& ranges) {
  std::string out;
  for (const auto& r : ranges)
    out += std::to_string(r.inside) + " " + std::to_string(r.outside) + " " +
           std::to_string(r.count) + "\n";
  return out;
}

bool map_to_host(const std::vector<id_range>& ranges, uint32_t inside, uint32_t& outside) {
  for (const auto& r : ranges)
    if (inside >= r.inside && uint64_t{inside} < uint64_t{r.inside} + r.count) {
      outside = r.outside + (inside - r.inside);
      return true;
    }
  return false;
}

userns_plan make_userns_plan(const container_config& c, const std::string& overlay_dir) {
  userns_plan p;
  const auto& sec = c.security;
  if (!sec.private_user()) return p;
  if (sec.uid_map.empty())
    throw error(ec::internal, "container " + c.name + " has --userns auto but no id ranges");
  p.uid_map = sec.uid_map;
  p.gid_map = sec.gid_map.empty() ? sec.uid_map : sec.gid_map;
  p.rootfs = c.isolation.rootfs;
  if (c.isolation.rootfs_overlay) p.overlay_dir = overlay_dir;
  p.binds = c.isolation.mounts;
  p.host_sysfs = !c.isolation.private_net();
  if (p.fd_count() > max_setup_fds)
    throw error(ec::invalid_argument, "a container with a user namespace may have at most " +
                                          std::to_string(max_setup_fds - 2) + " volumes");
  check_user_mapped(c);
  return p;
}

void check_user_mapped(const container_config& c) {
  const auto& sec = c.security;
  if (!sec.private_user() || sec.uid_map.empty()) return;
  uint32_t uid = 0, gid = 0, host;
  bool has_gid = false;
  if (!c.user.empty()) parse_user(c.user, uid, gid, has_gid);
  if (!map_to_host(sec.uid_map, uid, host))
    throw error(ec::invalid_argument, "user " + std::to_string(uid) +
                                          " is not mapped in the container's user namespace "
                                          "(--uidmap): nothing can run as that user");
  if (!map_to_host(sec.gid_map.empty() ? sec.uid_map : sec.gid_map, gid, host))
    throw error(ec::invalid_argument, "group " + std::to_string(gid) +
                                          " is not mapped in the container's user namespace "
                                          "(--gidmap): nothing can run as that group");
}

void add_userns(const userns_plan& plan, std::size_t first_fd, child_userns& child,
                int& clone_flags) {
  if (!plan.any()) return;
  clone_flags |= CLONE_NEWUSER;
  child.enabled = true;
  child.host_sysfs = plan.host_sysfs;
  child.first_fd = first_fd;
  child.fd_count = plan.fd_count();
}

std::vector<fs::unique_fd> userns_setup(pid_t pid, const userns_plan& plan) {
  std::vector<fs::unique_fd> out;
  if (!plan.any()) return out;
  // As root in the parent namespace ctrd may write any mapping; setgroups stays allowed.
  write_map(pid, "uid_map", plan.uid_map);
  write_map(pid, "gid_map", plan.gid_map);
  auto ns_path = "/proc/" + std::to_string(pid) + "/ns/user";
  fs::unique_fd userns(::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!userns) throw_errno(ec::internal, "cannot open the container's user namespace", errno);
  const std::string root_what = "the root file system \"" + plan.rootfs + "\"";
  if (plan.overlay_dir.empty()) {
    out.push_back(idmapped_tree(plan.rootfs, root_what, userns.get(), true, false));
  } else {
    // overlayfs itself cannot be idmapped: its layers are, and the overlay is built on them.
    auto lower = idmapped_tree(plan.rootfs, root_what, userns.get(), true, false);
    auto dir = idmapped_tree(plan.overlay_dir, "the overlay layers in \"" + plan.overlay_dir + "\"",
                             userns.get(), false, false);
    uint32_t fsuid = plan.uid_map[0].outside, fsgid = plan.gid_map[0].outside;
    map_to_host(plan.uid_map, 0, fsuid);
    map_to_host(plan.gid_map, 0, fsgid);
    out.push_back(idmapped_overlay(lower, dir, plan.rootfs, fsuid, fsgid));
  }
  for (const auto& b : plan.binds)
    out.push_back(
        idmapped_tree(b.source, "volume \"" + b.source + "\"", userns.get(), true, b.read_only));
  if (plan.host_sysfs) {
    // sysfs can only be mounted by the owner of the network namespace, here the host's:
    // its /sys, without what is mounted below it (cgroups), read-only.
    fs::unique_fd sys(static_cast<int>(
        ::syscall(SYS_open_tree, AT_FDCWD, "/sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)));
    if (!sys ||
        mount_setattr(sys.get(), 0,
                      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                      -1) != 0)
      throw_errno(ec::internal, "cannot clone the host's /sys for the container", errno);
    out.push_back(std::move(sys));
  }
  return out;
}

// ---- child side ---------------------------------------------------------------------

CTRD_CHILD_SIDE const char* userns_become_root() {
  if (::syscall(SYS_setresgid, 0, 0, 0) != 0 || ::syscall(SYS_setgroups, 0, nullptr) != 0 ||
      ::syscall(SYS_setresuid, 0, 0, 0) != 0)
    return "become root in the user namespace";
  return nullptr;
}

CTRD_CHILD_SIDE bool userns_attach(int tree, const char* target) {
  bool ok = ::syscall(SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) == 0;
  ::syscall(SYS_close, tree);
  return ok;
}

CTRD_CHILD_SIDE int userns_clone_node(const char* path) {
  return static_cast<int>(
      ::syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
}

namespace {

/// A fresh mount of file system `type` (proc, sysfs), detached.
CTRD_CHILD_SIDE int fresh_mount(const char* type, unsigned attrs) {
  long fs = ::syscall(SYS_fsopen, type, FSOPEN_CLOEXEC);
  if (fs < 0) return -1;
  long m = -1;
  if (::syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) == 0)
    m = ::syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs);
  int e = errno;
  ::syscall(SYS_close, fs);
  errno = e;
  return static_cast<int>(m);
}

}  // namespace

CTRD_CHILD_SIDE const char* userns_prepare_root(const child_userns& u, const char* root,
                                                const int* fds, userns_mounts& out) {
  if (!userns_attach(fds[0], root)) return "attach the idmapped root file system";
  const unsigned safe = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  out.proc = fresh_mount("proc", safe);
  if (out.proc < 0) return "mount /proc";
  out.sys = u.host_sysfs ? fds[u.fd_count - 1] : fresh_mount("sysfs", safe | MOUNT_ATTR_RDONLY);
  if (out.sys < 0) return "mount /sys";
  return nullptr;
}

}  // namespace ctrd
