// The native runtime's process launch: fork a child that is set up completely (own
// session and process group, stdio on pipes, working directory, user) and then held
// before exec until release() is called. This makes podman's "initialized" state real
// and lets an attach be in place before the first byte is written.
//
// Called only by the host loop, under its registry lock (so a pid is registered as
// owned before it can exit and be reaped).
#pragma once

#include <sys/types.h>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ctrd {

struct child_isolation;
struct child_confinement;

/// A resource limit the child sets before exec (prlimit64; RLIM_INFINITY: unlimited).
struct child_rlimit {
  int resource = 0;
  uint64_t soft = 0;
  uint64_t hard = 0;
};

/// Most descriptors the parent's set-up may hand to the child (spawn_spec::setup).
constexpr std::size_t max_setup_fds = 64;

/// The parent's end of the set-up channel: one message, optionally carrying descriptors
/// (SCM_RIGHTS), lets the child go on with its isolation.
class setup_channel {
 public:
  explicit setup_channel(int fd) : fd_(fd) {}
  /// Sends the message with `fds` (at most max_setup_fds; the caller keeps and closes its
  /// copies). Throws ctrd::error{ec::internal} when the child is gone.
  void send(const int* fds = nullptr, std::size_t count = 0);
  bool sent() const { return sent_; }

 private:
  int fd_;
  bool sent_ = false;
};

/// What to run. Everything is resolved before the fork: the child only calls
/// async-signal-safe functions.
struct spawn_spec {
  std::string path;               ///< resolved executable (see resolve_command)
  std::vector<std::string> argv;  ///< argv[0] as the user wrote it
  std::vector<std::string> env;   ///< complete environment
  std::string workdir;            ///< chdir target
  bool set_user = false;          ///< switch to uid/gid before exec
  uid_t uid = 0;
  gid_t gid = 0;
  /// With `set_user`: the supplementary groups (setgroups); empty: just `gid`.
  std::vector<gid_t> groups;
  bool interactive = false;  ///< stdin is a pipe from ctrd (else /dev/null)
  bool tty = false;          ///< stdin/stdout/stderr are a new pseudo-terminal
  /// With `tty`: a host path whose dev/ptmx is the container's devpts (exec into a rootfs
  /// container uses /proc/<pid>/root), so the terminal exists inside it; "" = the host's.
  std::string pty_root;
  /// Namespaces and root file system for a new container (isolation.hpp); nullptr: none.
  /// `path` and `workdir` are then paths inside the container.
  const child_isolation* isolation = nullptr;
  /// exec: a pidfd of the container's main process whose namespaces the child joins
  /// (setns with `join_flags`; with CLONE_NEWPID the child forks once more so that the
  /// process is inside the PID namespace, and that grandchild is the one returned).
  int join_pidfd = -1;
  int join_flags = 0;
  /// A cgroup2 directory to clone the child into (clone3 CLONE_INTO_CGROUP: no migration
  /// afterwards); "" = ctrd's own cgroup. If the kernel refuses, the child is forked as
  /// usual and held_child::in_cgroup is false.
  std::string cgroup_dir;
  /// Hold the child before exec until release_child(). false: the caller releases it at
  /// once anyway, so it may exec right away; without isolation or a namespace join it is
  /// then cloned with CLONE_VM | CLONE_VFORK (x86-64), which spares copying the daemon's
  /// page tables. Only for children that need nothing done between clone and exec: its
  /// cgroup must be the clone-time one (cgroup_dir) or none.
  bool hold = true;
  /// Set in the child before exec, in order (process_defaults.hpp fills them): the limits
  /// ctrd raised for itself back to their original values, then the container's --ulimit.
  std::vector<child_rlimit> rlimits;
  /// Written to /proc/self/oom_score_adj before exec when `set_oom_score_adj` (ctrd's own
  /// -1000 must not be inherited).
  bool set_oom_score_adj = false;
  int oom_score_adj = 0;
  /// Parent-side set-up between the clone and the child's isolation (needs `isolation`, is
  /// ignored for exec joins): the child waits until this has run in ctrd and sent its
  /// message; the descriptors it sends reach enter_isolation(). For what only the parent
  /// can do first: cgroup v1 membership before the cgroup namespace is made, uid/gid maps,
  /// idmapped mounts. Called with the child's pid and whether it was cloned into
  /// `cgroup_dir`; if it throws, the child is killed and spawn_held rethrows. A message
  /// without descriptors is sent for it if it sent none. With a set-up, spawn_held returns
  /// once the child is isolated (or has failed), so nothing can join its namespaces early.
  std::function<void(pid_t pid, bool in_cgroup, setup_channel& channel)> setup;
  /// Capabilities, seccomp filter, no_new_privs and session keyring (confinement.hpp);
  /// nullptr: the child keeps ctrd's.
  std::shared_ptr<const child_confinement> confinement;
  /// A descriptor the child gets as descriptor 3 (ctrd's tar helper: the root it works
  /// in); -1: none. Not with `join_pidfd`.
  int pass_fd = -1;
};

/// A forked, held child and the parent's ends of its pipes (all O_CLOEXEC; the output
/// ends are O_NONBLOCK).
struct held_child {
  pid_t pid = -1;
  int release_fd = -1;     ///< write one byte to let the child exec; closing it makes it exit 0
                           ///< (-1: spawned without a hold)
  int out_fd = -1;         ///< read end of the child's stdout (with a tty: the pty master)
  int err_fd = -1;         ///< read end of the child's stderr (-1 with a tty)
  int in_fd = -1;          ///< write end of its stdin (interactive), or a dup of the pty master
  bool in_cgroup = false;  ///< the child was cloned into spawn_spec::cgroup_dir
};

/// Resolves argv[0] the way execvp would, using PATH from `env` (or the default PATH) and
/// `workdir` for relative paths. With `root` >= 0 (a directory descriptor of a container's
/// root), every candidate is looked up inside that root (fs::open_in_root) and the result
/// is a path in the container. Throws ctrd::error: command_not_found (podman 127) or
/// cannot_invoke (126: a directory, no execute permission).
std::string resolve_command(const std::string& cmd, const std::vector<std::string>& env,
                            const std::string& workdir, int root = -1);

/// Forks the held child. Throws ctrd::error{ec::internal} if pipes or fork fail.
held_child spawn_held(const spawn_spec& spec);

/// Lets the held child exec. Closes release_fd. Returns false if the child is gone.
bool release_child(held_child& c);

/// The PATH used when the container's environment has none.
extern const char* const default_path;

}  // namespace ctrd
