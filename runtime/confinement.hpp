// What confines a container's processes beyond namespaces (docs/security.md): its
// capability sets, the seccomp filter, no_new_privs and a fresh session keyring. The same
// two halves as isolation.hpp: prepare_confinement() runs in ctrd before the clone and
// turns a security_spec into plain data; the confine_* steps run in the child (raw system
// calls only) at the points of child_main (spawner.cpp) named below.
#pragma once

#include <linux/filter.h>
#include <cstdint>
#include <memory>
#include <string>

#include "messages/capabilities.hpp"
#include "messages/security.hpp"
#include "runtime/seccomp_filter.hpp"

namespace ctrd {

/// Everything the child needs, prepared by prepare_confinement().
struct child_confinement {
  /// ctrd may change capabilities (it has CAP_SETPCAP): drop the bounding set and capset.
  bool manage_caps = false;
  int cap_last = max_known_capability;  ///< /proc/sys/kernel/cap_last_cap
  capability_sets caps;                 ///< the final sets (masked to the kernel's)
  bool switches_user = false;           ///< keep the permitted set across the user switch
  bool no_new_privs = false;            ///< PR_SET_NO_NEW_PRIVS before exec
  /// The filter (nullptr: none); `fprog` points into it.
  std::shared_ptr<const seccomp::program> filter;
  sock_fprog fprog{};
  /// The child joins a new anonymous session keyring (a named one could be joined by
  /// whoever made a keyring of that name first).
  bool new_keyring = true;
};

/// ctrd's own capabilities: whether it may give them (checked once).
struct daemon_powers {
  bool setpcap = false;    ///< may drop the bounding set and set the child's sets
  bool sys_admin = false;  ///< may load a filter without no_new_privs
  uint64_t permitted = 0;  ///< what it can give at most (its own permitted set)
};
daemon_powers own_powers();

/// The capability sets of a container from its security options and the daemon's default
/// set (`--default-capabilities`); `root_user`: the process runs as uid 0. Throws
/// ctrd::error{ec::invalid_argument} for conflicting --cap-add/--cap-drop.
capability_sets container_sets(const security_spec& sec, uint64_t default_caps, bool root_user);

/// The plan for one container process run as root (`root_user`) or another user
/// (`switches_user`: the spawner changes uid). Compiles (or takes from `filters`) the
/// seccomp program: throws ctrd::error{ec::invalid_argument} for a missing or invalid
/// profile file.
std::shared_ptr<const child_confinement> prepare_confinement(const security_spec& sec,
                                                             uint64_t default_caps,
                                                             seccomp::cache& filters,
                                                             bool root_user, bool switches_user);

/// `given`, or a process-wide cache when it is nullptr (tools and tests without one).
seccomp::cache& filter_cache(seccomp::cache* given);

/// The seccomp profile a container uses: "" = ctrd's default, "unconfined" = none, or a
/// path. --privileged means none unless a path is given explicitly.
std::string effective_seccomp_profile(const security_spec& sec);

/// At create: the profile file is read and compiled now (a clear error instead of one at
/// start). Throws ctrd::error{ec::invalid_argument}.
void check_confinement(const security_spec& sec, uint64_t default_caps, seccomp::cache& filters);

// ---- child side (spawner.cpp child_main): system calls only. Each returns nullptr or a
// static text naming the step that failed (errno preserved). ----

/// After chdir: a fresh session keyring, the bounding set dropped, and with a user switch
/// PR_SET_KEEPCAPS so that the permitted set survives it.
const char* confine_before_user(const child_confinement& c);

/// After the user switch: the effective set back to the permitted one (for the filter's
/// CAP_SYS_ADMIN and the final capset).
const char* confine_after_user(const child_confinement& c);

/// After the hold, just before exec: no_new_privs, then the filter and the final capset
/// (filter last with no_new_privs, else first while CAP_SYS_ADMIN is still effective), then
/// the ambient capabilities.
const char* confine_final(const child_confinement& c);

}  // namespace ctrd
