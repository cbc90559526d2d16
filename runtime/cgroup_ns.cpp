#include "runtime/cgroup_ns.hpp"

#include <algorithm>

#include "runtime/cgroup_files.hpp"

namespace ctrd::cgroup {
namespace {

struct cg_mount {
  std::string point;
  bool v2 = false;
  std::string options;  // the hierarchy's controllers and name=, as the kernel wants them
};

/// The v1 controllers the kernel knows (other super options are mount flags).
bool is_controller(const std::string& o) {
  static const char* const known[] = {
      "cpuset",  "cpu",        "cpuacct",  "io",      "blkio", "memory", "devices", "freezer",
      "net_cls", "perf_event", "net_prio", "hugetlb", "pids",  "rdma",   "misc",    "debug"};
  return std::find(std::begin(known), std::end(known), o) != std::end(known) ||
         o.rfind("name=", 0) == 0;
}

std::vector<cg_mount> cgroup_mounts(const std::string& mountinfo) {
  std::vector<cg_mount> out;
  for (const auto& mounted : files::cgroup_mounts(mountinfo)) {
    cg_mount m;
    m.point = mounted.point;
    m.v2 = mounted.v2;
    if (!m.v2) {
      bool has_controller = false;
      for (const auto& o : mounted.super_options) {
        if (!is_controller(o)) continue;
        has_controller = has_controller || o.rfind("name=", 0) != 0;
        m.options += (m.options.empty() ? "" : ",") + o;
      }
      if (!has_controller) m.options = "none," + m.options;
    }
    out.push_back(std::move(m));
  }
  return out;
}

/// The directory name inside: the host's, when it is below /sys/fs/cgroup.
std::string name_of(const cg_mount& m) {
  const std::string base = "/sys/fs/cgroup";
  if (m.point == base) return "";
  if (m.point.compare(0, base.size() + 1, base + "/") == 0 &&
      m.point.find('/', base.size() + 1) == std::string::npos)
    return m.point.substr(base.size() + 1);
  if (m.v2) return "unified";
  std::string n = m.options;
  if (n.rfind("none,", 0) == 0) n = n.substr(5);
  if (n.rfind("name=", 0) == 0) n = n.substr(5);
  return n;
}

}  // namespace

std::vector<ns_mount> namespace_mounts(const std::string& mountinfo,
                                       const std::vector<std::string>& dirs) {
  auto mounts = cgroup_mounts(mountinfo);
  std::vector<ns_mount> out;
  for (const auto& dir : dirs) {
    const cg_mount* best = nullptr;
    for (const auto& m : mounts) {
      bool inside = dir.compare(0, m.point.size(), m.point) == 0 &&
                    (dir.size() == m.point.size() || dir[m.point.size()] == '/' || m.point == "/");
      if (inside && (!best || m.point.size() >= best->point.size())) best = &m;
    }
    if (!best) continue;
    ns_mount n{name_of(*best), best->v2 ? "cgroup2" : "cgroup", best->v2 ? "" : best->options};
    bool dup = std::any_of(out.begin(), out.end(), [&](const ns_mount& o) {
      return o.name == n.name ||
             (o.fstype == n.fstype && o.options == n.options && n.fstype == "cgroup");
    });
    if (!dup) out.push_back(std::move(n));
  }
  return out;
}

}  // namespace ctrd::cgroup
