// The daemon's end of the link to the holder (holder_link.hpp, holder/holder.hpp). Without a
// holder (ctrd-daemon started on its own) there is no client and nothing is held.
//
// At start, before any thread: take_over() says hello and reads what the holder kept
// (descriptors per container, exit statuses of processes it reaped). Afterwards any thread
// may hold/release descriptors and confirm statuses; sends never block (what does not fit
// in the socket waits in a queue, sent by the next call or flush()). The holder's later
// messages (exit statuses of adopted processes) are read with next() when fd() is readable.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <sys/types.h>

#include "runtime/holder_link.hpp"

namespace ctrd {

/// A descriptor the holder kept for a container (owned by whoever takes it).
struct held_descriptor {
  std::string id;
  std::string role;
  int fd = -1;
};

/// A process the holder reaped: its pid and exit code (proc::exit_code's convention).
struct reaped_process {
  int64_t pid = 0;
  int exit_code = 0;
};

/// What take_over() got from the holder.
struct holder_handover {
  std::vector<held_descriptor> fds;
  std::vector<reaped_process> exits;
  int64_t holder_pid = 0;
  int daemon_starts = 0;  ///< 1: this is the first daemon; more: a crash or an upgrade came before
  /// The holder pets a hardware watchdog: send alive() after a passing self-check at least
  /// this often (0: none asked).
  int alive_period_ms = 0;
};

class holder_client {
 public:
  /// The client of the link named by $CTRD_HOLDER_FD (the variable is removed so that no
  /// container inherits it); nullptr when ctrd-daemon runs without a holder. Throws
  /// ctrd::error if the variable names no socket.
  static std::unique_ptr<holder_client> from_environment();

  /// Takes `fd` (a connected SOCK_SEQPACKET socket).
  explicit holder_client(int fd);
  ~holder_client();
  holder_client(const holder_client&) = delete;
  holder_client& operator=(const holder_client&) = delete;

  /// Says hello and reads the hand-over (blocking, up to `timeout_ms`). Throws ctrd::error
  /// when the holder does not answer or the link breaks.
  holder_handover take_over(int timeout_ms = 10000);

  /// The holder keeps a duplicate of `fd` for container `id` (the caller keeps its own).
  void hold(const std::string& id, const std::string& role, int fd);
  /// The holder closes what it holds for `id` (only `role` when given).
  void release(const std::string& id, const std::string& role = {});
  /// The status of `pid` reached the daemon's state: the holder may drop it.
  void forget(int64_t pid);
  /// The daemon serves its socket.
  void ready();
  /// The daemon exits for an upgrade: the holder re-executes itself and starts the new daemon.
  void reexec();
  /// The holder sends `text` to the service manager (sd_notify.hpp's relay).
  void notify(const std::string& text);
  /// A self-check passed: the holder pets its hardware watchdog.
  void alive();

  /// Sends what waits in the queue; true when nothing is left.
  bool flush();
  /// Sends everything queued, waiting up to `timeout_ms` for room (the daemon's last act
  /// before it exits for an upgrade); true when nothing is left.
  bool flush_all(int timeout_ms);
  /// The link's descriptor (readable: call next()).
  int fd() const { return fd_; }
  /// The holder's pid (known after take_over()).
  pid_t holder_pid() const { return holder_pid_; }
  /// The daemons the holder started, this one included (known after take_over()): with 1,
  /// no process can be the holder's child yet.
  int daemon_starts() const { return daemon_starts_; }
  /// The next exit status from the holder; false when none is waiting. `closed` becomes
  /// true when the holder is gone (the daemon then runs on without one).
  bool next(reaped_process& out, bool& closed);

 private:
  void enqueue(holder::message m);
  bool flush_locked();

  int fd_;
  pid_t holder_pid_ = 0;
  int daemon_starts_ = 0;
  std::mutex mtx_;
  std::deque<holder::message> queue_;  // queued descriptors are duplicates owned here
};

}  // namespace ctrd
