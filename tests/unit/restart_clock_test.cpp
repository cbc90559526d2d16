// Restart times across ctrd restarts and reboots (core/restart_clock.hpp) as a table:
// same boot, another boot, records without a boot id; plus the crash-loop window and the
// backoff reset on the boot clock whatever the wall clock does.
#include <catch2/catch.hpp>

#include "core/restart_clock.hpp"
#include "core/restart_policy.hpp"

namespace restart_clock_test {

using namespace ctrd;
using restart::action;
using restart::clock_now;

namespace {

constexpr int64_t ms = 1000000;  // ns per ms
constexpr int64_t year_ms = int64_t{365} * 24 * 3600 * 1000;

clock_now at(int64_t boot_ms, int64_t wall_ms, const char* boot = "B") {
  return clock_now{boot_ms * ms, wall_ms * ms, boot};
}

}  // namespace

TEST_CASE("rebase: pending restart and crash-loop history per kind of record", "[restart][clock]") {
  backoff_spec b;  // 100 ms .. 60 s, window 60 s
  const int64_t wall = int64_t{1800000000} * 1000;
  struct row {
    const char* what;
    const char* stored_boot;  // "" = a record without boot id (wall-clock times)
    int64_t due;              // stored deadline (ms, boot or wall clock), 0 = none
    std::vector<int64_t> recent;
    clock_now now;
    int64_t want_left_ms;  // remaining delay afterwards
    size_t want_recent;    // crash-loop entries kept
    bool changed;
  };
  const row table[] = {
      {"same boot: unchanged", "B", 5000 + 3000, {4000, 4500}, at(5000, wall), 3000, 2, false},
      {"same boot, due in the past", "B", 4000, {}, at(5000, wall), 0, 0, false},
      {"same boot, wall clock a year behind: no matter",
       "B",
       8000,
       {4900},
       at(5000, wall - year_ms),
       3000,
       1,
       false},
      {"another boot: due at once, history dropped",
       "A",
       900000,
       {899000},
       at(2000, wall),
       0,
       0,
       true},
      {"old record: wall deadline 3 s ahead",
       "",
       wall + 3000,
       {wall - 1000, wall - 120000},
       at(5000, wall),
       3000,
       1,
       true},
      {"old record, clock a year behind: clamped to the longest delay",
       "",
       wall + 3000,
       {},
       at(5000, wall - year_ms),
       60000,
       0,
       true},
      {"old record, clock a year ahead: due at once, history a year old",
       "",
       wall + 3000,
       {wall - 1000},
       at(5000, wall + year_ms),
       0,
       0,
       true},
      {"old record, deadline passed", "", wall - 1, {}, at(5000, wall), 0, 0, true},
  };
  for (const auto& r : table) {
    INFO(r.what);
    container_status s;
    s.boot_id = r.stored_boot;
    s.restart_due_ns = r.due * ms;
    s.history.recent_ms = r.recent;
    CHECK(restart::rebase(s, b, r.now) == r.changed);
    CHECK(s.boot_id == r.now.boot_id);
    CHECK(s.restart_due_ns != 0);  // still pending
    CHECK(restart::remaining_ms(s, b, r.now.boot_ns) == r.want_left_ms);
    CHECK(s.history.recent_ms.size() == r.want_recent);
    for (auto t : s.history.recent_ms) CHECK(t <= r.now.boot_ns / ms);
  }
}

TEST_CASE("an old record's crash history from the future counts as just now", "[restart][clock]") {
  // Ages clamp at 0: with the clock a year behind the entry counts as just now (a crash loop
  // is not forgotten); with the clock a year ahead the entry is a year old and dropped.
  backoff_spec b;
  container_status s;
  s.history.recent_ms = {1000};
  restart::rebase(s, b, at(70000, 1000 - year_ms));
  REQUIRE(s.history.recent_ms.size() == 1);
  CHECK(s.history.recent_ms[0] == 70000);
  container_status t;
  t.history.recent_ms = {1000};
  restart::rebase(t, b, at(70000, 1000 + year_ms));
  CHECK(t.history.recent_ms.empty());
}

TEST_CASE("no pending restart stays none, and the display follows the current wall clock",
          "[restart][clock]") {
  backoff_spec b;
  container_status s;
  for (const char* boot : {"", "A", "B"}) {
    s.boot_id = boot;
    restart::rebase(s, b, at(5000, 1000));
    CHECK(s.restart_due_ns == 0);
    CHECK(restart::remaining_ms(s, b, 5000 * ms) == 0);
    CHECK(restart::displayed_restart_ns(s, at(5000, 1000)) == 0);
  }
  s.restart_due_ns = 8000 * ms;
  CHECK(restart::displayed_restart_ns(s, at(5000, 1000)) == 4000 * ms);
  CHECK(restart::displayed_restart_ns(s, at(5000, 1000 - year_ms)) == (4000 - year_ms) * ms);
  CHECK(restart::displayed_restart_ns(s, at(9000, 1000)) == 1000 * ms);  // overdue: now
  b.initial_ms = 0;  // immediate restarts: nothing ever waits
  CHECK(restart::remaining_ms(s, b, 5000 * ms) == 0);
}

TEST_CASE("windows run on the boot clock: decide() and record() get boot milliseconds",
          "[restart][clock]") {
  // The crash-loop count and the backoff reset depend only on the times passed in; the
  // container actor passes CLOCK_BOOTTIME, so a wall-clock jump cannot reach them. A history
  // of `limit` restarts older than the window does not park the next crash.
  backoff_spec b;
  b.limit = 2;
  b.window_ms = 2000;
  restart::history h;
  restart::exit_facts e;
  e.exit_code = 1;
  auto p = parse_restart_policy("always");
  restart::record(h, b, e, 1000);
  restart::record(h, b, e, 1100);
  CHECK(restart::decide(p, b, 2, h, e, 1200, 0).what == action::park);
  CHECK(restart::decide(p, b, 2, h, e, 3200, 0).what == action::restart);
}

TEST_CASE("a record without boot id is read with its wall-clock times, then rebased",
          "[restart][clock]") {
  // As an older ctrd stored it: wall-clock next_restart_ns and recent_restarts_ms.
  const int64_t wall_ms = int64_t{1800000000} * 1000;
  json old = {{"state", static_cast<int>(container_state::exited)},
              {"next_restart_ns", (wall_ms + 3000) * ms},
              {"recent_restarts_ms", {wall_ms - 1000}},
              {"backoff_step", 2}};
  auto s = status_from_json(old);
  CHECK(s.boot_id.empty());
  CHECK(s.restart_due_ns == (wall_ms + 3000) * ms);
  backoff_spec b;
  CHECK(restart::rebase(s, b, at(5000, wall_ms)));
  CHECK(restart::remaining_ms(s, b, 5000 * ms) == 3000);
  CHECK(s.history.recent_ms == std::vector<int64_t>{4000});
  CHECK(s.history.step == 2);
  // Written again, the record keeps its boot-clock times and boot id (no wall-clock keys).
  auto j = to_json(s);
  CHECK_FALSE(j.contains("next_restart_ns"));
  auto back = status_from_json(j);
  CHECK(back.boot_id == "B");
  CHECK(back.restart_due_ns == s.restart_due_ns);
  CHECK(back.history.recent_ms == s.history.recent_ms);
}

}  // namespace restart_clock_test
