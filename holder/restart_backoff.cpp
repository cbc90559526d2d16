#include "holder/restart_backoff.hpp"

#include <algorithm>

namespace ctrd::holder {

int64_t restart_backoff::next_delay(int64_t ran_ns) {
  if (ran_ns >= short_run_ns) {
    short_runs_ = 0;
    return 0;
  }
  ++short_runs_;
  if (short_runs_ == 1) return 0;  // one early death (a crash during recovery): at once
  int64_t delay = first_delay_ns;
  for (int i = 2; i < short_runs_ && delay < max_delay_ns; ++i) delay *= 2;
  return std::min(delay, max_delay_ns);
}

}  // namespace ctrd::holder
