// The container actor's health monitor (actors/health_monitor.hpp): the verdict table, the
// check record (output cap, timeout, Health log), waiters and the not-run counts.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "actors/health_monitor.hpp"

namespace health_monitor_test {

using namespace ctrd;
using namespace ctrd::ctr;

namespace {

struct fake_error {
  std::string text;
};
struct fake_promise {
  std::shared_ptr<std::vector<std::string>> log = std::make_shared<std::vector<std::string>>();
  void deliver(const json& j) { log->push_back(j.value("status", std::string("?"))); }
  void deliver(const fake_error& e) { log->push_back("e:" + e.text); }
};

using monitor = health_monitor<fake_promise>;

health_status status(std::string st, uint32_t streak, bool ready = false, bool start = false) {
  health_status h;
  h.status = std::move(st);
  h.streak = streak;
  h.ready = ready;
  h.retries = 3;
  h.in_start_period = start;
  return h;
}

/// Runs one check of process `pid` that exits with `code` after writing `out`.
check_result run_check(monitor& m, int pid, int code, const std::string& out = "") {
  m.begin(1000000000, 5);
  held_child c;
  c.pid = pid;
  m.started(c);
  m.output(out);
  m.stream_closed(health_stdout);
  m.stream_closed(health_stderr);
  REQUIRE(m.exited(pid, code));
  REQUIRE(m.finished());
  return m.finish(2000000000, "abc");
}

}  // namespace

TEST_CASE("health verdict: every case of the rules", "[health_monitor]") {
  SECTION("a healthy check resets the streak and makes it ready") {
    auto v = judge_health(status("starting", 2), true);
    CHECK(v.next.status == "healthy");
    CHECK(v.next.streak == 0);
    CHECK(v.next.ready);
    CHECK(v.changed);
    CHECK(v.became_ready);
    CHECK(v.became_healthy);
    CHECK_FALSE(v.became_unhealthy);
  }
  SECTION("healthy again changes nothing") {
    auto v = judge_health(status("healthy", 0, true), true);
    CHECK_FALSE(v.changed);
    CHECK_FALSE(v.became_healthy);
    CHECK_FALSE(v.became_ready);
  }
  SECTION("sd_notify containers get ready from READY=1 only") {
    auto h = status("starting", 0);
    h.sdnotify = true;
    auto v = judge_health(h, true);
    CHECK_FALSE(v.next.ready);
    CHECK_FALSE(v.became_ready);
    CHECK(v.became_healthy);
  }
  SECTION("a failure inside the start period does not count") {
    auto v = judge_health(status("starting", 0, false, true), false);
    CHECK_FALSE(v.changed);
    CHECK(v.next.streak == 0);
    CHECK(v.next.status == "starting");
  }
  SECTION("failures count up to retries, then unhealthy once") {
    auto v = judge_health(status("healthy", 1, true), false);
    CHECK(v.next.streak == 2);
    CHECK(v.changed);
    CHECK(v.next.status == "healthy");
    CHECK_FALSE(v.became_unhealthy);
    v = judge_health(v.next, false);
    CHECK(v.next.streak == 3);
    CHECK(v.next.status == "unhealthy");
    CHECK(v.became_unhealthy);
    v = judge_health(v.next, false);
    CHECK(v.next.streak == 4);
    CHECK_FALSE(v.became_unhealthy);
  }
}

TEST_CASE("health monitor: a check's record, log and waiters", "[health_monitor]") {
  monitor m;
  fake_promise w;
  m.wait(w);
  auto r = run_check(m, 42, 0, "ok");
  CHECK(r.healthy);
  CHECK(r.output == "ok");
  CHECK(*w.log == std::vector<std::string>{"healthy"});
  CHECK_FALSE(m.busy());
  auto log = m.log();
  REQUIRE(log.size() == 1);
  CHECK(log[0]["ExitCode"] == 0);
  CHECK(log[0]["Output"] == "ok");
  for (int i = 0; i < 7; ++i) run_check(m, 50 + i, 1, std::to_string(i));
  log = m.log();
  REQUIRE(log.size() == health_log_size);
  CHECK(log[0]["Output"] == "2");
  CHECK(log[4]["Output"] == "6");
  CHECK(w.log->size() == 1);  // answered once
}

TEST_CASE("health monitor: output is capped, a timeout fails the check", "[health_monitor]") {
  monitor m;
  m.begin(1, 1);
  held_child c;
  c.pid = 7;
  auto seq = m.started(c);
  m.output(std::string(health_output_cap + 100, 'x'));
  CHECK_FALSE(m.timed_out(seq + 1));  // a stale timer
  CHECK_FALSE(m.exited(8, 0));        // another process
  CHECK(m.timed_out(seq));
  CHECK_FALSE(m.finished());  // killed, not yet exited
  CHECK(m.exited(7, -9));
  CHECK_FALSE(m.finished());  // output not drained
  m.stream_closed(health_stdout);
  m.stream_closed(health_stderr);
  REQUIRE(m.finished());
  auto r = m.finish(2, "abc");
  CHECK_FALSE(r.healthy);
  CHECK(r.output.size() == health_output_cap + std::string("\nhealth check timed out").size());
  CHECK(m.log()[0]["ExitCode"] == -1);
  CHECK_FALSE(m.timed_out(seq));  // over
}

TEST_CASE("health monitor: a check that cannot start fails at once with the reason",
          "[health_monitor]") {
  monitor m;
  m.begin(1, 1);
  m.failed_to_start("no such command", 127);
  REQUIRE(m.finished());
  auto r = m.finish(2, "abc");
  CHECK_FALSE(r.healthy);
  CHECK(r.exit_code == 127);
  CHECK(r.output == "no such command");
}

TEST_CASE("health monitor: checks not run are counted per streak, waiters fail",
          "[health_monitor]") {
  monitor m;
  fake_promise w;
  m.wait(w);
  CHECK(m.note_not_run("EMFILE"));
  CHECK_FALSE(m.note_not_run("EMFILE again"));
  CHECK(m.not_run() == 2);
  CHECK(m.not_run_streak() == 2);
  CHECK(m.not_run_reason() == "EMFILE again");
  m.fail_waiters(fake_error{"not run"});
  CHECK(*w.log == std::vector<std::string>{"e:not run"});
  CHECK(m.note_ran() == 2);
  CHECK(m.note_ran() == 0);
  CHECK(m.not_run() == 2);  // the total stays for inspect
  CHECK(m.note_not_run("again"));
}

TEST_CASE("health monitor: generations make old timers stale", "[health_monitor]") {
  monitor m;
  auto g = m.gen();
  m.new_generation();
  CHECK(m.gen() != g);
  CHECK_FALSE(m.finished());  // nothing ran
}

TEST_CASE("health monitor: a check belongs to the run it started in", "[health_monitor]") {
  check_result r;
  r.started_boot_ns = 100;
  CHECK(r.for_run_since(100));
  CHECK(r.for_run_since(50));
  CHECK_FALSE(r.for_run_since(150));
}

}  // namespace health_monitor_test
