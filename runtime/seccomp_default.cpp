// ctrd's default seccomp profile, group by group: why each group is refused and the
// capability that re-opens it (--cap-add, as podman's and Docker's profiles do). Every
// other system call is allowed: the kernel's own capability checks stay the main gate, and
// a workload using a call newer than this list is never broken (docs/security.md,
// "Seccomp", has this table in prose). Refused calls fail with EPERM unless noted.
#include <cerrno>

#include "runtime/seccomp_profile.hpp"

namespace ctrd::seccomp {
namespace {

struct group {
  const char* reason;
  /// Capabilities of which any one re-opens the group (empty: only --privileged or
  /// seccomp=unconfined do).
  std::vector<std::string> reopened_by;
  std::vector<std::string> names;
  int errno_ret = EPERM;
  std::vector<arg_rule> args;  ///< each one a rule of its own (any one matching refuses)
};

// Namespace flags of clone(2) (linux/sched.h), refused in its first argument.
constexpr uint64_t clone_namespace_flags[] = {
    0x00020000,  // CLONE_NEWNS
    0x02000000,  // CLONE_NEWCGROUP
    0x04000000,  // CLONE_NEWUTS
    0x08000000,  // CLONE_NEWIPC
    0x10000000,  // CLONE_NEWUSER
    0x20000000,  // CLONE_NEWPID
    0x40000000,  // CLONE_NEWNET
    0x00000080,  // CLONE_NEWTIME
};

// personality(2): the safe values are 0 (PER_LINUX), 8 (PER_LINUX32), 0x20000 (UNAME26),
// 0x20008 and the query 0xffffffff; refused is every value from 0x40000 up to 0xfffffffe,
// which holds the flags that turn off address-space randomisation or make data executable
// (ADDR_NO_RANDOMIZE 0x40000, MMAP_PAGE_ZERO, ADDR_COMPAT_LAYOUT, READ_IMPLIES_EXEC). A rule
// compares an argument once, so the range is a union of masked comparisons of the low 32
// bits (the kernel ignores the upper ones): bit 31 clear and one of bits 18-30 set, or bit
// 31 set and one of bits 0-30 clear.
std::vector<arg_rule> personality_args() {
  std::vector<arg_rule> v;
  constexpr uint64_t top = 0x80000000u;
  for (unsigned b = 18; b <= 30; ++b)
    v.push_back({0, top | (1u << b), 1u << b, compare::masked_eq});
  for (unsigned b = 0; b <= 30; ++b) v.push_back({0, top | (1u << b), top, compare::masked_eq});
  return v;
}

std::vector<arg_rule> clone_args() {
  std::vector<arg_rule> v;
  for (auto f : clone_namespace_flags) v.push_back({0, f, f, compare::masked_eq});
  return v;
}

std::vector<group> groups() {
  return {
      {"kernel modules: code loaded into the host's kernel",
       {"CAP_SYS_MODULE"},
       {"init_module", "finit_module", "delete_module", "create_module", "query_module",
        "get_kernel_syms"}},
      {"kexec and reboot: replace or stop the host's kernel",
       {"CAP_SYS_BOOT"},
       {"kexec_load", "kexec_file_load", "reboot"}},
      {"swap: the host's memory management", {"CAP_SYS_ADMIN"}, {"swapon", "swapoff"}},
      {"clock setting: the clock is not namespaced (adjtimex and clock_adjtime stay: reading "
       "is harmless and the kernel wants CAP_SYS_TIME for their modes that set it)",
       {"CAP_SYS_TIME"},
       {"settimeofday", "stime", "clock_settime", "clock_settime64"}},
      {"kernel keyrings: not namespaced, a container could read or fill the host's keys",
       {},
       {"add_key", "keyctl", "request_key"}},
      {"eBPF programs: run in the host's kernel", {"CAP_BPF", "CAP_SYS_ADMIN"}, {"bpf"}},
      {"performance events: observe the host and other processes",
       {"CAP_PERFMON", "CAP_SYS_ADMIN"},
       {"perf_event_open"}},
      {"tracing other processes: read their memory, take their descriptors",
       {"CAP_SYS_PTRACE"},
       {"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
        "process_madvise"}},
      {"userfaultfd: a tool to win kernel races (the kernel allows it without privileges "
       "only to CAP_SYS_PTRACE unless vm.unprivileged_userfaultfd)",
       {"CAP_SYS_PTRACE"},
       {"userfaultfd"}},
      {"mounting: remount read-only mounts, reach hidden host paths, cgroupfs",
       {"CAP_SYS_ADMIN"},
       {"mount", "umount", "umount2", "pivot_root", "move_mount", "fsopen", "fsconfig", "fsmount",
        "fspick", "open_tree", "mount_setattr"}},
      {"namespaces: a new user namespace gives every capability inside it, the kernel's "
       "largest attack surface",
       {"CAP_SYS_ADMIN"},
       {"unshare", "setns"}},
      {"clone with namespace flags (as unshare)",
       {"CAP_SYS_ADMIN"},
       {"clone"},
       EPERM,
       clone_args()},
      {"clone3: its flags are in memory a filter cannot read; ENOSYS makes the C library fall "
       "back to clone, which is checked",
       {"CAP_SYS_ADMIN"},
       {"clone3"},
       ENOSYS},
      {"open_by_handle_at: opens any file of a mounted file system by inode (\"shocker\")",
       {"CAP_DAC_READ_SEARCH"},
       {"open_by_handle_at"}},
      {"the kernel log: addresses and host messages", {"CAP_SYSLOG"}, {"syslog"}},
      {"process accounting: writes a host file for every process", {"CAP_SYS_PACCT"}, {"acct"}},
      {"quotas, dcookies, fanotify and the domain name: host-wide administration",
       {"CAP_SYS_ADMIN"},
       {"quotactl", "quotactl_fd", "lookup_dcookie", "fanotify_init", "setdomainname"}},
      {"memory policy of other processes and NUMA migration",
       {"CAP_SYS_NICE"},
       {"move_pages", "migrate_pages", "mbind", "set_mempolicy"}},
      {"I/O ports: direct hardware access", {"CAP_SYS_RAWIO"}, {"ioperm", "iopl"}},
      {"vhangup: hangs up the terminal", {"CAP_SYS_TTY_CONFIG"}, {"vhangup"}},
      {"io_uring: performs operations the filter never sees; a frequent source of kernel "
       "exploits (Docker refuses it too)",
       {},
       {"io_uring_setup", "io_uring_enter", "io_uring_register"}},
      {"obsolete or legacy calls nothing needs",
       {},
       {"nfsservctl", "vm86", "vm86old", "uselib", "_sysctl", "sysfs", "ustat", "bdflush"}},
      {"personality values that turn off address-space randomisation or make data executable",
       {},
       {"personality"},
       EPERM,
       personality_args()},
  };
}

profile build() {
  profile p;
  p.default_action = action::allow;
  p.default_errno = EPERM;
  p.arch_map = {{"SCMP_ARCH_X86_64", {"SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
                {"SCMP_ARCH_AARCH64", {"SCMP_ARCH_ARM"}}};
  for (auto& g : groups()) {
    auto base = [&] {
      rule r;
      r.names = g.names;
      r.act = action::errno_ret;
      r.errno_ret = g.errno_ret;
      r.exclude_caps = g.reopened_by;
      r.comment = g.reason;
      return r;
    };
    if (g.args.empty()) {
      p.rules.push_back(base());
      continue;
    }
    for (const auto& a : g.args) {
      auto r = base();
      r.args = {a};
      p.rules.push_back(std::move(r));
    }
  }
  return p;
}

}  // namespace

const profile& default_profile() {
  static const profile p = build();
  return p;
}

}  // namespace ctrd::seccomp
