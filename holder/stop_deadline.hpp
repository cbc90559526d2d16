// The bound on a stop of the daemon (pure: no clock, no process), like a service manager's
// TimeoutStopSec: from the first stop request (SIGTERM, SIGINT or SIGPWR to the holder) the
// daemon has --shutdown-timeout to exit; then the holder kills it (SIGKILL) and waits
// kill_wait_ns more for its exit; after that it goes on with its own shutdown without it.
// A hung daemon (stopped, wedged, stuck) thus never keeps the holder, PID 1 with --init,
// from ending. The holder passes the monotonic time in nanoseconds.
#pragma once

#include <cstdint>
#include <string>

namespace ctrd::holder {

class stop_deadline {
 public:
  /// --shutdown-timeout's default in seconds: systemd's DefaultTimeoutStopSec, below the
  /// TimeoutStopSec=3min of ctrd's own unit (config/systemd/ctrd.service).
  static constexpr int default_timeout_s = 90;
  /// How long a killed daemon has to end (one stuck in the kernel may take longer).
  static constexpr int64_t kill_wait_ns = 5'000'000'000;

  /// What is due now.
  enum class step {
    wait,     ///< nothing (yet)
    kill,     ///< the timeout has passed: SIGKILL the daemon (returned once)
    give_up,  ///< the killed daemon has not ended either: go on without it (returned once)
  };

  /// `timeout_s`: the daemon's time to stop, counted from the first stop request.
  explicit stop_deadline(int timeout_s) : timeout_ns_(int64_t{timeout_s} * 1'000'000'000) {}

  /// A stop was asked at `now`. The first request sets the deadline; later ones keep it.
  void start(int64_t now);

  /// Goes on with a deadline set before the holder's re-exec (`kill_at`: a monotonic time;
  /// the monotonic clock runs on across execve).
  void resume(int64_t kill_at);

  /// What is due at `now` (kill and give_up are each returned once, in that order).
  step due(int64_t now);

  /// Milliseconds from `now` until the next step (0: due; -1: none is pending).
  int wait_ms(int64_t now) const;

  bool started() const { return kill_at_ != 0; }
  /// The kill was due (the daemon did not stop in time).
  bool killed() const { return killed_at_ != 0; }
  /// The monotonic time at which the daemon is killed (0: no stop asked).
  int64_t kill_at() const { return kill_at_; }
  int timeout_s() const { return static_cast<int>(timeout_ns_ / 1'000'000'000); }

 private:
  int64_t timeout_ns_;
  int64_t kill_at_ = 0;    // 0: no stop asked
  int64_t killed_at_ = 0;  // 0: not killed
  bool given_up_ = false;
};

/// Milliseconds from `now` until `at` (monotonic ns), rounded up so that a poll() with it
/// does not wake before `at`; 0 when `at` has passed.
int ms_until(int64_t now, int64_t at);

/// Parses --shutdown-timeout: whole seconds from 1 to 86400. Returns -1 when invalid.
int parse_shutdown_timeout(const std::string& text);

}  // namespace ctrd::holder
