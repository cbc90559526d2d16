#include "runtime/isolation.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "messages/error.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/child_fs.hpp"

namespace ctrd {
namespace {

/// Most bind mounts a container may have (the child keeps their trees in a fixed array).
constexpr std::size_t max_binds = 64;

const char* keep(child_isolation& iso, std::string s) {
  iso.text.push_back(std::move(s));
  return iso.text.back().c_str();
}

// ---- child side: system calls only ------------------------------------------------

using child_fs::make_dirs;
using child_fs::make_file;

bool device_node(const char* path, unsigned maj, unsigned min) {
  if (::mknod(path, S_IFCHR | 0666, makedev(maj, min)) != 0 && errno != EEXIST) return false;
  return ::chmod(path, 0666) == 0;
}

bool loopback_up() {
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return false;
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::memcpy(ifr.ifr_name, "lo", 3);
  bool ok = ::ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
  ok = ok && ::ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
  ::close(s);
  return ok;
}

bool tmpfs(const char* target, const char* options, unsigned long flags) {
  return make_dirs(target, 0755) && ::mount("tmpfs", target, "tmpfs", flags, options) == 0;
}

/// The device nodes of the minimal /dev.
struct dev_node {
  const char* path;
  unsigned major, minor;
};
constexpr dev_node dev_nodes[] = {{"/dev/null", 1, 3},    {"/dev/zero", 1, 5},
                                  {"/dev/full", 1, 7},    {"/dev/random", 1, 8},
                                  {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
constexpr std::size_t dev_node_count = sizeof dev_nodes / sizeof dev_nodes[0];

/// The minimal /dev podman gives a container, on a fresh tmpfs. With `node_trees` (a user
/// namespace, where mknod is refused) the host's nodes are bound instead, as crun does.
const char* setup_dev(int* node_trees) {
  if (!tmpfs("/dev", "mode=755,size=65536k", MS_NOSUID | MS_STRICTATIME)) return "mount /dev";
  for (std::size_t i = 0; i < dev_node_count; ++i) {
    const auto& n = dev_nodes[i];
    if (node_trees ? !make_file(n.path) || !userns_attach(node_trees[i], n.path)
                   : !device_node(n.path, n.major, n.minor))
      return "create the device nodes in /dev";
  }
  if (!make_dirs("/dev/pts", 0755) || ::mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                                              "newinstance,ptmxmode=0666,mode=0620") != 0)
    return "mount /dev/pts";
  if (::symlink("pts/ptmx", "/dev/ptmx") != 0) return "link /dev/ptmx";
  if (!tmpfs("/dev/shm", "mode=1777,size=65536k", MS_NOSUID | MS_NODEV | MS_NOEXEC))
    return "mount /dev/shm";
  if (::symlink("/proc/self/fd", "/dev/fd") != 0 ||
      ::symlink("/proc/self/fd/0", "/dev/stdin") != 0 ||
      ::symlink("/proc/self/fd/1", "/dev/stdout") != 0 ||
      ::symlink("/proc/self/fd/2", "/dev/stderr") != 0)
    return "create the /dev links";
  return nullptr;
}

/// True if --tmpfs/--mount already put a tmpfs at `dir` (--read-only keeps it).
bool user_tmpfs(const child_isolation& iso, const char* dir) {
  for (const auto& t : iso.tmpfs) {
    std::size_t i = 0;  // no library call in the child
    while (t.destination[i] && t.destination[i] == dir[i]) ++i;
    if (t.destination[i] == dir[i]) return true;
  }
  return false;
}

const char* mount_binds(const child_isolation& iso, const int* trees) {
  for (std::size_t n = 0; n < iso.mount_order.size(); ++n) {
    std::size_t i = iso.mount_order[n];
    if (i >= iso.binds.size()) {
      const auto& t = iso.tmpfs[i - iso.binds.size()];
      if (!make_dirs(t.destination, 0755)) return "create a tmpfs mount point";
      if (::mount("tmpfs", t.destination, "tmpfs", t.flags, t.options) != 0)
        return "mount a tmpfs (--tmpfs)";
      continue;
    }
    const auto& b = iso.binds[i];
    if (b.is_dir ? !make_dirs(b.destination, 0755) : !make_file(b.destination))
      return "create a bind mount's mount point";
    if (::syscall(SYS_move_mount, trees[i], "", AT_FDCWD, b.destination, MOVE_MOUNT_F_EMPTY_PATH) !=
        0)
      return "attach a bind mount";
    ::close(trees[i]);
    if (b.read_only && ::mount(nullptr, b.destination, nullptr,
                               MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, nullptr) != 0)
      return "make a bind mount read-only";
  }
  return nullptr;
}

}  // namespace

void check_host_support(const isolation_spec& spec, const cgroup::hierarchy* cgroups) {
  auto fail = [](const std::string& m) { throw error(ec::invalid_argument, m); };
  bool needs_root =
      spec.private_mounts() || spec.private_ipc() || spec.private_uts() || spec.private_net();
  if (needs_root && ::geteuid() != 0)
    fail("a root file system and private namespaces need ctrd to run as root");
  struct stat st;
  if (!spec.rootfs.empty() && (::stat(spec.rootfs.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)))
    fail("rootfs \"" + spec.rootfs + "\" does not exist or is not a directory");
  for (const auto& m : spec.mounts)
    if (::stat(m.source.c_str(), &st) != 0)
      fail("bind mount source \"" + m.source + "\" does not exist");
  if (spec.rootfs_overlay && !std::filesystem::exists("/sys/module/overlay") &&
      !std::filesystem::exists("/sys/fs/overlay")) {
    // Built-in overlayfs shows in /proc/filesystems only.
    FILE* f = std::fopen("/proc/filesystems", "r");
    bool found = false;
    char line[128];
    while (f && std::fgets(line, sizeof line, f))
      if (std::strstr(line, "overlay")) found = true;
    if (f) std::fclose(f);
    if (!found) fail("--rootfs-overlay needs overlayfs, which this kernel does not offer");
  }
  if (!spec.has_limits()) return;
  if (!cgroups || cgroups->kind() == cgroup::layout::none)
    fail("resource limits need cgroups, which are not usable here: " +
         (cgroups ? cgroups->unavailable_reason() : std::string("not set up")));
  auto need = [&](bool wanted, const char* controller, const char* flag) {
    if (wanted && !cgroups->has_controller(controller))
      fail(std::string(flag) + " needs the " + controller +
           " cgroup controller, which this host does not have");
  };
  need(spec.memory != 0, "memory", "--memory");
  need(spec.cpus > 0 || spec.cpu_shares != 0, "cpu", spec.cpus > 0 ? "--cpus" : "--cpu-shares");
  need(spec.pids_limit > 0, "pids", "--pids-limit");
}

child_isolation prepare_isolation(const isolation_spec& spec, const std::string& root,
                                  const std::string& default_hostname) {
  child_isolation iso;
  if (spec.private_mounts()) iso.clone_flags |= CLONE_NEWNS;
  if (spec.private_pid()) iso.clone_flags |= CLONE_NEWPID;
  if (spec.private_ipc()) iso.clone_flags |= CLONE_NEWIPC;
  if (spec.private_uts()) iso.clone_flags |= CLONE_NEWUTS;
  if (spec.private_net()) iso.clone_flags |= CLONE_NEWNET;
  iso.private_mounts = spec.private_mounts();
  iso.mount_proc = spec.private_pid();
  iso.read_only = spec.read_only;
  iso.loopback_up = spec.private_net();
  if (spec.private_uts())
    iso.hostname =
        keep(iso, (spec.hostname.empty() ? default_hostname : spec.hostname).substr(0, 64));
  if (!root.empty()) {
    struct stat st;
    if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      throw error(ec::invalid_argument,
                  "rootfs \"" + root + "\" does not exist or is not a directory");
    iso.root = keep(iso, root);
  }
  if (spec.mounts.size() > max_binds)
    throw error(ec::invalid_argument,
                "a container may have at most " + std::to_string(max_binds) + " bind mounts");
  for (const auto& m : spec.mounts) {
    struct stat st;
    if (::stat(m.source.c_str(), &st) != 0)
      throw error(ec::invalid_argument, "bind mount source \"" + m.source + "\" does not exist");
    iso.binds.push_back(
        {keep(iso, m.source), keep(iso, m.destination), m.read_only, S_ISDIR(st.st_mode)});
  }
  if (spec.tmpfs.size() > max_binds)
    throw error(ec::invalid_argument,
                "a container may have at most " + std::to_string(max_binds) + " tmpfs mounts");
  for (const auto& t : spec.tmpfs) {
    unsigned long flags = (t.read_only ? MS_RDONLY : 0) | (t.noexec ? MS_NOEXEC : 0) |
                          (t.nosuid ? MS_NOSUID : 0) | (t.nodev ? MS_NODEV : 0);
    iso.tmpfs.push_back({keep(iso, t.destination), keep(iso, t.options), flags});
  }
  auto depth = [&](std::size_t i) {
    const char* d = i < iso.binds.size() ? iso.binds[i].destination
                                         : iso.tmpfs[i - iso.binds.size()].destination;
    std::size_t n = 0;
    for (; *d; ++d) n += *d == '/';
    return n;
  };
  for (std::size_t i = 0; i < iso.binds.size() + iso.tmpfs.size(); ++i)
    iso.mount_order.push_back(i);
  std::stable_sort(iso.mount_order.begin(), iso.mount_order.end(),
                   [&](std::size_t a, std::size_t b) { return depth(a) < depth(b); });
  return iso;
}

const char* enter_isolation(const child_isolation& iso, const int* setup_fds, std::size_t count) {
  const auto& u = iso.userns;
  const int* own = u.enabled ? setup_fds + u.first_fd : nullptr;  // root, binds, [/sys]
  if (u.enabled && count < u.first_fd + u.fd_count) {
    errno = EPROTO;
    return "receive the user namespace's mounts from ctrd";
  }
  if (iso.private_mounts && ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return "make the mount namespace private";
  if (iso.hostname && ::sethostname(iso.hostname, std::strlen(iso.hostname)) != 0)
    return "set the host name";
  if (iso.loopback_up && !loopback_up()) return "bring up the loopback interface";
  if (!iso.root) {
    if (iso.mount_proc &&
        ::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
      return "mount /proc";
    return nullptr;
  }
  userns_mounts um;
  int nodes[dev_node_count];
  int device_trees[max_host_devices];
  if (u.enabled) {
    if (const char* failed = userns_prepare_root(u, iso.root, own, um)) return failed;
    for (std::size_t i = 0; i < dev_node_count; ++i)
      if ((nodes[i] = userns_clone_node(dev_nodes[i].path)) < 0)
        return "clone the host's /dev nodes";
    for (std::size_t i = 0; i < iso.hardening.devices.size(); ++i)
      if ((device_trees[i] = userns_clone_node(iso.hardening.devices[i].host)) < 0)
        return "clone a host device node (--device)";
  } else if (::mount(iso.root, iso.root, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    return "bind the root file system";
  }
  // Bind sources are host paths: take them as detached trees before the host disappears
  // (idmapped by ctrd in a user namespace).
  int trees[max_binds];
  for (std::size_t i = 0; i < iso.binds.size(); ++i) {
    trees[i] =
        own ? own[1 + i]
            : static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, iso.binds[i].source,
                                         OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
    if (trees[i] < 0) return "open a bind mount source";
  }
  if (::chdir(iso.root) != 0) return "enter the root file system";
  // The host's paths are behind it (looked up as the host's root, their owner): from here
  // on it is the container's root, whose files the idmapped mounts map.
  if (u.enabled)
    if (const char* failed = userns_become_root()) return failed;
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return "pivot_root";
  if (::umount2(".", MNT_DETACH) != 0) return "detach the old root";
  if (::chdir("/") != 0) return "enter the new root";
  // From here on every path is the container's: symlinks resolve inside it.
  if (!make_dirs("/proc", 0555) ||
      (um.proc >= 0
           ? !userns_attach(um.proc, "/proc")
           : ::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0))
    return "mount /proc";
  const unsigned long sys_ro = iso.hardening.sys_writable ? 0 : MS_RDONLY;  // --privileged: rw
  if (!make_dirs("/sys", 0555) ||
      (um.sys >= 0 ? !userns_attach(um.sys, "/sys")
                   : ::mount("sysfs", "/sys", "sysfs", sys_ro | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                             nullptr) != 0))
    return "mount /sys";
  if (const char* failed = setup_dev(u.enabled ? nodes : nullptr)) return failed;
  if (const char* failed = mount_binds(iso, trees)) return failed;
  if (iso.read_only) {
    for (const char* dir : {"/tmp", "/var/tmp"})
      if (!user_tmpfs(iso, dir) && !tmpfs(dir, "mode=1777", MS_NOSUID | MS_NODEV))
        return "mount a tmpfs on /tmp";
    if (!user_tmpfs(iso, "/run") && !tmpfs("/run", "mode=755", MS_NOSUID | MS_NODEV))
      return "mount a tmpfs on /run";
    if (::mount(nullptr, "/", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0)
      return "make the root file system read-only";
  } else if (!make_dirs("/tmp", 01777)) {
    return "create /tmp";
  }
  // Devices, cgroup namespace, masked paths.
  return enter_hardening(iso.hardening, u.enabled ? device_trees : nullptr);
}

void mount_overlay(const std::string& lower, const std::string& upper, const std::string& work,
                   const std::string& merged) {
  std::error_code ec_fs;
  for (const auto* d : {&upper, &work, &merged}) std::filesystem::create_directories(*d, ec_fs);
  if (is_mount_point(merged)) return;
  std::string opts = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
  if (::mount("overlay", merged.c_str(), "overlay", 0, opts.c_str()) != 0)
    throw error(ec::internal,
                "cannot mount the overlay for rootfs \"" + lower + "\": " + std::strerror(errno));
}

void unmount_overlay(const std::string& merged) {
  if (is_mount_point(merged)) ::umount2(merged.c_str(), MNT_DETACH);
}

bool is_mount_point(const std::string& path) {
  struct stat self, parent;
  if (::stat(path.c_str(), &self) != 0) return false;
  if (::stat((path + "/..").c_str(), &parent) != 0) return false;
  return self.st_dev != parent.st_dev || self.st_ino == parent.st_ino;
}

}  // namespace ctrd
