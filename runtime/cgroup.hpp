// Control groups for containers: one group per container under a ctrd parent, on cgroup v2
// when the unified hierarchy has the controllers; on hybrid hosts (cgroup2 mounted without
// controllers, such as this project's build machine) the group lives on cgroup2 for
// tracking, freezing and killing, and v1 controller groups are added only for the limits a
// container asks for (or in every hierarchy for a container with a cgroup namespace,
// limits::every_hierarchy); legacy hosts use the v1 controllers. A group on cgroup2 can be
// entered at clone time (CLONE_INTO_CGROUP), which costs nothing, whereas moving a process
// between cgroups (v1 always) takes the kernel's threadgroup lock and an RCU grace period:
// milliseconds per start. CAF-free; used by the container actors
// (create/add/freeze/kill/stats/remove) and tested on its own.
//
// Every call is a handful of small file writes or reads under /sys/fs/cgroup: cheap
// enough for an actor handler. Nothing here sleeps or polls.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <string>
#include <vector>

namespace ctrd::cgroup {

/// Resource limits; 0 means "no limit" for every field.
struct limits {
  uint64_t memory_bytes = 0;  ///< memory.max / memory.limit_in_bytes
  uint64_t cpu_quota_us = 0;  ///< CPU time per period (from --cpus: cpus * period)
  uint64_t cpu_period_us = 100000;
  uint64_t cpu_shares = 0;  ///< v1 cpu.shares (2..262144); v2 converts to cpu.weight
  int64_t pids_max = 0;     ///< pids.max (0: unlimited)
  /// A group in every hierarchy ctrd can use (v1 controllers without a limit, cpuset,
  /// devices, named hierarchies such as systemd), not only where a limit needs one: a
  /// container with a cgroup namespace then has its own group as the namespace's root in
  /// each of them (rootfs containers). Not a limit: any() ignores it.
  bool every_hierarchy = false;
  /// The v1 devices allow-list (with every_hierarchy): when `restrict_devices`, every
  /// device is denied and each of `device_rules` ("c 1:3 rwm", device_rules.hpp) allowed;
  /// otherwise every device is allowed. No devices controller: nothing is written.
  bool restrict_devices = false;
  std::vector<std::string> device_rules;

  bool any() const { return memory_bytes || cpu_quota_us || cpu_shares || pids_max; }
};

/// One sample of a group's counters (what `ctrctl stats` shows).
struct stats {
  uint64_t cpu_ns = 0;        ///< CPU time used by the group since it was created
  uint64_t memory_bytes = 0;  ///< current memory use
  uint64_t memory_limit = 0;  ///< effective limit (0: none)
  uint64_t pids = 0;          ///< tasks in the group
  uint64_t block_read = 0;    ///< bytes read from block devices
  uint64_t block_write = 0;   ///< bytes written to block devices
  uint64_t oom_kills = 0;     ///< processes the kernel OOM-killed in this group
};

/// Which cgroup layout is in use.
enum class layout { unified, hybrid, legacy, none };

/// "unified" (cgroup v2), "hybrid" (v2 groups, v1 controllers for limits), "legacy" (v1
/// controllers), "none".
const char* to_string(layout l);

/// One container's group. Cheap to copy (a few paths); holds no file descriptors.
class group {
 public:
  group() = default;
  bool valid() const { return !dirs_.empty(); }
  /// The path shown to users (the v2 directory, or the v1 freezer/memory directory).
  const std::string& path() const;

  /// Moves `pid` into the group (every hierarchy; with `in_clone_dir`, every hierarchy but
  /// the one of clone_dir(), which the process was cloned into). Throws
  /// ctrd::error{ec::internal}.
  void add(pid_t pid, bool in_clone_dir = false) const;
  /// The cgroup2 directory a child can be cloned into (CLONE_INTO_CGROUP), "" on legacy.
  std::string clone_dir() const {
    return unified_ && !dirs_.empty() ? dirs_.front() : std::string();
  }
  /// True when a process cloned into clone_dir() must still be added to other (v1 limit)
  /// groups before it may run: false for no group at all.
  bool needs_add_after_clone() const { return unified_ ? dirs_.size() > 1 : !dirs_.empty(); }
  /// Freezes / thaws every task (v2 cgroup.freeze, v1 freezer.state). Throws
  /// ctrd::error{ec::invalid_state} without a freezer, ec::internal on I/O errors.
  void freeze() const;
  void thaw() const;
  /// True while the group is frozen or freezing.
  bool frozen() const;
  /// Sends `sig` to every task of the group, so that nothing escapes (double-forked
  /// daemons included). SIGKILL on v2 uses cgroup.kill; otherwise the group is frozen,
  /// its tasks listed and signalled, then thawed, so no fork can race the listing.
  /// Returns the number of tasks signalled (cgroup.kill: the count before the kill).
  std::size_t kill_all(int sig) const;
  /// Pids of the tasks in the group (the tracking hierarchy's cgroup.procs).
  std::vector<pid_t> pids() const;
  /// True when no task is left.
  bool empty() const { return pids().empty(); }
  /// Reads the counters. Without a memory, pids or blkio controller group (hybrid hosts
  /// when no limit asked for one) the figures are summed over the group's processes from
  /// /proc (resident memory, threads, I/O bytes of the live processes).
  stats read_stats() const;
  /// Kernel OOM kills in this group so far (v2 memory.events oom_kill, v1
  /// memory.oom_control oom_kill).
  uint64_t oom_kills() const;
  /// Removes the group's directories. Returns false (and keeps them) while tasks remain.
  bool remove() const;
  /// Every directory of the group (one per hierarchy it exists in).
  const std::vector<std::string>& dirs() const { return dirs_; }
  /// True when the group has a v1 devices controller group (an allow-list applies).
  bool has_device_control() const { return !devices_dir_.empty(); }

 private:
  friend class hierarchy;
  std::vector<std::string> dirs_;  // v2: one dir (first); v1: one per mounted controller used
  std::string procs_dir_;          // where cgroup.procs is read (tracking hierarchy)
  std::string freezer_dir_;        // "" without a freezer
  std::string memory_dir_, cpu_dir_, cpuacct_dir_, pids_dir_, blkio_dir_;
  std::string devices_dir_;      // v1 devices group ("" without)
  bool unified_ = false;         // tracking, freezer and kill on cgroup2 (unified, hybrid)
  bool v2_controllers_ = false;  // controller files are v2 ones (unified only)
};

/// The hierarchy ctrd places containers in, detected once at start.
class hierarchy {
 public:
  /// Finds the cgroup mounts and ctrd's own cgroup (/proc/self/cgroup) and prepares the
  /// parent `<own cgroup>/<parent_name>` in each hierarchy used. On cgroup v2, when ctrd's
  /// own cgroup is not the root, ctrd first moves itself into `<own>/<parent_name>.daemon`
  /// so that controllers can be enabled below its own cgroup (the "no internal processes"
  /// rule). Never throws: when nothing usable exists the layout is `none` and
  /// unavailable_reason() says why.
  static hierarchy detect(const std::string& parent_name = "ctrd");

  layout kind() const { return kind_; }
  const std::string& unavailable_reason() const { return reason_; }
  bool has_freezer() const;
  /// Controllers available for limits: "memory", "cpu", "pids" (and "io"/"blkio" for stats,
  /// "devices" for the v1 device allow-list).
  bool has_controller(const std::string& name) const;

  /// Creates the group `name` with `lim` applied. Throws ctrd::error{ec::invalid_argument}
  /// when a requested limit needs a controller that is missing or the kernel refuses the
  /// value (the message names the limit and the kernel's reason), ec::internal on other
  /// failures. Leaves nothing behind when it throws. An existing group of that name is
  /// reused (limits re-applied, unrequested ones reset to unlimited). With layout `none`
  /// and no limit requested, returns an invalid group (every operation on it is a no-op,
  /// freeze/thaw throw ec::invalid_state).
  group create(const std::string& name, const limits& lim) const;
  /// The group `name` if it exists (after a ctrd restart), else an invalid group.
  group open(const std::string& name) const;

 private:
  layout kind_ = layout::none;
  std::string reason_;
  std::string unified_parent_;  // v2 parent dir (unified, hybrid)
  std::vector<std::pair<std::string, std::string>> legacy_parents_;  // controller -> parent dir
  // Other v1 hierarchies (devices, cpuset, named ones): mount options ("devices",
  // "name=systemd") -> parent dir; used for limits::every_hierarchy.
  std::vector<std::pair<std::string, std::string>> extra_parents_;
  std::vector<std::string> unified_controllers_;  // v2 controllers enabled for the groups
  bool unified_freezer_ = false;                  // v2 cgroup.freeze available

  /// The directories of group `name` (nothing created). Hybrid: with `lim`, the v1 groups
  /// those limits need; without, every v1 group a limit could have created.
  group make_group(const std::string& name, const limits* lim = nullptr) const;
  /// Adds the groups of extra_parents_ to `g` (with `lim`: only for every_hierarchy).
  void add_extra_groups(group& g, const std::string& name, const limits* lim) const;
  /// Writes the devices allow-list of `lim` into `g` (`reused`: lift an earlier one when
  /// `lim` restricts nothing).
  void apply_devices(const group& g, const limits& lim, bool reused) const;
  /// Writes `lim` into `g`'s files; `reused`: also reset the limits not requested.
  void apply(const group& g, const limits& lim, bool reused) const;
};

}  // namespace ctrd::cgroup
