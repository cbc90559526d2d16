// The stop's deadline (holder/stop_deadline.hpp) without a clock or a process, and the
// holder's --shutdown-timeout flag.
#include <catch2/catch.hpp>

#include <climits>

#include "holder/holder.hpp"
#include "holder/stop_deadline.hpp"

namespace stop_deadline_test {

using namespace ctrd::holder;
using step = stop_deadline::step;

constexpr int64_t s = 1'000'000'000;
constexpr int64_t ms = 1'000'000;

TEST_CASE("stop deadline: nothing is due before a stop is asked", "[holder]") {
  stop_deadline d(30);
  CHECK_FALSE(d.started());
  CHECK(d.due(1000 * s) == step::wait);
  CHECK(d.wait_ms(1000 * s) == -1);  // poll() without a timeout of its own
  CHECK_FALSE(d.killed());
}

TEST_CASE("stop deadline: the kill is due once at the timeout, giving up once after it",
          "[holder]") {
  stop_deadline d(30);
  d.start(100 * s);
  CHECK(d.started());
  CHECK(d.kill_at() == 130 * s);
  CHECK(d.wait_ms(100 * s) == 30'000);
  CHECK(d.due(130 * s - 1) == step::wait);
  CHECK(d.wait_ms(130 * s - 1) == 1);  // rounded up: poll() does not wake too early
  CHECK_FALSE(d.killed());
  CHECK(d.due(130 * s) == step::kill);
  CHECK(d.killed());
  CHECK(d.due(130 * s) == step::wait);  // once
  // The killed daemon has kill_wait_ns to end.
  CHECK(d.wait_ms(131 * s) == (stop_deadline::kill_wait_ns - s) / ms);
  CHECK(d.due(130 * s + stop_deadline::kill_wait_ns - 1) == step::wait);
  CHECK(d.due(130 * s + stop_deadline::kill_wait_ns) == step::give_up);
  CHECK(d.due(10'000 * s) == step::wait);  // once
  CHECK(d.wait_ms(10'000 * s) == -1);
}

TEST_CASE("stop deadline: a late first look kills at once and waits from then", "[holder]") {
  stop_deadline d(2);
  d.start(10 * s);
  CHECK(d.wait_ms(20 * s) == 0);
  CHECK(d.due(20 * s) == step::kill);  // the holder was busy: the kill is late, not skipped
  CHECK(d.due(21 * s) == step::wait);  // the wait for the killed daemon counts from the kill
  CHECK(d.due(20 * s + stop_deadline::kill_wait_ns) == step::give_up);
}

TEST_CASE("stop deadline: later stop requests keep the first deadline", "[holder]") {
  stop_deadline d(10);
  d.start(5 * s);
  d.start(9 * s);  // a second SIGTERM
  CHECK(d.kill_at() == 15 * s);
  d.resume(99 * s);  // only a fresh holder resumes
  CHECK(d.kill_at() == 15 * s);
}

TEST_CASE("stop deadline: a deadline resumed after the holder's re-exec goes on", "[holder]") {
  stop_deadline d(90);
  d.resume(50 * s);
  CHECK(d.started());
  CHECK(d.due(49 * s) == step::wait);
  CHECK(d.due(50 * s) == step::kill);
  stop_deadline none(90);
  none.resume(0);  // nothing to resume
  CHECK_FALSE(none.started());
}

TEST_CASE("stop deadline: a start at time 0 still counts as started", "[holder]") {
  stop_deadline d(1);
  d.start(-s);  // kill_at would be 0, which means "none"
  CHECK(d.started());
  CHECK(d.due(s) == step::kill);
}

TEST_CASE("stop deadline: milliseconds until a time are rounded up and capped", "[holder]") {
  CHECK(ms_until(10 * s, 9 * s) == 0);
  CHECK(ms_until(10 * s, 10 * s) == 0);
  CHECK(ms_until(10 * s, 10 * s + 1) == 1);
  CHECK(ms_until(10 * s, 10 * s + ms) == 1);
  CHECK(ms_until(10 * s, 10 * s + ms + 1) == 2);
  CHECK(ms_until(0, INT64_MAX) == INT_MAX);
}

TEST_CASE("stop deadline: --shutdown-timeout is whole seconds from 1 to 86400", "[holder]") {
  CHECK(parse_shutdown_timeout("1") == 1);
  CHECK(parse_shutdown_timeout("86400") == 86400);
  for (const char* bad : {"", "0", "86401", "-1", "1.5", "5s", " 5", "999999"})
    CHECK(parse_shutdown_timeout(bad) == -1);
}

TEST_CASE("stop deadline: the holder reads --shutdown-timeout in both forms", "[holder]") {
  holder_options o;
  CHECK(parse_holder_args({"--root", "/r"}, o).empty());
  CHECK(o.shutdown_timeout == stop_deadline::default_timeout_s);
  holder_options o1;
  CHECK(parse_holder_args({"--init", "--shutdown-timeout", "5"}, o1).empty());
  CHECK(o1.shutdown_timeout == 5);
  CHECK(o1.init);
  holder_options o2;
  CHECK(parse_holder_args({"--shutdown-timeout=120"}, o2).empty());
  CHECK(o2.shutdown_timeout == 120);
  holder_options o3;
  CHECK(parse_holder_args({"--shutdown-timeout", "0"}, o3) ==
        "invalid --shutdown-timeout \"0\": whole seconds from 1 to 86400");
  holder_options o4;
  CHECK(parse_holder_args({"--shutdown-timeout"}, o4) == "--shutdown-timeout needs a value");
}

}  // namespace stop_deadline_test
