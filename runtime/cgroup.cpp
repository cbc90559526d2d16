#include "runtime/cgroup.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "messages/error.hpp"
#include "runtime/cgroup_files.hpp"
#include "runtime/resource_error.hpp"

namespace ctrd::cgroup {

namespace {

/// The v1 controllers ctrd uses, in the order their groups are created and joined.
/// cpuset is left out on purpose: its groups need cpus/mems set before they accept tasks.
const char* const legacy_controllers[] = {"memory", "cpu", "cpuacct", "pids", "freezer", "blkio"};

/// The v2 controllers ctrd enables; memory and pids are required, cpu and io optional.
const char* const unified_controllers[] = {"memory", "pids", "cpu", "io"};

using mount_entry = files::mount;

/// One line of /proc/self/cgroup: ctrd's own cgroup in one hierarchy.
struct own_entry {
  std::vector<std::string> controllers;  // empty for the v2 line ("0::/path")
  std::string path;
};

/// True when `list` holds `word`.
bool contains(const std::vector<std::string>& list, const std::string& word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

/// The cgroup mounts of this mount namespace (a later mount on the same point wins).
std::vector<mount_entry> read_mounts() {
  std::vector<mount_entry> out;
  std::string text;
  if (files::read("/proc/self/mountinfo", text) != 0) return out;
  for (auto& m : files::cgroup_mounts(text)) {
    out.erase(std::remove_if(out.begin(), out.end(),
                             [&](const mount_entry& o) { return o.point == m.point; }),
              out.end());
    out.push_back(std::move(m));
  }
  return out;
}

/// ctrd's own cgroups from /proc/self/cgroup.
std::vector<own_entry> read_own() {
  std::vector<own_entry> out;
  std::string text;
  if (files::read("/proc/self/cgroup", text) != 0) return out;
  for (const auto& line : files::split(text, '\n')) {
    auto first = line.find(':');
    auto second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    own_entry e;
    std::string ctrls = line.substr(first + 1, second - first - 1);
    if (!ctrls.empty()) e.controllers = files::split(ctrls, ',');
    e.path = line.substr(second + 1);
    out.push_back(std::move(e));
  }
  return out;
}

/// The directory of cgroup `own` (a /proc/self/cgroup path) under mount `m`; "" when the
/// cgroup lies outside the mounted subtree.
std::string dir_of(const mount_entry& m, const std::string& own) {
  std::string rel = own;
  if (m.root != "/") {
    if (rel.compare(0, m.root.size(), m.root) != 0 ||
        (rel.size() > m.root.size() && rel[m.root.size()] != '/'))
      return "";
    rel = rel.substr(m.root.size());
  }
  while (!rel.empty() && rel.back() == '/') rel.pop_back();
  return m.point + rel;
}

/// mkdir(2) with mode 0755: 0 when created, EEXIST when it was there, else errno.
int make_dir(const std::string& path) {
  return ::mkdir(path.c_str(), 0755) == 0 ? 0 : errno;
}

/// True for a usable directory name (no '/', not "." or "..").
bool valid_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of("/\n") == std::string::npos;
}

/// Result of preparing the unified hierarchy.
struct unified_setup {
  std::string parent;                    // <own>/<parent_name>
  std::vector<std::string> controllers;  // enabled for the containers' groups
  bool freezer = false;
};

/// Enables `+ctrl` in `dir`'s subtree_control; 0 or errno.
int enable(const std::string& dir, const std::string& ctrl) {
  return files::write(dir + "/cgroup.subtree_control", "+" + ctrl);
}

/// Prepares `<own>/<parent_name>` on cgroup2 mount `m` with the memory and pids controllers
/// (cpu and io when offered) enabled for its children. False with `why` when impossible.
bool setup_unified(const mount_entry& m, const std::string& own_path,
                   const std::string& parent_name, unified_setup& out, std::string& why) {
  std::string own = dir_of(m, own_path);
  if (own.empty()) {
    why = "ctrd's cgroup " + own_path + " lies outside the cgroup2 mount " + m.point;
    return false;
  }
  // A previous detect() in this process may already have moved ctrd into the .daemon group.
  const std::string daemon = "/" + parent_name + ".daemon";
  bool in_daemon = own.size() >= m.point.size() + daemon.size() &&
                   own.compare(own.size() - daemon.size(), daemon.size(), daemon) == 0;
  if (in_daemon) own.resize(own.size() - daemon.size());

  std::string offered;
  files::read(own + "/cgroup.controllers", offered);
  while (!offered.empty() && (offered.back() == '\n' || offered.back() == ' ')) offered.pop_back();
  auto available = files::split(offered, ' ');
  if (!contains(available, "memory") || !contains(available, "pids")) {
    why =
        "cgroup v2 (" + own + ") offers no memory and pids controllers (only \"" + offered + "\")";
    return false;
  }
  // Only the real root cgroup lacks cgroup.type: the root of a cgroup namespace (ctrd in a
  // container) is an ordinary cgroup, bound by the "no internal processes" rule.
  const bool real_root = !files::exists(own + "/cgroup.type");
  if (!real_root && !in_daemon) {
    // No internal processes: ctrd leaves its own cgroup before enabling controllers in it.
    std::string dir = own + daemon;
    int e = make_dir(dir);
    if (e == 0 || e == EEXIST) e = files::write(dir + "/cgroup.procs", std::to_string(::getpid()));
    if (e != 0) {
      why = "cannot move ctrd into " + dir + ": " + std::strerror(e);
      return false;
    }
    // ctrd's holder (the daemon's parent, holder/) shares the unit's cgroup: it moves too.
    std::string procs;
    files::read(own + "/cgroup.procs", procs);
    auto parent = std::to_string(::getppid());
    if (contains(files::split(procs, '\n'), parent)) {
      e = files::write(dir + "/cgroup.procs", parent);
      if (e != 0) {
        why =
            "cannot move ctrd's holder (pid " + parent + ") into " + dir + ": " + std::strerror(e);
        return false;
      }
    }
  }
  out.parent = own + "/" + parent_name;
  std::vector<std::string> enabled;
  for (const char* c : unified_controllers) {
    if (!contains(available, c)) continue;
    bool required = std::strcmp(c, "memory") == 0 || std::strcmp(c, "pids") == 0;
    int e = enable(own, c);
    if (e != 0 && required) {
      why =
          std::string("cannot enable the ") + c + " controller in " + own + ": " + std::strerror(e);
      return false;
    }
    if (e == 0) enabled.emplace_back(c);
  }
  int e = make_dir(out.parent);
  if (e != 0 && e != EEXIST) {
    why = "cannot create " + out.parent + ": " + std::strerror(e);
    return false;
  }
  for (const auto& c : enabled) {
    e = enable(out.parent, c);
    if (e != 0 && (c == "memory" || c == "pids")) {
      why = "cannot enable the " + c + " controller in " + out.parent + ": " + std::strerror(e);
      return false;
    }
    if (e == 0) out.controllers.push_back(c);
  }
  out.freezer = files::exists(out.parent + "/cgroup.freeze");
  return true;
}

/// A new cpuset group accepts tasks only once it has CPUs and memory nodes: copy its
/// parent's (when they are empty, as after mkdir without cgroup.clone_children).
void init_cpuset(const std::string& dir) {
  auto parent = dir.substr(0, dir.rfind('/'));
  for (const char* f : {"/cpuset.cpus", "/cpuset.mems"}) {
    std::string mine, theirs;
    if (files::read(dir + f, mine) != 0 || mine.find_first_not_of(" \n") != std::string::npos)
      continue;
    if (files::read(parent + f, theirs) == 0) files::write(dir + f, theirs);
  }
}

/// True when every controller of `own` (a /proc/self/cgroup line) is an option of `m`:
/// that line is `m`'s hierarchy.
bool same_hierarchy(const own_entry& own, const mount_entry& m) {
  if (own.controllers.empty() || m.v2) return false;
  for (const auto& c : own.controllers)
    if (!contains(m.super_options, c)) return false;
  return true;
}

/// The limit a missing controller makes impossible, as an ec::invalid_argument.
[[noreturn]] void missing_controller(const char* flag, const char* controller,
                                     const std::string& reason) {
  std::string msg = std::string(flag) + " needs the " + controller +
                    " cgroup controller, which this host does not have";
  if (!reason.empty()) msg += " (" + reason + ")";
  throw error(ec::invalid_argument, msg);
}

/// Writes one limit; a value the kernel refuses becomes ec::invalid_argument naming the
/// limit, the value and the kernel's reason, other failures ec::internal.
void set_limit(const std::string& dir, const char* file, const std::string& value,
               const char* what) {
  int e = files::write(dir + "/" + file, value);
  if (e == 0) return;
  std::string msg = std::string("cannot set the ") + what + " to " + value + " (" + file +
                    "): " + std::strerror(e);
  if (e == EINVAL || e == ERANGE || e == EBUSY || e == EOVERFLOW)
    throw error(ec::invalid_argument, msg);
  if (e == EMFILE || e == ENFILE || e == ENOMEM) throw resource_error(msg + " in " + dir, e);
  throw error(ec::internal, msg + " in " + dir);
}

}  // namespace

const char* to_string(layout l) {
  switch (l) {
    case layout::unified:
      return "unified";
    case layout::hybrid:
      return "hybrid";
    case layout::legacy:
      return "legacy";
    default:
      return "none";
  }
}

// ---------------------------------------------------------------------------------------
// hierarchy

hierarchy hierarchy::detect(const std::string& parent_name) {
  hierarchy h;
  try {
    if (!valid_name(parent_name)) {
      h.reason_ = "invalid cgroup parent name \"" + parent_name + "\"";
      return h;
    }
    const auto mounts = read_mounts();
    const auto own = read_own();
    std::string v2_why;
    std::string v2_parent;  // a cgroup2 directory for tracking groups (hybrid), or ""
    for (const auto& m : mounts) {
      if (!m.v2) continue;
      auto line = std::find_if(own.begin(), own.end(),
                               [](const own_entry& o) { return o.controllers.empty(); });
      if (line == own.end()) break;
      unified_setup u;
      if (setup_unified(m, line->path, parent_name, u, v2_why)) {
        h.kind_ = layout::unified;
        h.unified_parent_ = u.parent;
        h.unified_controllers_ = u.controllers;
        h.unified_freezer_ = u.freezer;
        return h;
      }
      // Without controllers, cgroup2 still tracks, freezes and kills (hybrid hosts).
      std::string own_dir = dir_of(m, line->path);
      std::string dir = own_dir + "/" + parent_name;
      int e = own_dir.empty() ? ENOENT : make_dir(dir);
      if ((e == 0 || e == EEXIST) && files::exists(dir + "/cgroup.freeze")) v2_parent = dir;
      break;
    }
    std::string v1_why;
    for (const char* c : legacy_controllers) {
      auto m = std::find_if(mounts.begin(), mounts.end(), [&](const mount_entry& e) {
        return !e.v2 && contains(e.super_options, c);
      });
      auto o = std::find_if(own.begin(), own.end(),
                            [&](const own_entry& e) { return contains(e.controllers, c); });
      if (m == mounts.end() || o == own.end()) continue;
      std::string dir = dir_of(*m, o->path);
      if (dir.empty()) continue;
      dir += "/" + parent_name;
      int e = make_dir(dir);
      if (e != 0 && e != EEXIST) {
        v1_why = "cannot create " + dir + ": " + std::strerror(e);
        continue;
      }
      h.legacy_parents_.emplace_back(c, dir);
    }
    // The other v1 hierarchies (devices, cpuset, named ones such as systemd): a container
    // with a cgroup namespace gets its own group in them too (limits::every_hierarchy).
    for (const auto& o : own) {
      if (o.controllers.empty()) continue;
      bool known = false;
      for (const char* c : legacy_controllers) known = known || contains(o.controllers, c);
      auto m = std::find_if(mounts.begin(), mounts.end(),
                            [&](const mount_entry& e) { return same_hierarchy(o, e); });
      if (known || m == mounts.end()) continue;
      std::string dir = dir_of(*m, o.path);
      if (dir.empty()) continue;
      dir += "/" + parent_name;
      int e = make_dir(dir);
      if (e != 0 && e != EEXIST) continue;
      std::string label;
      for (const auto& c : o.controllers) label += (label.empty() ? "" : ",") + c;
      if (label == "cpuset" || contains(o.controllers, "cpuset")) init_cpuset(dir);
      h.extra_parents_.emplace_back(label, dir);
    }
    if (!h.legacy_parents_.empty()) {
      h.kind_ = v2_parent.empty() ? layout::legacy : layout::hybrid;
      h.unified_parent_ = v2_parent;
      h.unified_freezer_ = !v2_parent.empty();
      return h;
    }
    h.reason_ =
        v2_why.empty() ? "no cgroup v2 hierarchy with the memory and pids controllers" : v2_why;
    h.reason_ += v1_why.empty() ? " and no cgroup v1 controller mounted" : "; " + v1_why;
  } catch (const std::exception& e) {
    h = hierarchy();
    h.reason_ = std::string("cannot inspect the cgroups: ") + e.what();
  }
  return h;
}

bool hierarchy::has_freezer() const {
  if (kind_ == layout::unified || kind_ == layout::hybrid) return unified_freezer_;
  return has_controller("freezer");
}

bool hierarchy::has_controller(const std::string& name) const {
  if (name == "devices") {
    for (const auto& p : extra_parents_)
      if (p.first == "devices") return kind_ != layout::unified && kind_ != layout::none;
    return false;
  }
  if (kind_ == layout::unified)
    return contains(unified_controllers_, name == "blkio" ? std::string("io") : name);
  const std::string& n = name == "io" ? std::string("blkio") : name;
  for (const auto& p : legacy_parents_)
    if (p.first == n) return true;
  return false;
}

group hierarchy::make_group(const std::string& name, const limits* lim) const {
  group g;
  if (kind_ == layout::hybrid) {
    std::string dir = unified_parent_ + "/" + name;
    g.unified_ = true;
    g.procs_dir_ = g.freezer_dir_ = g.cpuacct_dir_ = dir;
    g.dirs_.push_back(std::move(dir));
    // v1 groups only for limits (each costs a process migration per start), or in every
    // hierarchy for a cgroup namespace (limits::every_hierarchy).
    const bool every = !lim || lim->every_hierarchy;
    for (const auto& [ctrl, parent] : legacy_parents_) {
      std::string* slot = ctrl == "memory" ? &g.memory_dir_
                          : ctrl == "cpu"  ? &g.cpu_dir_
                          : ctrl == "pids" ? &g.pids_dir_
                                           : nullptr;
      bool wanted = every || (ctrl == "memory" && lim->memory_bytes) ||
                    (ctrl == "cpu" && (lim->cpu_quota_us || lim->cpu_shares)) ||
                    (ctrl == "pids" && lim->pids_max);
      if (!wanted) continue;
      std::string v1_dir = parent + "/" + name;
      if (slot) *slot = v1_dir;
      if (!contains(g.dirs_, v1_dir)) g.dirs_.push_back(v1_dir);
    }
    add_extra_groups(g, name, lim);
    return g;
  }
  if (kind_ == layout::unified) {
    std::string dir = unified_parent_ + "/" + name;
    g.unified_ = true;
    g.v2_controllers_ = true;
    g.procs_dir_ = dir;
    g.cpuacct_dir_ = dir;  // cpu.stat's usage_usec needs no controller
    if (unified_freezer_) g.freezer_dir_ = dir;
    if (has_controller("memory")) g.memory_dir_ = dir;
    if (has_controller("cpu")) g.cpu_dir_ = dir;
    if (has_controller("pids")) g.pids_dir_ = dir;
    if (has_controller("io")) g.blkio_dir_ = dir;
    g.dirs_.push_back(std::move(dir));
    return g;
  }
  for (const auto& [ctrl, parent] : legacy_parents_) {
    std::string dir = parent + "/" + name;
    if (ctrl == "memory") g.memory_dir_ = dir;
    if (ctrl == "cpu") g.cpu_dir_ = dir;
    if (ctrl == "cpuacct") g.cpuacct_dir_ = dir;
    if (ctrl == "pids") g.pids_dir_ = dir;
    if (ctrl == "freezer") g.freezer_dir_ = dir;
    if (ctrl == "blkio") g.blkio_dir_ = dir;
    // Co-mounted controllers (cpu,cpuacct) share one directory.
    if (!contains(g.dirs_, dir)) g.dirs_.push_back(std::move(dir));
  }
  add_extra_groups(g, name, lim);
  for (const std::string* d : {&g.freezer_dir_, &g.memory_dir_, &g.pids_dir_})
    if (g.procs_dir_.empty() && !d->empty()) g.procs_dir_ = *d;
  if (g.procs_dir_.empty() && !g.dirs_.empty()) g.procs_dir_ = g.dirs_.front();
  return g;
}

void hierarchy::add_extra_groups(group& g, const std::string& name, const limits* lim) const {
  if (lim && !lim->every_hierarchy) return;
  for (const auto& [label, parent] : extra_parents_) {
    std::string dir = parent + "/" + name;
    if (label == "devices") g.devices_dir_ = dir;
    if (!contains(g.dirs_, dir)) g.dirs_.push_back(std::move(dir));
  }
}

void hierarchy::apply_devices(const group& g, const limits& lim, bool reused) const {
  if (g.devices_dir_.empty()) return;
  const std::string& dir = g.devices_dir_;
  if (!lim.restrict_devices) {
    // A new group inherits its parent's list (everything, unless ctrd itself is confined);
    // an earlier run's allow-list is lifted as far as the parent allows.
    if (reused) files::write(dir + "/devices.allow", "a");
    return;
  }
  set_limit(dir, "devices.deny", "a", "device access");
  for (const auto& rule : lim.device_rules) set_limit(dir, "devices.allow", rule, "device rule");
}

void hierarchy::apply(const group& g, const limits& lim, bool reused) const {
  apply_devices(g, lim, reused);
  if (g.v2_controllers_) {
    const std::string& dir = g.dirs_.front();
    if (!g.memory_dir_.empty() && (lim.memory_bytes || reused))
      set_limit(dir, "memory.max", lim.memory_bytes ? std::to_string(lim.memory_bytes) : "max",
                "memory limit");
    if (!g.pids_dir_.empty() && (lim.pids_max || reused))
      set_limit(dir, "pids.max", lim.pids_max ? std::to_string(lim.pids_max) : "max", "pids limit");
    if (!g.cpu_dir_.empty() && (lim.cpu_quota_us || reused))
      set_limit(dir, "cpu.max",
                lim.cpu_quota_us
                    ? std::to_string(lim.cpu_quota_us) + " " + std::to_string(lim.cpu_period_us)
                    : std::string("max"),
                "cpu quota and period");
    if (!g.cpu_dir_.empty() && (lim.cpu_shares || reused)) {
      // runc's mapping of shares [2, 262144] onto weights [1, 10000]; signed, so that
      // shares below 2 give weight 1 instead of wrapping around.
      int64_t shares = static_cast<int64_t>(lim.cpu_shares);
      int64_t weight = lim.cpu_shares ? 1 + ((shares - 2) * 9999) / 262142 : 100;
      set_limit(dir, "cpu.weight", std::to_string(weight), "cpu weight (from cpu shares)");
    }
    return;
  }
  if (!g.memory_dir_.empty() && (lim.memory_bytes || reused))
    set_limit(g.memory_dir_, "memory.limit_in_bytes",
              lim.memory_bytes ? std::to_string(lim.memory_bytes) : "-1", "memory limit");
  if (!g.pids_dir_.empty() && (lim.pids_max || reused))
    set_limit(g.pids_dir_, "pids.max", lim.pids_max ? std::to_string(lim.pids_max) : "max",
              "pids limit");
  if (!g.cpu_dir_.empty() && lim.cpu_quota_us) {
    set_limit(g.cpu_dir_, "cpu.cfs_period_us", std::to_string(lim.cpu_period_us), "cpu period");
    set_limit(g.cpu_dir_, "cpu.cfs_quota_us", std::to_string(lim.cpu_quota_us), "cpu quota");
  } else if (!g.cpu_dir_.empty() && reused) {
    set_limit(g.cpu_dir_, "cpu.cfs_quota_us", "-1", "cpu quota");
  }
  if (!g.cpu_dir_.empty() && (lim.cpu_shares || reused))
    set_limit(g.cpu_dir_, "cpu.shares", std::to_string(lim.cpu_shares ? lim.cpu_shares : 1024),
              "cpu shares");
}

group hierarchy::create(const std::string& name, const limits& lim) const {
  if (!valid_name(name)) throw error(ec::invalid_argument, "invalid cgroup name \"" + name + "\"");
  if (lim.memory_bytes && !has_controller("memory"))
    missing_controller("--memory", "memory", reason_);
  if (lim.cpu_quota_us && !has_controller("cpu")) missing_controller("--cpus", "cpu", reason_);
  if (lim.cpu_shares && !has_controller("cpu")) missing_controller("--cpu-shares", "cpu", reason_);
  if (lim.pids_max && !has_controller("pids")) missing_controller("--pids-limit", "pids", reason_);
  if (kind_ == layout::none) return group();

  group g = make_group(name, &lim);
  std::vector<std::string> created;
  bool reused = false;
  try {
    for (const auto& dir : g.dirs_) {
      int e = make_dir(dir);
      if (e == 0) {
        created.push_back(dir);
        for (const auto& [label, parent] : extra_parents_)
          if (contains(files::split(label, ','), "cpuset") &&
              dir.compare(0, parent.size(), parent) == 0)
            init_cpuset(dir);
      } else if (e == EEXIST) {
        reused = true;
      } else {
        throw_errno(ec::internal, "cannot create the cgroup " + dir, e);
      }
    }
    if (reused && kind_ == layout::hybrid)  // v1 groups an earlier run's limits needed
      for (const auto& d : make_group(name).dirs_)
        if (!contains(g.dirs_, d)) ::rmdir(d.c_str());
    apply(g, lim, reused);
  } catch (...) {
    for (auto it = created.rbegin(); it != created.rend(); ++it) ::rmdir(it->c_str());
    throw;
  }
  return g;
}

group hierarchy::open(const std::string& name) const {
  if (kind_ == layout::none || !valid_name(name)) return group();
  group g = make_group(name);
  if (!files::exists(g.procs_dir_)) return group();
  // Keep only the hierarchies the group exists in (a controller mounted since is left out).
  for (std::string* d : {&g.memory_dir_, &g.cpu_dir_, &g.cpuacct_dir_, &g.pids_dir_,
                         &g.freezer_dir_, &g.blkio_dir_, &g.devices_dir_})
    if (!d->empty() && !files::exists(*d)) d->clear();
  g.dirs_.erase(std::remove_if(g.dirs_.begin(), g.dirs_.end(),
                               [](const std::string& d) { return !files::exists(d); }),
                g.dirs_.end());
  return g;
}

}  // namespace ctrd::cgroup
