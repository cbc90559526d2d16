// `healthcheck run` leaves the periodic schedule alone (actors/health_monitor.hpp): a check
// carries `scheduled` only when the periodic timer started it or fired while it ran, so
// exactly one timer or check of the schedule exists at any time.
#include <catch2/catch.hpp>

#include <string>

#include "actors/health_monitor.hpp"

namespace health_schedule_test {

using namespace ctrd;
using namespace ctrd::ctr;

namespace {

struct null_promise {
  void deliver(const json&) {}
  template <class E>
  void deliver(const E&) {}
};

using monitor = health_monitor<null_promise>;

/// Runs one check to its end; `tick_while_running`: the periodic timer fires meanwhile.
check_result run(monitor& m, bool scheduled, bool tick_while_running = false) {
  m.begin(1, 1, scheduled);
  held_child c;
  c.pid = 42;
  m.started(c);
  if (tick_while_running) m.take_schedule();
  m.stream_closed(health_stdout);
  m.stream_closed(health_stderr);
  REQUIRE(m.exited(42, 0));
  return m.finish(2, "abc");
}

}  // namespace

TEST_CASE("health schedule: a manual check arms no timer of its own", "[health_monitor]") {
  monitor m;
  CHECK(run(m, true).scheduled);         // the periodic check arms the next one
  CHECK_FALSE(run(m, false).scheduled);  // `healthcheck run`: the schedule stays as it was
  CHECK(run(m, false, true).scheduled);  // the timer fired during it: it carries the schedule
  CHECK(run(m, true).scheduled);         // and the flag does not stick to later checks
  CHECK_FALSE(run(m, false).scheduled);
}

}  // namespace health_schedule_test
