#include "runtime/confinement.hpp"

#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <fstream>

#include "messages/error.hpp"
#include "runtime/child_side.hpp"

namespace ctrd {
namespace {

int read_cap_last() {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int n = -1;
  if (in >> n && n >= 0 && n < 64) return n;
  return max_known_capability;
}

int cap_last() {
  static const int n = read_cap_last();
  return n;
}

uint64_t kernel_mask() {
  int n = cap_last();
  return n >= 63 ? ~uint64_t{0} : (uint64_t{1} << (n + 1)) - 1;
}

bool has_all(const std::vector<std::string>& v) {
  for (const auto& s : v)
    if (s == "ALL") return true;
  return false;
}

}  // namespace

daemon_powers own_powers() {
  static const daemon_powers p = [] {
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct d[2]{};
    daemon_powers r;
    if (::syscall(SYS_capget, &h, d) != 0) return r;
    uint64_t eff = d[0].effective | (uint64_t{d[1].effective} << 32);
    r.setpcap = eff & (uint64_t{1} << CAP_SETPCAP);
    r.sys_admin = eff & (uint64_t{1} << CAP_SYS_ADMIN);
    r.permitted = d[0].permitted | (uint64_t{d[1].permitted} << 32);
    return r;
  }();
  return p;
}

capability_sets container_sets(const security_spec& sec, uint64_t default_caps, bool root_user) {
  uint64_t bounding =
      container_capabilities(default_caps, sec.cap_add, sec.cap_drop, sec.privileged);
  uint64_t added = sec.privileged || has_all(sec.cap_add)
                       ? all_capabilities
                       : parse_capabilities(sec.cap_add, "--cap-add");
  if (sec.privileged) bounding = ~uint64_t{0};  // also what the kernel knows and ctrd not
  auto sets = process_capabilities(bounding & kernel_mask(), added & kernel_mask(), root_user);
  return sets;
}

seccomp::cache& filter_cache(seccomp::cache* given) {
  static seccomp::cache process_wide;
  return given ? *given : process_wide;
}

std::string effective_seccomp_profile(const security_spec& sec) {
  if (sec.privileged && (sec.seccomp_profile.empty() || sec.seccomp_profile == "unconfined"))
    return "unconfined";
  return sec.seccomp_profile;
}

void check_confinement(const security_spec& sec, uint64_t default_caps, seccomp::cache& filters) {
  auto sets = container_sets(sec, default_caps, true);
  auto profile = effective_seccomp_profile(sec);
  if (profile != "unconfined") filters.get(profile, sets.bounding);
}

std::shared_ptr<const child_confinement> prepare_confinement(const security_spec& sec,
                                                             uint64_t default_caps,
                                                             seccomp::cache& filters,
                                                             bool root_user, bool switches_user) {
  auto c = std::make_shared<child_confinement>();
  auto powers = own_powers();
  c->manage_caps = powers.setpcap;
  c->cap_last = cap_last();
  c->caps = container_sets(sec, default_caps, root_user);
  // Nobody gets more than ctrd has (e.g. ctrd itself in a container with fewer).
  for (auto* set : {&c->caps.permitted, &c->caps.effective, &c->caps.inheritable, &c->caps.ambient})
    *set &= powers.permitted;
  c->switches_user = switches_user;
  c->no_new_privs = sec.no_new_privileges;
  auto profile = effective_seccomp_profile(sec);
  if (profile != "unconfined") {
    // The filter decides by the container's capabilities (includes/excludes caps).
    c->filter = filters.get(profile, c->caps.bounding);
    c->fprog = c->filter->fprog();
    // Without CAP_SYS_ADMIN the kernel loads a filter only under no_new_privs.
    if (!powers.sys_admin) c->no_new_privs = true;
  }
  return c;
}

// ---- child side ----------------------------------------------------------------------

namespace {

/// capset(2) version 3 with 64-bit sets.
CTRD_CHILD_SIDE long set_caps(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
  __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct d[2];
  d[0].effective = static_cast<uint32_t>(effective);
  d[1].effective = static_cast<uint32_t>(effective >> 32);
  d[0].permitted = static_cast<uint32_t>(permitted);
  d[1].permitted = static_cast<uint32_t>(permitted >> 32);
  d[0].inheritable = static_cast<uint32_t>(inheritable);
  d[1].inheritable = static_cast<uint32_t>(inheritable >> 32);
  return ::syscall(SYS_capset, &h, d);
}

CTRD_CHILD_SIDE const char* final_caps(const child_confinement& c) {
  if (!c.manage_caps) return nullptr;
  const auto& s = c.caps;
  if (set_caps(s.effective, s.permitted, s.inheritable) != 0) return "set the capabilities";
  for (int cap = 0; cap <= c.cap_last; ++cap)
    if (s.ambient & (uint64_t{1} << cap))
      if (::syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
        return "raise the ambient capabilities";
  return nullptr;
}

CTRD_CHILD_SIDE const char* load_filter(const child_confinement& c) {
  if (!c.filter) return nullptr;
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &c.fprog) != 0)
    return "load the seccomp filter";
  return nullptr;
}

}  // namespace

CTRD_CHILD_SIDE const char* confine_before_user(const child_confinement& c) {
  // ENOSYS: a kernel without keys. EPERM: an outer seccomp filter (systemd-nspawn's or
  // Docker's default) refuses keyctl to ctrd, and so to the container, which inherits it:
  // no keyring is reachable to isolate.
  if (c.new_keyring && ::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0) < 0 &&
      errno != ENOSYS && errno != EPERM)
    return "join a session keyring of its own";
  if (!c.manage_caps) return nullptr;
  for (int cap = 0; cap <= c.cap_last; ++cap)
    if (!(c.caps.bounding & (uint64_t{1} << cap)))
      if (::syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
        return "drop capabilities from the bounding set";
  if (c.switches_user && ::syscall(SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
    return "keep the capabilities across the user switch";
  return nullptr;
}

CTRD_CHILD_SIDE const char* confine_after_user(const child_confinement& c) {
  if (!c.manage_caps || !c.switches_user) return nullptr;
  __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct d[2];
  if (::syscall(SYS_capget, &h, d) != 0) return "read the capabilities";
  uint64_t permitted = d[0].permitted | (uint64_t{d[1].permitted} << 32);
  if (set_caps(permitted, permitted, 0) != 0) return "restore the capabilities";
  if (::syscall(SYS_prctl, PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0)
    return "reset the keep-capabilities flag";
  return nullptr;
}

CTRD_CHILD_SIDE const char* confine_final(const child_confinement& c) {
  if (c.no_new_privs) {
    if (::syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
      return "set no_new_privs (no-new-privileges)";
    if (const char* failed = final_caps(c)) return failed;
    return load_filter(c);
  }
  // The filter needs CAP_SYS_ADMIN without no_new_privs: load it before the capset takes
  // it away (the filter allows capset and prctl).
  if (const char* failed = load_filter(c)) return failed;
  return final_caps(c);
}

}  // namespace ctrd
