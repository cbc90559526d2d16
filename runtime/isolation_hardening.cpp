#include "runtime/isolation_hardening.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "messages/error.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/cgroup_files.hpp"
#include "runtime/cgroup_ns.hpp"
#include "runtime/child_fs.hpp"
#include "runtime/child_side.hpp"
#include "runtime/device_rules.hpp"
#include "runtime/path_policy.hpp"

namespace ctrd {
namespace {

const char* keep(child_hardening& c, std::string s) {
  c.text.push_back(std::move(s));
  return c.text.back().c_str();
}

/// The nodes of the minimal /dev (isolation.cpp's setup_dev) and the host's directories
/// a --privileged container does not take over.
bool skipped_host_entry(const std::string& rel) {
  static const char* const names[] = {"null",   "zero", "full",      "random", "urandom",
                                      "tty",    "ptmx", "console",   "pts",    "shm",
                                      "mqueue", "fd",   "hugepages", ".lxc",   ".udev"};
  for (const char* n : names)
    if (rel == n) return true;
  return false;
}

host_device stat_device(const device_spec& d) {
  struct stat st;
  if (::stat(d.host.c_str(), &st) != 0)
    throw error(ec::invalid_argument, "--device " + d.host + ": " + std::strerror(errno));
  if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
    throw error(ec::invalid_argument,
                "--device " + d.host + ": not a character or block device node");
  return {d.container.empty() ? d.host : d.container,
          st.st_mode,
          st.st_rdev,
          st.st_uid,
          st.st_gid,
          d.permissions,
          true,
          d.host};
}

/// The host's /dev nodes for --privileged (as podman does), without those of the minimal
/// /dev and the pts/shm/mqueue trees.
void add_host_devices(std::vector<host_device>& out) {
  namespace fsys = std::filesystem;
  std::error_code ec;
  fsys::recursive_directory_iterator it("/dev", fsys::directory_options::skip_permission_denied,
                                        ec);
  for (; !ec && it != fsys::recursive_directory_iterator(); it.increment(ec)) {
    auto rel = it->path().lexically_relative("/dev").string();
    if (it.depth() == 0 && skipped_host_entry(rel)) {
      it.disable_recursion_pending();
      continue;
    }
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) continue;
    if (out.size() >= max_host_devices) return;
    out.push_back({it->path().string(), st.st_mode, st.st_rdev, st.st_uid, st.st_gid, "rwm", false,
                   it->path().string()});
  }
}

// ---- child side: system calls only ------------------------------------------------

CTRD_CHILD_SIDE const char* make_devices(const child_hardening& c, const int* trees) {
  for (std::size_t i = 0; i < c.devices.size(); ++i) {
    const auto& d = c.devices[i];
    if (!child_fs::make_dirs(d.parent, 0755)) return "create a device node's directory";
    if (d.replace) ::unlink(d.path);
    if (trees) {  // a user namespace: the host's node, bound (owner and mode are the host's)
      child_fs::make_file(d.path);  // the mount point
      if (::syscall(SYS_move_mount, trees[i], "", AT_FDCWD, d.path, MOVE_MOUNT_F_EMPTY_PATH) != 0)
        return "bind a device node (--device)";
      ::syscall(SYS_close, trees[i]);
      continue;
    }
    if (::mknod(d.path, d.mode, d.rdev) != 0) {
      if (errno == EEXIST && !d.replace) continue;
      return "create a device node (--device)";
    }
    if (::fchownat(AT_FDCWD, d.path, d.uid, d.gid, AT_SYMLINK_NOFOLLOW) != 0 ||
        ::fchmodat(AT_FDCWD, d.path, d.mode & 07777, 0) != 0)
      return "set a device node's owner and mode";
  }
  return nullptr;
}

/// unshare(CLONE_NEWCGROUP): the cgroups ctrd's set-up put this process in become the
/// namespace's roots; then the cgroup file systems, read-only unless privileged.
CTRD_CHILD_SIDE const char* enter_cgroupns(const child_hardening& c) {
  if (!c.cgroupns) return nullptr;
  if (::unshare(CLONE_NEWCGROUP) != 0) return "create the cgroup namespace";
  const unsigned long common = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  const unsigned long ro = c.cgroupfs_writable ? 0 : MS_RDONLY;
  if (c.cgroupfs_tmpfs &&
      ::mount("tmpfs", "/sys/fs/cgroup", "tmpfs", common, "mode=755,size=64k") != 0)
    return "mount a tmpfs on /sys/fs/cgroup";
  for (const auto& m : c.cgroup_mounts) {
    if (c.cgroupfs_tmpfs && ::mkdir(m.target, 0555) != 0 && errno != EEXIST)
      return "create a cgroupfs mount point";
    if (::mount(m.fstype, m.target, m.fstype, common | ro, m.options) != 0)
      return "mount the container's cgroupfs";
  }
  if (c.cgroupfs_tmpfs && ::mount(nullptr, "/sys/fs/cgroup", nullptr,
                                  MS_REMOUNT | MS_BIND | MS_RDONLY | common, nullptr) != 0)
    return "make /sys/fs/cgroup read-only";
  return nullptr;
}

CTRD_CHILD_SIDE const char* mask_paths(const child_hardening& c) {
  for (const char* p : c.masked) {
    struct stat st;
    if (::stat(p, &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) continue;  // what the kernel lacks stays absent
      return "look up a masked path";
    }
    int r = S_ISDIR(st.st_mode) ? ::mount("tmpfs", p, "tmpfs",
                                          MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755")
                                : ::mount("/dev/null", p, nullptr, MS_BIND, nullptr);
    if (r != 0) return "mask a path";
  }
  for (const char* p : c.read_only) {
    if (::mount(p, p, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
      if (errno == ENOENT) continue;
      return "bind a read-only path";
    }
    if (::mount(nullptr, p, nullptr,
                MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
      return "make a path read-only";
  }
  return nullptr;
}

}  // namespace

std::vector<host_device> container_devices(const security_spec& sec, const isolation_spec& iso) {
  std::vector<host_device> out;
  if (iso.rootfs.empty()) return out;
  if (sec.devices.size() > max_host_devices)
    throw error(ec::invalid_argument, "a container may have at most " +
                                          std::to_string(max_host_devices) + " --device nodes");
  for (const auto& d : sec.devices) out.push_back(stat_device(d));
  if (sec.privileged) add_host_devices(out);
  return out;
}

void add_confinement_limits(cgroup::limits& lim, const security_spec& sec,
                            const isolation_spec& iso, const std::vector<host_device>& devices) {
  if (iso.rootfs.empty()) return;
  lim.every_hierarchy = true;
  if (sec.privileged) return;  // every device, as podman
  lim.restrict_devices = true;
  for (const auto& r : default_device_rules()) lim.device_rules.push_back(to_text(r));
  for (const auto& d : devices)
    lim.device_rules.push_back(to_text(rule_for(d.mode, d.rdev, d.access)));
}

void check_confinement_support(const security_spec& sec, const isolation_spec& iso,
                               const cgroup::hierarchy* cgroups) {
  if (iso.rootfs.empty()) return;
  bool control = cgroups && cgroups->has_controller("devices");
  for (const auto& d : sec.devices) {
    stat_device(d);
    if (d.permissions != "rwm" && !control && !sec.privileged)
      throw error(ec::invalid_argument,
                  "--device " + format_device(d) + ": limiting a device to \"" + d.permissions +
                      "\" needs the cgroup v1 devices controller, which this host does not "
                      "have (on cgroup v2 ctrd attaches no device program): use rwm");
  }
}

void prepare_hardening(child_hardening& c, const isolation_spec& iso, const security_spec& sec,
                       const cgroup::group& group, const std::vector<host_device>& devices) {
  if (iso.rootfs.empty()) return;
  c.active = true;
  auto policy = resolve_path_policy(sec);
  c.sys_writable = policy.sys_writable;
  c.cgroupfs_writable = policy.cgroupfs_writable;
  for (const auto& p : policy.masked) c.masked.push_back(keep(c, p));
  for (const auto& p : policy.read_only) c.read_only.push_back(keep(c, p));
  for (const auto& d : devices) {
    auto parent = std::filesystem::path(d.path).parent_path().string();
    c.devices.push_back({keep(c, d.path), keep(c, parent), d.mode & (S_IFMT | 07777), d.rdev, d.uid,
                         d.gid, d.requested, keep(c, d.host)});
  }
  if (!group.valid()) return;  // no cgroups here: the namespace would show ctrd's own
  c.cgroupns = true;
  std::string mountinfo;
  cgroup::files::read("/proc/self/mountinfo", mountinfo);
  auto mounts = cgroup::namespace_mounts(mountinfo, group.dirs());
  bool v2_only = false;
  for (const auto& m : mounts) v2_only = v2_only || m.name.empty();
  c.cgroupfs_tmpfs = !v2_only;
  for (const auto& m : mounts) {
    if (v2_only != m.name.empty()) continue;
    c.cgroup_mounts.push_back(
        {keep(c, m.name.empty() ? "/sys/fs/cgroup" : "/sys/fs/cgroup/" + m.name), keep(c, m.fstype),
         m.options.empty() ? nullptr : keep(c, m.options)});
  }
}

CTRD_CHILD_SIDE const char* enter_hardening(const child_hardening& c, const int* device_trees) {
  if (!c.active) return nullptr;
  if (const char* failed = make_devices(c, device_trees)) return failed;
  if (const char* failed = enter_cgroupns(c)) return failed;
  return mask_paths(c);
}

}  // namespace ctrd
