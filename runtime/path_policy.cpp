#include "runtime/path_policy.hpp"

#include <fnmatch.h>
#include <algorithm>

namespace ctrd {

const std::vector<std::string> default_masked_paths = {
    "/proc/acpi",        "/proc/kcore",
    "/proc/keys",        "/proc/latency_stats",
    "/proc/sched_debug", "/proc/scsi",
    "/proc/timer_list",  "/proc/timer_stats",
    "/sys/dev/block",    "/sys/devices/virtual/powercap",
    "/sys/firmware",     "/sys/fs/selinux"};

const std::vector<std::string> default_read_only_paths = {
    "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

namespace {

/// True when `path` is unmasked by one of `unmask` (ALL, the path itself, or a pattern).
bool unmasked(const std::vector<std::string>& unmask, const std::string& path) {
  return std::any_of(unmask.begin(), unmask.end(), [&](const std::string& u) {
    return u == "ALL" || u == path || ::fnmatch(u.c_str(), path.c_str(), FNM_PATHNAME) == 0;
  });
}

void add_unique(std::vector<std::string>& list, const std::string& p) {
  if (std::find(list.begin(), list.end(), p) == list.end()) list.push_back(p);
}

}  // namespace

path_policy resolve_path_policy(const security_spec& s) {
  path_policy p;
  if (s.privileged) {
    p.sys_writable = true;
    p.cgroupfs_writable = true;
  } else {
    for (const auto& m : default_masked_paths)
      if (!unmasked(s.unmask, m)) p.masked.push_back(m);
    for (const auto& r : default_read_only_paths)
      if (!unmasked(s.unmask, r)) p.read_only.push_back(r);
    p.cgroupfs_writable = unmasked(s.unmask, "/sys/fs/cgroup");
  }
  for (const auto& m : s.mask) add_unique(p.masked, m);
  // A path both masked and read-only is masked (nothing of it is left to write).
  p.read_only.erase(std::remove_if(p.read_only.begin(), p.read_only.end(),
                                   [&](const std::string& r) {
                                     return std::find(p.masked.begin(), p.masked.end(), r) !=
                                            p.masked.end();
                                   }),
                    p.read_only.end());
  return p;
}

}  // namespace ctrd
