// Wall-clock jumps change nothing (issue 10, section 4): ctrd runs under Debian's libfaketime
// with only CLOCK_REALTIME moved (FAKETIME_DONT_FAKE_MONOTONIC=1); the offset is read from a
// file on every call (FAKETIME_NO_CACHE=1), so a test moves ctrd's wall clock while it runs.
// ctrctl is not faked. Restart delays, the backoff reset window, the crash-loop window and
// the health start period must behave as without the jump, in both directions.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <thread>

#include "tests/support/daemon.hpp"

namespace clock_test {

using ctrd::test::await_inspect;
using ctrd::test::daemon_options;
using ctrd::test::inspect;
using ctrd::test::live_daemon;
using ctrd::test::restart_delays;
using ctrd::test::temp_dir;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* libfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/// A wall-clock offset for ctrd, changed by rewriting a file (libfaketime's syntax: "+0",
/// "-365d", "+365d", relative to the real time).
class fake_clock {
 public:
  fake_clock() { set("+0"); }
  void set(const std::string& offset) { std::ofstream(file_) << offset << "\n"; }
  /// ctrd's options: libfaketime preloaded, monotonic and boot clocks left alone.
  daemon_options options() const {
    std::string asan = std::getenv("ASAN_OPTIONS") ? std::getenv("ASAN_OPTIONS") : "";
    daemon_options o;
    o.env = {std::string("LD_PRELOAD=") + libfaketime, "FAKETIME_DONT_FAKE_MONOTONIC=1",
             "FAKETIME_TIMESTAMP_FILE=" + file_, "FAKETIME_NO_CACHE=1",
             // libfaketime comes first in the link order: ASan must not refuse that.
             "ASAN_OPTIONS=" + asan + (asan.empty() ? "" : ":") + "verify_asan_link_order=0"};
    return o;
  }

 private:
  temp_dir dir_;
  std::string file_ = dir_ / "faketime";
};

bool have_faketime() {
  if (::access(libfaketime, R_OK) == 0) return true;
  WARN("skipped: " << libfaketime << " is missing (Debian package faketime)");
  return false;
}

/// ctrd's wall clock as its own log shows it: the year of the last log line.
int logged_year(const live_daemon& d) {
  auto log = d.log();
  auto nl = log.rfind('\n', log.size() > 1 ? log.size() - 2 : 0);
  auto line = log.substr(nl == std::string::npos ? 0 : nl + 1);
  return line.size() >= 4 ? std::atoi(line.substr(0, 4).c_str()) : 0;
}

bool parked(const json& j) {
  return j["State"]["Status"] == "exited" &&
         j["State"]["Error"].get<std::string>().find("crash loop") != std::string::npos;
}

int this_year() {
  auto t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm.tm_year + 1900;
}

}  // namespace

TEST_CASE("a pending restart resumes after its remaining delay when ctrd comes back a year behind",
          "[clock]") {
  if (!have_faketime()) return;
  fake_clock clock;
  live_daemon d(clock.options());
  d.ok({"run", "-d", "--name", "later", "--restart", "always", "--restart-delay", "3s",
        "--restart-limit", "0", "sh", "-c", "exit 1"});
  await_inspect(d, "later", [](const json& x) {
    return x["State"]["Status"] == "exited" && x["State"]["NextRestartAt"] != "";
  });
  d.kill9();
  clock.set("-365d");  // an embedded device booting without its RTC: the clock is a year off
  auto t0 = std::chrono::steady_clock::now();
  d.start();
  // The fake clock reached ctrd: its newest log lines are dated last year.
  for (int i = 0; i < 100 && logged_year(d) != this_year() - 1; ++i)
    std::this_thread::sleep_for(20ms);
  CHECK(logged_year(d) == this_year() - 1);
  auto j = inspect(d, "later");
  // What inspect shows is ctrd's (faked) wall clock plus the remaining delay: last year.
  CHECK(j["State"]["NextRestartAt"].get<std::string>().substr(0, 4) ==
        std::to_string(this_year() - 1));
  await_inspect(
      d, "later", [](const json& x) { return x["RestartCount"] >= 1; }, 8s);
  CHECK(std::chrono::steady_clock::now() - t0 < 4s);  // the rest of 3 s (+10 % jitter), no year
}

TEST_CASE("a backward clock jump while running does not park a container at its first crash",
          "[clock]") {
  if (!have_faketime()) return;
  fake_clock clock;
  live_daemon d(clock.options());
  // Two quick crashes fill the crash-loop count (limit 2 within 2 s), then it runs.
  auto count = d.dir() / "count";
  d.ok({"run", "-d", "--name", "flaky", "--restart", "always", "--restart-delay", "0",
        "--restart-limit", "2", "--restart-window", "2s", "sh", "-c",
        "n=$(cat " + count + " 2>/dev/null || echo 0); echo $((n+1)) > " + count +
            "; [ $n -ge 2 ] || exit 1; exec sleep 1000"});
  auto j = await_inspect(d, "flaky", [](const json& x) {
    return x["RestartCount"] == 2 && x["State"]["Status"] == "running";
  });
  clock.set("-365d");
  std::this_thread::sleep_for(2500ms);            // the two crashes are now older than the window
  ::kill(j["State"]["Pid"].get<int>(), SIGKILL);  // one crash, long after the others
  j = await_inspect(d, "flaky", [](const json& x) {
    return x["RestartCount"] == 3 || x["State"]["Status"] == "exited";
  });
  std::this_thread::sleep_for(200ms);
  j = inspect(d, "flaky");
  CHECK_FALSE(parked(j));
  CHECK(j["RestartCount"] == 3);
  CHECK(j["State"]["Status"] == "running");
}

TEST_CASE("a forward clock jump neither skips the crash-loop window nor resets the backoff",
          "[clock]") {
  if (!have_faketime()) return;
  fake_clock clock;
  live_daemon d(clock.options());
  SECTION("crash-loop window") {
    // Limit 3 within a minute; one crash before the jump, the others after it.
    d.ok({"run", "-d", "--name", "loop", "--restart", "always", "--restart-delay", "0",
          "--restart-limit", "3", "--restart-window", "1m", "sh", "-c", "sleep 0.5; exit 1"});
    await_inspect(d, "loop", [](const json& x) { return x["RestartCount"] >= 1; });
    clock.set("+365d");
    auto j = await_inspect(d, "loop", parked);
    CHECK(j["RestartCount"] == 3);  // 4 when the jump hid the first crash
  }
  SECTION("backoff reset window") {
    // Runs of 0.5 s never reach the 1 h reset window: 200, 400, 800 ms whatever the clock says.
    d.ok({"run", "-d", "--name", "backoff", "--restart", "always", "--restart-delay", "200ms",
          "--restart-reset", "1h", "--restart-limit", "0", "sh", "-c", "sleep 0.5; exit 1"});
    await_inspect(d, "backoff", [](const json& x) { return x["RestartCount"] >= 1; });
    clock.set("+365d");  // during the second run
    await_inspect(d, "backoff", [](const json& x) { return x["RestartCount"] >= 3; });
    auto delays = restart_delays(d, "backoff");
    REQUIRE(delays.size() >= 3);
    for (size_t i = 0; i < 3; ++i) {
      INFO("delay " << i);
      CHECK(delays[i] >= 200.0 * (1 << i) * 0.9);
    }
  }
}

TEST_CASE("clock jumps do not change the health start period", "[clock]") {
  if (!have_faketime()) return;
  fake_clock clock;
  live_daemon d(clock.options());
  // Forward: a 1 h start period still holds after the clock leaps a year ahead.
  d.ok({"run", "-d", "--name", "patient", "--health-cmd", "false", "--health-interval", "200ms",
        "--health-retries", "1", "--health-start-period", "1h", "sleep", "1000"});
  clock.set("+365d");
  std::this_thread::sleep_for(1s);  // ~5 failed checks, all inside the start period
  auto j = inspect(d, "patient");
  CHECK(j["State"]["Health"]["Status"] == "starting");
  CHECK(j["State"]["Health"]["FailingStreak"] == 0);
  // Backward: a 1 s start period ends after 1 s although the clock falls two years back.
  d.ok({"run", "-d", "--name", "strict", "--health-cmd", "false", "--health-interval", "200ms",
        "--health-retries", "1", "--health-start-period", "1s", "sleep", "1000"});
  clock.set("-365d");
  j = await_inspect(
      d, "strict", [](const json& x) { return x["State"]["Health"]["Status"] == "unhealthy"; }, 5s);
  CHECK(j["State"]["Health"]["FailingStreak"] >= 1);
  CHECK(inspect(d, "patient")["State"]["Health"]["Status"] == "starting");
}

}  // namespace clock_test
