#include "runtime/rootfs_owner.hpp"

#include <sys/stat.h>
#include <filesystem>

namespace ctrd {

bool writable_by_others(mode_t mode, uid_t uid) {
  if (uid != 0) return true;
  return (mode & (S_IWGRP | S_IWOTH)) != 0 && (mode & S_ISVTX) == 0;
}

std::string rootfs_warning(const std::string& rootfs) {
  std::error_code ec;
  auto path = std::filesystem::canonical(rootfs, ec);
  if (ec) return {};  // create reports a missing rootfs itself
  for (auto p = path;; p = p.parent_path()) {
    struct stat st;
    if (::stat(p.c_str(), &st) == 0 && writable_by_others(st.st_mode, st.st_uid)) {
      // A sticky directory (/tmp) lets others add entries but not replace root's.
      std::string msg = "rootfs " + rootfs + " is writable by non-root users";
      if (p != path) msg += " (through its parent directory " + p.string() + ")";
      return msg +
             ": a setuid binary planted there runs as root in the container (ctrd never "
             "changes its permissions)";
    }
    if (p == p.root_path() || p.empty()) break;
  }
  return {};
}

}  // namespace ctrd
