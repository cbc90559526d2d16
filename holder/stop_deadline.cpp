#include "holder/stop_deadline.hpp"
#include "holder/seconds_flag.hpp"

#include <algorithm>
#include <climits>

namespace ctrd::holder {

void stop_deadline::start(int64_t now) {
  if (kill_at_ == 0) kill_at_ = std::max<int64_t>(1, now + timeout_ns_);
}

void stop_deadline::resume(int64_t kill_at) {
  if (kill_at_ == 0 && kill_at > 0) kill_at_ = kill_at;
}

stop_deadline::step stop_deadline::due(int64_t now) {
  if (kill_at_ == 0 || given_up_) return step::wait;
  if (killed_at_ == 0) {
    if (now < kill_at_) return step::wait;
    killed_at_ = std::max<int64_t>(1, now);
    return step::kill;
  }
  if (now < killed_at_ + kill_wait_ns) return step::wait;
  given_up_ = true;
  return step::give_up;
}

int stop_deadline::wait_ms(int64_t now) const {
  if (kill_at_ == 0 || given_up_) return -1;
  return ms_until(now, killed_at_ == 0 ? kill_at_ : killed_at_ + kill_wait_ns);
}

int ms_until(int64_t now, int64_t at) {
  if (at <= now) return 0;
  int64_t ns = at - now;
  int64_t ms = ns / 1'000'000 + (ns % 1'000'000 != 0 ? 1 : 0);  // no overflow near INT64_MAX
  return static_cast<int>(std::min<int64_t>(ms, INT_MAX));
}

int parse_shutdown_timeout(const std::string& text) {
  return parse_whole_seconds(text);
}

}  // namespace ctrd::holder
