// A failed container actor is respawned by the supervisor from the store in recovery mode
// (issue 12 §3, supervisor/supervisor_recovery.cpp). The failure is made on purpose with the
// test hook of actors/container.cpp: with CTRD_TEST_HOOKS=1 in ctrd's environment,
// `stat <container>:/.ctrd-test-fail-actor` ends that container's actor abnormally.
#include <catch2/catch.hpp>

#include <signal.h>
#include <chrono>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/daemon.hpp"

namespace respawn_test {

using ctrd::test::await_inspect;
using ctrd::test::daemon_options;
using ctrd::test::inspect;
using ctrd::test::live_daemon;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

const char* fail_path = "/.ctrd-test-fail-actor";

daemon_options with_hooks() {
  daemon_options o;
  o.env = {"CTRD_TEST_HOOKS=1"};
  return o;
}

/// Makes the actor of `name` fail and waits until the respawned one answers inspect.
json fail_actor(const live_daemon& d, const std::string& name) {
  auto r = d.ctl({"stat", name + ":" + fail_path});
  CHECK(r.code != 0);
  return await_inspect(d, name, [](const json&) { return true; });
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

bool listed(const live_daemon& d, const std::string& name) {
  auto out = d.ok({"ps", "-a", "--format", "json"});
  for (const auto& c : json::parse(out))
    if (c.value("Names", json::array()).dump().find("\"" + name + "\"") != std::string::npos ||
        c.value("Name", std::string()) == name)
      return true;
  return false;
}

}  // namespace

TEST_CASE("a failed container actor is respawned and adopts its running process", "[respawn]") {
  live_daemon d{with_hooks()};
  // It writes all the time: its output pipes must survive the respawn (no SIGPIPE).
  d.ok({"run", "-d", "--name", "svc", "sh", "-c",
        "echo hello; while true; do echo tick; sleep 0.05; done"});
  auto before =
      await_inspect(d, "svc", [](const json& x) { return x["State"]["Status"] == "running"; });
  int pid = before["State"]["Pid"];
  REQUIRE(pid > 0);

  auto after = fail_actor(d, "svc");
  CHECK(after["State"]["Status"] == "running");
  CHECK(after["State"]["Pid"] == pid);  // the same process, adopted
  CHECK(after["Id"] == before["Id"]);
  CHECK(listed(d, "svc"));
  auto log = d.log();
  CHECK(log.find("its actor failed") != std::string::npos);
  CHECK(log.find("respawned in recovery mode") != std::string::npos);
  auto ticks = count(d.ok({"logs", "svc"}), "tick");
  std::this_thread::sleep_for(500ms);
  auto out = d.ok({"logs", "svc"});
  CHECK(out.rfind("hello", 0) == 0);  // the same log file
  CHECK(count(out, "tick") > ticks);  // output goes on through the handed-over pipes
  CHECK(inspect(d, "svc")["State"]["Status"] == "running");

  // It is a working container again: stop, start, remove.
  d.ok({"stop", "-t", "1", "svc"});
  CHECK(inspect(d, "svc")["State"]["Status"] == "exited");
  CHECK(::kill(pid, 0) != 0);
  d.ok({"start", "svc"});
  auto again =
      await_inspect(d, "svc", [](const json& x) { return x["State"]["Status"] == "running"; });
  CHECK(again["State"]["Pid"] != pid);
  d.ok({"rm", "-f", "svc"});
  CHECK_FALSE(listed(d, "svc"));
}

TEST_CASE("a respawned exited container keeps its record, repeated failures are given up",
          "[respawn]") {
  live_daemon d{with_hooks()};
  d.ok({"run", "-d", "--name", "done", "sh", "-c", "exit 3"});
  await_inspect(d, "done", [](const json& x) { return x["State"]["Status"] == "exited"; });

  auto after = fail_actor(d, "done");
  CHECK(after["State"]["Status"] == "exited");
  CHECK(after["State"]["ExitCode"] == 3);
  CHECK(listed(d, "done"));
  // Two more failures within the window are respawned too...
  fail_actor(d, "done");
  fail_actor(d, "done");
  CHECK(count(d.log(), "respawned in recovery mode") == 3);
  // ... the fourth is given up: the container is forgotten as before respawns existed (it
  // is still on disk and comes back at the next start of ctrd).
  CHECK(d.ctl({"stat", std::string("done:") + fail_path}).code != 0);
  for (int i = 0; i < 100 && listed(d, "done"); ++i) std::this_thread::sleep_for(20ms);
  CHECK_FALSE(listed(d, "done"));
  CHECK(d.log().find("not respawned") != std::string::npos);
}

TEST_CASE("without CTRD_TEST_HOOKS the fail path is an ordinary path", "[respawn]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "plain", "sleep", "1000"});
  await_inspect(d, "plain", [](const json& x) { return x["State"]["Status"] == "running"; });
  CHECK(d.ctl({"stat", std::string("plain:") + fail_path}).code != 0);  // no such file
  CHECK(d.log().find("its actor failed") == std::string::npos);
  CHECK(inspect(d, "plain")["State"]["Status"] == "running");
  d.ok({"rm", "-f", "plain"});
}

}  // namespace respawn_test
