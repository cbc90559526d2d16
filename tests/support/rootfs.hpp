// A minimal busybox root file system for the tests that run containers with --rootfs
// (like ../shared/peer-bench/mkrootfs.sh), and why such tests cannot run on a host.
#pragma once

#include <string>

namespace ctrd::test {

/// busybox-static's path on Debian.
inline const char* const busybox_path = "/bin/busybox";

/// Why rootfs containers cannot run here ("" when they can): root and busybox-static.
std::string rootfs_prerequisite();

/// Creates DIR/rootfs with busybox and its applets in /bin, /etc/passwd (root), an
/// /etc/marker file, and, with `with_probe`, the static escape probe as /bin/probe
/// (tests/support/escape_probe.cpp). Returns the rootfs path.
std::string make_busybox_rootfs(const std::string& dir, bool with_probe = false);

}  // namespace ctrd::test

/// Skips the current test (with the reason) when rootfs containers cannot run here.
#define REQUIRE_ROOTFS_SUPPORT()                            \
  do {                                                      \
    auto why_missing = ::ctrd::test::rootfs_prerequisite(); \
    if (!why_missing.empty()) {                             \
      WARN("skipped: " << why_missing);                     \
      return;                                               \
    }                                                       \
  } while (0)
