// Issue 14's bugs, end to end through the real ctrctl against a real ctrd: `healthcheck
// run` leaves the periodic schedule as it was, `logs -f` returns when the container's
// process ends (or had ended), `-v` after a verb is the verb's flag, and a dependent waits
// for a requirement whose first health check failed, with the reason in inspect.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/daemon.hpp"

namespace cli_bugs_test {

using ctrd::test::await_inspect;
using ctrd::test::inspect;
using ctrd::test::live_daemon;
using ctrd::test::run_process;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// Lines in `path` (0 if it does not exist).
int line_count(const std::string& path) {
  std::ifstream f(path);
  int n = 0;
  for (std::string line; std::getline(f, line);) ++n;
  return n;
}

/// ctrctl with a bound: -1 (timeout) instead of hanging the suite.
ctrd::test::proc_result ctl_within(const live_daemon& d, std::vector<std::string> args,
                                   std::chrono::milliseconds limit) {
  args.insert(args.begin(), {CTRCTL_BIN, "--socket", d.socket()});
  return run_process(args, "", limit);
}

}  // namespace

TEST_CASE("healthcheck run runs one check and leaves the schedule as it was", "[cli_bugs]") {
  live_daemon d;
  auto ticks = d.dir() / "ticks";
  d.ok({"run", "-d", "--name", "h", "--health-cmd", "echo x >> " + ticks, "--health-interval",
        "500ms", "sleep", "100"});
  await_inspect(d, "h", [](const json& x) { return x["State"]["Health"]["Status"] == "healthy"; });
  for (int i = 0; i < 3; ++i) CHECK(d.ctl({"healthcheck", "run", "h"}).code == 0);
  int before = line_count(ticks);
  std::this_thread::sleep_for(2s);
  int checks = line_count(ticks) - before;
  // One loop: ~4 checks in 2 s. Before the fix every manual run added a loop: ~16.
  CHECK(checks >= 2);
  CHECK(checks <= 6);
}

TEST_CASE("logs -f returns once the container exited and its output is drained", "[cli_bugs]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "short", "sh", "-c", "echo one; sleep 1; echo two"});
  auto t0 = std::chrono::steady_clock::now();
  auto r = ctl_within(d, {"logs", "-f", "short"}, 15s);
  CHECK(r.code == 0);
  CHECK(r.out == "one\ntwo\n");
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  // Already exited at the call: the history, then the end.
  auto again = ctl_within(d, {"logs", "-f", "short"}, 5s);
  CHECK(again.code == 0);
  CHECK(again.out == "one\ntwo\n");
  // Never started: nothing to follow either.
  d.ok({"create", "--name", "idle", "true"});
  auto idle = ctl_within(d, {"logs", "-f", "idle"}, 5s);
  CHECK(idle.code == 0);
  CHECK(idle.out.empty());
  // With -t the same.
  auto stamped = ctl_within(d, {"logs", "-f", "-t", "short"}, 5s);
  CHECK(stamped.code == 0);
  CHECK(stamped.out.find(" two\n") != std::string::npos);
}

TEST_CASE("logs -f ends with the run also when a restart policy starts it again", "[cli_bugs]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "cycle", "--restart", "always", "--restart-delay", "500ms", "sh",
        "-c", "echo run; sleep 0.3; exit 1"});
  auto r = ctl_within(d, {"logs", "-f", "cycle"}, 15s);
  CHECK(r.code == 0);
  CHECK(r.out.rfind("run\n", 0) == 0);
  d.ok({"rm", "-f", "cycle"});
}

TEST_CASE("the version flag goes before the verb: after it rm -v removes", "[cli_bugs]") {
  live_daemon d;
  d.ok({"create", "--name", "x", "true"});
  auto rm = d.ctl({"rm", "-v", "x"});
  CHECK(rm.code == 0);
  CHECK(rm.out == "x\n");
  CHECK(d.ctl({"inspect", "x"}).code == 125);
  d.ok({"create", "--name", "y", "true"});
  CHECK(d.ok({"rm", "--volumes", "y"}) == "y");
  for (const char* flag : {"-v", "--version"}) {
    auto v = d.ctl({flag});
    CHECK(v.code == 0);
    CHECK(v.out.rfind("ctrctl version ", 0) == 0);
  }
  // A verb without -v refuses it instead of printing the version.
  d.ok({"run", "-d", "--name", "z", "sleep", "100"});
  auto stop = d.ctl({"stop", "-v", "z"});
  CHECK(stop.code == 125);
  CHECK(stop.out.find("version") == std::string::npos);
  CHECK(inspect(d, "z")["State"]["Status"] == "running");
}

TEST_CASE("a dependent waits for a requirement whose first health check failed at boot",
          "[cli_bugs]") {
  ctrd::test::temp_dir conf;
  auto flag = conf / "db-up";
  std::ofstream(conf / "db.toml") << "command = [\"sleep\", \"100\"]\n"
                                  << "health_cmd = \"test -e " << flag << "\"\n"
                                  << "health_interval = \"200ms\"\n"
                                  << "health_retries = 1\n";
  std::ofstream(conf / "app.toml") << "command = [\"sleep\", \"100\"]\nrequires = [\"db\"]\n";
  live_daemon d({{"--config-dir", conf.path()}});
  await_inspect(d, "db",
                [](const json& x) { return x["State"]["Health"]["Status"] == "unhealthy"; });
  auto app = await_inspect(
      d, "app", [](const json& x) { return x["State"]["Error"] == "waiting for db: unhealthy"; });
  CHECK(app["State"]["Status"] == "created");
  auto ps = json::parse(d.ok({"ps", "-a", "--format", "json"}));
  bool shown = false;
  for (const auto& c : ps)
    if (c["Names"][0] == "app") shown = c["Error"] == "waiting for db: unhealthy";
  CHECK(shown);
  std::ofstream(flag).put('x');  // db turns healthy: app starts and the reason goes
  app = await_inspect(d, "app", [](const json& x) { return x["State"]["Status"] == "running"; });
  CHECK(app["State"]["Error"] == "");
}

}  // namespace cli_bugs_test
