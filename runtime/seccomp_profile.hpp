// Seccomp profiles as data: ctrd's default profile (seccomp_default.cpp) and OCI/podman
// JSON profiles (--security-opt seccomp=PATH, e.g. Debian's
// /usr/share/containers/seccomp.json) read into the same model. Pure and CAF-free;
// seccomp_filter.hpp compiles a profile into a BPF program. docs/security.md, "Seccomp".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ctrd::seccomp {

/// What the filter does with a matching system call (the OCI SCMP_ACT_* names).
enum class action { allow, errno_ret, kill_thread, kill_process, trap, trace, log };

/// A comparison of one system call argument (the OCI SCMP_CMP_* operators).
enum class compare { ne, lt, le, eq, ge, gt, masked_eq };

struct arg_rule {
  unsigned index = 0;  ///< argument 0..5
  uint64_t value = 0;
  uint64_t value_two = 0;  ///< masked_eq: (arg & value) == value_two
  compare op = compare::eq;
};

/// One entry of "syscalls": `names` get `act` when every `args` comparison holds (or, as
/// runc and podman do, when any holds if one argument is compared more than once).
struct rule {
  std::vector<std::string> names;
  action act = action::allow;
  int errno_ret = -1;  ///< errno_ret/trace value; -1: EPERM (as runc; defaultErrnoRet is only the
                       ///< default action's)
  std::vector<arg_rule> args;
  /// includes.caps: applies only when the container has every one of these capabilities.
  std::vector<std::string> include_caps;
  /// excludes.caps: does not apply when the container has any one of these.
  std::vector<std::string> exclude_caps;
  std::vector<std::string> include_arches;  ///< Go names (amd64, arm64, ...): only there
  std::vector<std::string> exclude_arches;  ///< not there
  std::string min_kernel;                   ///< "5.8": only on that kernel or newer
  std::string comment;                      ///< why (ctrd's default profile, docs)
};

/// A whole profile: the action for calls no rule matches, the architectures the filter
/// covers (SCMP_ARCH_* names; the native one always) and the rules.
struct profile {
  action default_action = action::allow;
  int default_errno = 1;  ///< EPERM unless "defaultErrnoRet" says otherwise
  std::vector<std::string> architectures;
  /// archMap: an architecture and the ones it can also run (x86_64: x86, x32).
  struct arch_entry {
    std::string arch;
    std::vector<std::string> sub_arches;
  };
  std::vector<arch_entry> arch_map;
  std::vector<rule> rules;
};

/// Reads an OCI/podman JSON profile. `origin` names it in errors. Unknown system call names
/// are kept (the compiler skips the ones this kernel and libseccomp do not know, as podman
/// does). Throws ctrd::error{ec::invalid_argument} naming the origin and the bad field.
profile parse_profile(const std::string& json_text, const std::string& origin);

/// ctrd's default profile (seccomp_default.cpp): everything allowed except the groups of
/// system calls listed there, each with the capability that re-opens it.
const profile& default_profile();

}  // namespace ctrd::seccomp
