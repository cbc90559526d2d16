// When the holder starts the daemon again after it died (pure: no clock, no process).
// A daemon that ran for a while is restarted at once; one that keeps dying soon after its
// start is restarted after a delay that doubles each time (s6-supervise's one-second rule,
// made exponential), so a daemon that cannot start does not spin.
#pragma once

#include <cstdint>

namespace ctrd::holder {

class restart_backoff {
 public:
  /// A run shorter than this counts as "died at start" (s6-supervise's one second).
  static constexpr int64_t short_run_ns = 1'000'000'000;
  /// The first delay after the second short run in a row, and the longest delay.
  static constexpr int64_t first_delay_ns = 250'000'000;
  static constexpr int64_t max_delay_ns = 10'000'000'000;

  /// The daemon died after running `ran_ns`: how long to wait before starting it again.
  int64_t next_delay(int64_t ran_ns);

  /// Short runs in a row so far (0 after a long run).
  int short_runs() const { return short_runs_; }

 private:
  int short_runs_ = 0;
};

}  // namespace ctrd::holder
