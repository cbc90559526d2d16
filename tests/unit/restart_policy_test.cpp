// Restart decisions as a table over policy x exit kind x history, plus backoff growth,
// reset, jitter bounds, the crash-loop limit and boot starts.
#include <catch2/catch.hpp>

#include "core/restart_policy.hpp"

namespace restart_policy_test {

using namespace ctrd;
using restart::action;

namespace {

enum class kind { exit0, exit1, signalled, user_stopped };

restart::exit_facts facts(kind k) {
  restart::exit_facts e;
  switch (k) {
    case kind::exit0:
      e.exit_code = 0;
      break;
    case kind::exit1:
      e.exit_code = 1;
      break;
    case kind::signalled:
      e.exit_code = 137;
      break;
    case kind::user_stopped:
      e.exit_code = 143;
      e.stopped_by_user = true;
      break;
  }
  return e;
}

}  // namespace

TEST_CASE("policy x exit kind decides like podman", "[restart]") {
  struct row {
    const char* policy;
    kind k;
    bool restarts;
  };
  const row table[] = {
      {"no", kind::exit0, false},
      {"no", kind::exit1, false},
      {"no", kind::signalled, false},
      {"no", kind::user_stopped, false},
      {"on-failure", kind::exit0, false},
      {"on-failure", kind::exit1, true},
      {"on-failure", kind::signalled, true},
      {"on-failure", kind::user_stopped, false},
      {"always", kind::exit0, true},
      {"always", kind::exit1, true},
      {"always", kind::signalled, true},
      {"always", kind::user_stopped, false},
      {"unless-stopped", kind::exit0, true},
      {"unless-stopped", kind::exit1, true},
      {"unless-stopped", kind::signalled, true},
      {"unless-stopped", kind::user_stopped, false},
  };
  backoff_spec b;
  for (const auto& r : table) {
    INFO(r.policy << " exit kind " << static_cast<int>(r.k));
    auto d = restart::decide(parse_restart_policy(r.policy), b, 0, {}, facts(r.k), 1000000, 0);
    CHECK((d.what == action::restart) == r.restarts);
    CHECK_FALSE(d.reason.empty());
  }
}

TEST_CASE("on-failure:N allows exactly N policy restarts", "[restart]") {
  auto p = parse_restart_policy("on-failure:2");
  backoff_spec b;
  CHECK(restart::decide(p, b, 0, {}, facts(kind::exit1), 0, 0).what == action::restart);
  CHECK(restart::decide(p, b, 1, {}, facts(kind::exit1), 0, 0).what == action::restart);
  auto d = restart::decide(p, b, 2, {}, facts(kind::exit1), 0, 0);
  CHECK(d.what == action::none);
  CHECK(d.reason.find("limit 2") != std::string::npos);
  // on-failure without N (or :0) never runs out.
  CHECK(restart::decide(parse_restart_policy("on-failure"), b, 1000, {}, facts(kind::exit1), 0, 0)
            .what == action::restart);
}

TEST_CASE("an unhealthy restart ignores the policy and the user stop", "[restart]") {
  auto e = facts(kind::user_stopped);
  e.unhealthy_restart = true;
  auto d = restart::decide(parse_restart_policy("no"), backoff_spec{}, 0, {}, e, 0, 0);
  CHECK(d.what == action::restart);
  CHECK(d.reason.find("unhealthy") != std::string::npos);
}

TEST_CASE("backoff doubles from the initial delay up to the cap and resets after a good run",
          "[restart]") {
  auto p = parse_restart_policy("always");
  backoff_spec b;  // 100 ms, x2, cap 60 s, reset 10 s
  b.limit = 0;
  restart::history h;
  std::vector<uint64_t> delays;
  int64_t now = 0;
  for (int i = 0; i < 12; ++i) {
    auto e = facts(kind::exit1);
    e.ran_ms = 50;
    auto d = restart::decide(p, b, static_cast<uint32_t>(i), h, e, now, 0);
    REQUIRE(d.what == action::restart);
    delays.push_back(d.delay_ms);
    restart::record(h, b, e, now);
    now += static_cast<int64_t>(d.delay_ms) + 50;
  }
  CHECK(delays == std::vector<uint64_t>{100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200,
                                        60000, 60000});
  auto good = facts(kind::exit1);
  good.ran_ms = 10000;  // ran (ready) for the reset window
  CHECK(restart::decide(p, b, 12, h, good, now, 0).delay_ms == 100);
}

TEST_CASE("a zero delay restarts immediately and jitter stays within 10 percent", "[restart]") {
  auto p = parse_restart_policy("always");
  backoff_spec zero;
  zero.initial_ms = 0;
  zero.limit = 0;
  restart::history h;
  for (int i = 0; i < 5; ++i) {
    auto d = restart::decide(p, zero, 0, h, facts(kind::exit1), i, 1.0);
    CHECK(d.delay_ms == 0);
    restart::record(h, zero, facts(kind::exit1), i);
  }
  backoff_spec b;
  CHECK(restart::decide(p, b, 0, {}, facts(kind::exit1), 0, 1.0).delay_ms == 110);
  CHECK(restart::decide(p, b, 0, {}, facts(kind::exit1), 0, -1.0).delay_ms == 90);
  b.initial_ms = b.max_ms = 1000;
  CHECK(restart::decide(p, b, 0, {}, facts(kind::exit1), 0, 1.0).delay_ms ==
        1000);  // never above the cap
}

TEST_CASE("more restarts than the limit within the window park the container", "[restart]") {
  auto p = parse_restart_policy("always");
  backoff_spec b;
  b.initial_ms = 0;
  b.limit = 3;
  b.window_ms = 1000;
  restart::history h;
  int64_t now = 0;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(restart::decide(p, b, 0, h, facts(kind::exit1), now, 0).what == action::restart);
    restart::record(h, b, facts(kind::exit1), now);
    now += 10;
  }
  auto d = restart::decide(p, b, 3, h, facts(kind::exit1), now, 0);
  CHECK(d.what == action::park);
  CHECK(d.reason.find("crash loop") != std::string::npos);
  // Outside the window the old restarts no longer count.
  CHECK(restart::decide(p, b, 3, h, facts(kind::exit1), now + 2000, 0).what == action::restart);
  b.limit = 0;  // disabled
  CHECK(restart::decide(p, b, 3, h, facts(kind::exit1), now, 0).what == action::restart);
}

TEST_CASE("boot starts: always, unless-stopped not stopped by the user, never a parked loop",
          "[restart]") {
  container_status s;
  s.state = container_state::exited;
  CHECK(restart::should_start_on_boot(parse_restart_policy("always"), s));
  CHECK(restart::should_start_on_boot(parse_restart_policy("unless-stopped"), s));
  CHECK_FALSE(restart::should_start_on_boot(parse_restart_policy("on-failure"), s));
  CHECK_FALSE(restart::should_start_on_boot(parse_restart_policy("no"), s));
  s.stopped_by_user = true;
  CHECK(restart::should_start_on_boot(parse_restart_policy("always"), s));
  CHECK_FALSE(restart::should_start_on_boot(parse_restart_policy("unless-stopped"), s));
  s.stopped_by_user = false;
  s.restart_due_ns = 5;  // a pending policy restart: the container actor resumes it
  for (auto p : {"always", "unless-stopped", "on-failure", "no"})
    CHECK_FALSE(restart::should_start_on_boot(parse_restart_policy(p), s));
  s.stopped_by_user = true;  // ... unless a stop cancelled it: then as without one
  CHECK(restart::should_start_on_boot(parse_restart_policy("always"), s));
  CHECK_FALSE(restart::should_start_on_boot(parse_restart_policy("unless-stopped"), s));
  s = container_status{};
  s.state = container_state::exited;
  s.parked = true;  // a parked crash loop waits for a user start, also across ctrd restarts
  CHECK_FALSE(restart::should_start_on_boot(parse_restart_policy("always"), s));
  for (auto st :
       {container_state::configured, container_state::created, container_state::running}) {
    s = container_status{};
    s.state = st;  // never started, or adopted still running: nothing to start
    CHECK_FALSE(restart::should_start_on_boot(parse_restart_policy("always"), s));
  }
}

TEST_CASE("a failed spawn: resource shortages retry with the backoff, others are final",
          "[restart]") {
  using restart::spawn_failure;
  struct row {
    uint32_t initial_ms, max_ms;
    spawn_failure why;
    uint32_t failures;
    action what;
    uint64_t delay_ms;
    bool log;
  };
  const row table[] = {
      // The container's backoff, doubling per failure of the streak, capped.
      {100, 60000, spawn_failure::resource, 0, action::restart, 100, true},
      {100, 60000, spawn_failure::resource, 1, action::restart, 200, false},
      {100, 60000, spawn_failure::resource, 3, action::restart, 800, false},
      {100, 1000, spawn_failure::resource, 10, action::restart, 1000, false},
      {500, 2000, spawn_failure::resource, 2, action::restart, 2000, false},
      // A backoff of 0 (immediate restarts) does not spin: the retry floor applies.
      {0, 0, spawn_failure::resource, 0, action::restart, restart::min_retry_ms, true},
      {0, 0, spawn_failure::resource, 5, action::restart, restart::min_retry_ms, false},
      {0, 60000, spawn_failure::resource, 2, action::restart, 4 * restart::min_retry_ms, false},
      // Anything else stays final (command not found, bad configuration), logged once.
      {100, 60000, spawn_failure::permanent, 0, action::none, 0, true},
      {100, 60000, spawn_failure::permanent, 3, action::none, 0, false},
  };
  for (const auto& r : table) {
    INFO("initial " << r.initial_ms << " max " << r.max_ms << " failures " << r.failures);
    backoff_spec b;
    b.initial_ms = r.initial_ms;
    b.max_ms = r.max_ms;
    auto d = restart::after_failed_spawn(b, r.why, r.failures, 0);
    CHECK(d.what == r.what);
    CHECK(d.delay_ms == r.delay_ms);
    CHECK(d.log == r.log);
  }
  // Jitter stays within ±10 % and never exceeds the cap.
  backoff_spec b;
  for (double j : {-1.0, 1.0}) {
    auto d = restart::after_failed_spawn(b, spawn_failure::resource, 2, j);
    CHECK(d.delay_ms >= 360);
    CHECK(d.delay_ms <= 440);
  }
  b.max_ms = 400;
  CHECK(restart::after_failed_spawn(b, spawn_failure::resource, 5, 1.0).delay_ms == 400);
}

TEST_CASE("the restart history keeps only what the crash-loop limit reads", "[restart]") {
  // It is stored with every status: a fast loop must not grow it (flash wear).
  auto p = parse_restart_policy("always");
  backoff_spec b;
  b.initial_ms = 0;
  b.limit = 4;
  b.window_ms = 60000;
  restart::history h;
  for (int64_t now = 0; now < 3; ++now) restart::record(h, b, facts(kind::exit1), now);
  CHECK(h.recent_ms == std::vector<int64_t>{0, 1, 2});
  for (int64_t now = 3; now < 1000; ++now) restart::record(h, b, facts(kind::exit1), now);
  CHECK(h.recent_ms == std::vector<int64_t>{996, 997, 998, 999});
  CHECK(restart::decide(p, b, 0, h, facts(kind::exit1), 1000, 0).what == action::park);
  backoff_spec unlimited = b;
  unlimited.limit = 0;
  for (int64_t now = 1000; now < 2000; ++now)
    restart::record(h, unlimited, facts(kind::exit1), now);
  CHECK(h.recent_ms.empty());
  CHECK(restart::decide(p, unlimited, 0, h, facts(kind::exit1), 2000, 0).what == action::restart);
}

}  // namespace restart_policy_test
