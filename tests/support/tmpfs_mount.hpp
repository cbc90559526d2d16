// A tmpfs of a given size mounted for a test (full-disk faults), unmounted (lazily) when
// the test ends, also when it fails. `mounted` is false without the privilege, and `why`
// then says why (the test skips with it).
#pragma once

#include <sys/mount.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

namespace ctrd::test {

struct tmpfs_mount {
  std::string path;
  bool mounted = false;
  std::string why;
  tmpfs_mount(const std::string& p, const std::string& size) : path(p) {
    std::filesystem::create_directories(p);
    if (::mount("tmpfs", p.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0)
      mounted = true;
    else
      why = std::strerror(errno);
  }
  ~tmpfs_mount() {
    if (mounted) ::umount2(path.c_str(), MNT_DETACH);
  }
  tmpfs_mount(const tmpfs_mount&) = delete;
  tmpfs_mount& operator=(const tmpfs_mount&) = delete;
};

}  // namespace ctrd::test
