// The host loop: the one plain thread that waits on the operating system for the whole
// daemon, so no actor ever blocks and no container needs its own thread.
//
// It owns, behind one mutex:
//  * the child registry pid -> owning actor. Spawns happen under the lock, and so do
//    signals to registered pids, so a pid is never signalled after it was reaped and
//    possibly reused;
//  * SIGCHLD through a signalfd: every exit is reaped with waitid(P_ALL, WNOHANG), also
//    orphans reparented to ctrd (it is a child subreaper); owners get
//    (exited_atom, pid, exit_code, true);
//  * container output pipes (EPOLLONESHOT): each read chunk goes to the owner as
//    (output_atom, stream, bytes), and the fd stays disarmed until the owner calls
//    rearm(), so at most one chunk per stream is in flight (bounded memory);
//    end of file gives (eof_atom, stream);
//  * process groups being torn down: (drained_atom) once no process of the group is left;
//  * processes adopted after a daemon restart (not our children): under ctrd's holder
//    (holder/holder.hpp), which reaps them, their exit status comes over its link and
//    gives (exited_atom, pid, code, true); without one (or once it is gone) a pidfd
//    tells of the exit, (exited_atom, pid, -1, false), since the status cannot be known;
//  * the holder's link (host_loop_holder.cpp): containers' pipes kept there, exit
//    statuses from there; if the holder goes, (handover_atom, false) to the sink;
//  * daemon signals (SIGTERM, SIGINT, SIGHUP, SIGPWR): (signal_atom, signo) to the sink.
//
// Precondition: those signals and SIGCHLD are blocked in every thread (block them in main()
// before any thread starts).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <caf/actor.hpp>

#include "actors/host.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/holder_client.hpp"
#include "runtime/spawner.hpp"

namespace ctrd {

/// The production host (actors/host.hpp).
class host_loop final : public host {
 public:
  /// Creates the epoll set, signalfd and wake eventfd. Throws std::system_error.
  host_loop();
  ~host_loop() override;
  host_loop(const host_loop&) = delete;
  host_loop& operator=(const host_loop&) = delete;

  /// Under ctrd's holder: its link (outlives the loop). Call before start().
  void set_holder(holder_client* holder);

  /// Starts the thread; daemon signals go to `signal_sink`.
  void start(caf::actor signal_sink);

  /// Stops and joins the thread (idempotent); drops every actor handle it held (call it
  /// before the actor system goes).
  void stop();

  /// Forks a held child (spawner.hpp) owned by `owner`. Throws ctrd::error.
  held_child spawn(const spawn_spec& spec, const host_client_actor& owner) override;

  /// Signals `pid` if it is a registered, unreaped child or an adopted process.
  bool signal_pid(pid_t pid, int sig) override;

  /// Signals every process of group `pgid`.
  bool signal_group(pid_t pgid, int sig) override;

  /// Starts reading `fd` (stream_stdout / stream_stderr) for `owner`.
  void watch_output(int fd, int stream, const host_client_actor& owner) override;

  /// Re-enables a watched output fd after its chunk was consumed.
  void rearm(int fd) override;

  /// Stops watching `fd` (the caller then closes it).
  void unwatch(int fd) override;

  /// Reads datagrams from a container's NOTIFY_SOCKET; each goes to `owner` as
  /// (notify_atom, std::string payload, int32_t sender_pid) (0: unknown sender; the socket
  /// has SO_PASSCRED). unwatch() stops it.
  void watch_notify(int fd, const host_group_client_actor& owner) override;

  /// Sends (writable_atom) to `owner` once `fd` can be written (one shot; call again to
  /// wait again). unwatch() cancels it.
  void watch_writable(int fd, const host_client_actor& owner) override;

  /// Sends (drained_atom) to `owner` once no process of group `pgid` exists and, when
  /// `cg` is valid, no task is left in that cgroup either (escapees that left the
  /// process group included).
  void watch_group(pid_t pgid, const host_group_client_actor& owner,
                   cgroup::group cg = {}) override;

  /// Watches a process that is not our child (after a ctrd restart). Returns false if it
  /// is already gone or its start time differs (pid reused).
  bool adopt(pid_t pid, uint64_t start_time, const host_client_actor& owner) override;

  /// Waits for the holder's status of a process that ended before its adoption (host.hpp).
  bool await_holder_exit(pid_t pid, const host_client_actor& owner) override;
  void forget_holder_exit(pid_t pid) override;
  bool holder_may_owe_exits() override;

  /// The holder keeps a duplicate of each pipe end of container `id` (replacing older ones).
  void keep_pipes(const std::string& id, int out_fd, int err_fd, int in_fd) override;

  /// The holder closes what it kept for `id`.
  void release_pipes(const std::string& id) override;

  /// The holder closes its end of `id`'s stdin.
  void release_stdin(const std::string& id) override;

  /// The daemon hands over (daemon-reexec, a lost holder): from now on no exit is reaped or
  /// taken from the holder and no output pipe or notify socket is read, so the next daemon
  /// learns of each exit and reads every byte (thread-safe).
  void hand_over();

  /// Orphans reaped so far (processes ctrd did not spawn).
  uint64_t orphans_reaped() const { return orphans_; }

 private:
  enum class fd_kind : uint8_t { output, pidfd, notify, writable };
  struct fd_entry {
    fd_kind kind;
    int stream;                           // output
    pid_t pid;                            // pidfd
    host_client_actor owner;              // output, pidfd, writable
    host_group_client_actor group_owner;  // notify
  };

  void loop();
  void drain_signals();
  void reap_children();
  void check_groups();
  void handle_fd(int fd);
  void wake();
  /// An adopted process ended: its owner gets (exited_atom, pid, code, known) and its pidfd
  /// goes (mtx_ held).
  void end_adopted(pid_t pid, int code, bool known);
  // host_loop_holder.cpp (mtx_ held by the callers of the first two)
  bool holder_watches_exits() const { return holder_ != nullptr && !holder_lost_; }
  // A holder that started a daemon before this one may have containers as its children.
  bool holder_owes_locked() const { return holder_watches_exits() && holder_->daemon_starts() > 1; }
  void watch_pidfd(int pfd);
  void on_holder();

  std::mutex mtx_;
  std::unordered_map<pid_t, host_client_actor> children_;
  std::unordered_map<int, fd_entry> fds_;
  struct draining_entry {
    host_group_client_actor owner;
    cgroup::group cg;
    int64_t killed_ns = 0;         // last SIGKILL to the group's cgroup
    int64_t failing_since_ns = 0;  // its tasks cannot be listed since then (0: they can)
  };
  /// A group whose cgroup cannot be listed (out of descriptors) is reported drained with
  /// an error once this long has passed without a listing, so that a stop always ends.
  static constexpr int64_t drain_give_up_ns = 5'000'000'000;
  std::unordered_map<pid_t, draining_entry> draining_;
  std::unordered_map<pid_t, int> adopted_;  // pid -> pidfd
  caf::actor sink_;
  holder_client* holder_ = nullptr;
  bool handing_over_ = false;                          // hand_over() was called (under mtx_)
  std::unordered_set<pid_t> holder_reaps_;             // adopted children of the holder
  std::unordered_map<pid_t, host_client_actor> owed_;  // statuses awaited from the holder
  bool holder_lost_ = false;
  int epfd_ = -1;
  int sigfd_ = -1;
  int wakefd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> orphans_{0};
  std::thread thread_;
};

/// The signal set the host loop handles; block it with pthread_sigmask before threads start.
void block_daemon_signals();

}  // namespace ctrd
