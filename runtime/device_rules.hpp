// The cgroup v1 device allow-list of a rootfs container (devices.allow lines): podman's
// and runc's defaults for the minimal /dev plus one rule per --device. Pure;
// docs/security.md "Devices".
#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

namespace ctrd {

/// One devices.allow line.
struct device_rule {
  char type = 'c';     ///< 'c', 'b' or 'a' (all)
  long major = -1;     ///< -1: any ("*")
  long minor = -1;     ///< -1: any ("*")
  std::string access;  ///< any of r, w, m
};

/// "c 1:3 rwm", "b *:* m", "a *:* rwm".
std::string to_text(const device_rule& r);

/// The defaults: mknod of any node ("c *:* m", "b *:* m"); read, write and mknod of the
/// minimal /dev: null 1:3, zero 1:5, full 1:7, random 1:8, urandom 1:9, tty 5:0,
/// console 5:1, ptmx 5:2 and the terminals of the container's devpts (136:*).
std::vector<device_rule> default_device_rules();

/// The rule for a --device node: its type and numbers from `mode`/`rdev` (stat of the host
/// node), with `access` (the --device permissions).
device_rule rule_for(mode_t mode, dev_t rdev, const std::string& access);

}  // namespace ctrd
