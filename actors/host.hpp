// The host seam (like LevelDB's Env): everything a container or exec actor asks of the
// operating system's process side goes through this interface. host_loop (host_loop.hpp)
// implements it in production; tests implement it with a fake that records the calls and
// lets the test play the kernel's part (tests/support/fake_host.hpp), so that the actors
// can be driven deterministically on CAF's test coordinator without real processes.
//
// Replies come back as messages to `owner`, typed: host_client_actor (exited, output, eof,
// writable) and, for process groups and notify sockets, host_group_client_actor (drained,
// notify), both in actors/interfaces.hpp (see host_loop.hpp for each message).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "actors/interfaces.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/spawner.hpp"

namespace ctrd {

/// Stream numbers used in output messages.
enum stream_id : int { stream_stdout = 1, stream_stderr = 2 };

class host {
 public:
  virtual ~host() = default;

  /// Forks a held child (spawner.hpp) owned by `owner`. Throws ctrd::error.
  virtual held_child spawn(const spawn_spec& spec, const host_client_actor& owner) = 0;

  /// Signals `pid` if it is a registered, unreaped child or an adopted process.
  virtual bool signal_pid(pid_t pid, int sig) = 0;

  /// Signals every process of group `pgid`.
  virtual bool signal_group(pid_t pgid, int sig) = 0;

  /// Starts reading `fd` (stream_stdout / stream_stderr) for `owner`: one chunk at a time.
  virtual void watch_output(int fd, int stream, const host_client_actor& owner) = 0;

  /// Re-enables a watched output fd after its chunk was consumed.
  virtual void rearm(int fd) = 0;

  /// Stops watching `fd` (the caller then closes it).
  virtual void unwatch(int fd) = 0;

  /// Reads datagrams from a container's NOTIFY_SOCKET for `owner`.
  virtual void watch_notify(int fd, const host_group_client_actor& owner) = 0;

  /// Tells `owner` (writable_atom) once `fd` can be written (one shot).
  virtual void watch_writable(int fd, const host_client_actor& owner) = 0;

  /// Tells `owner` (drained_atom) once no process of group `pgid` (and, when `cg` is
  /// valid, no task of that cgroup) is left.
  virtual void watch_group(pid_t pgid, const host_group_client_actor& owner,
                           cgroup::group cg = {}) = 0;

  /// Watches a process that is not our child (after a ctrd restart). False if it is gone
  /// or its start time differs (pid reused). Its exit reaches `owner` with its exit code
  /// when ctrd's holder reaped it (holder/holder.hpp), -1 otherwise.
  virtual bool adopt(pid_t pid, uint64_t start_time, const host_client_actor& owner) = 0;

  /// A process that could not be adopted because it has just ended, while ctrd's holder (its
  /// parent after a daemon crash or upgrade) may not have sent its status yet: that status
  /// reaches `owner` as an exit of `pid` (known), at once if it is already here. False, and
  /// nothing is kept, when no holder sends statuses or this daemon is the holder's first
  /// (nothing can be its child then). forget_holder_exit() gives up the wait.
  virtual bool await_holder_exit(pid_t pid, const host_client_actor& owner) {
    (void)pid, (void)owner;
    return false;
  }
  virtual void forget_holder_exit(pid_t pid) { (void)pid; }
  /// True when await_holder_exit() can wait: a holder sends statuses and has run a daemon
  /// before this one.
  virtual bool holder_may_owe_exits() { return false; }

  /// Gives ctrd's holder a duplicate of a container's pipe ends (-1: none), so that its
  /// process outlives a crash of the daemon without EPIPE and the next daemon reads on.
  /// Replaces what was kept for `id` before. Nothing without a holder.
  virtual void keep_pipes(const std::string& id, int out_fd, int err_fd, int in_fd) {
    (void)id, (void)out_fd, (void)err_fd, (void)in_fd;
  }

  /// The holder closes what it kept for container `id` (removed).
  virtual void release_pipes(const std::string& id) { (void)id; }

  /// The holder closes its end of container `id`'s stdin (the input ended: the process
  /// must see EOF once ctrd closes its own).
  virtual void release_stdin(const std::string& id) { (void)id; }
};

}  // namespace ctrd
