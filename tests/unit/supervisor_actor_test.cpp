// The supervisor actor on CAF's test coordinator (supervisor_actor_support.hpp): restart
// timing by policy on the actors' clock, stop escalation, start/stop races and dependency
// order, every request going through the supervisor as a session's would.
#include <catch2/catch.hpp>

#include "tests/unit/supervisor_actor_support.hpp"

namespace supervisor_actor_test {

using namespace ctrd;
using namespace std::chrono_literals;
using ctrd::test::definition;
using ctrd::test::supervisor_harness;

namespace {

/// Checks that the next policy restart of `name` comes `delay` (+-10 % jitter) after now:
/// not at 85 %, done by 115 %.
void expect_restart_after(supervisor_harness& h, const std::string& name,
                          std::chrono::milliseconds delay) {
  auto before = h.spawns_of(name);
  INFO("restart delay " << delay.count() << " ms after spawn " << before);
  h.ds.advance(delay * 85 / 100);
  CHECK(h.spawns_of(name) == before);
  h.ds.advance(delay * 30 / 100);
  CHECK(h.spawns_of(name) == before + 1);
  CHECK(h.status(name) == "running");
}

}  // namespace

TEST_CASE("supervisor: on-failure:2 restarts twice after its delay, then leaves it exited",
          "[supervisor][deterministic]") {
  supervisor_harness h;
  REQUIRE(h.create("svc", definition("/bin/false", "on-failure:2")) == "created");
  CHECK(h.start("svc").find("error") == std::string::npos);
  REQUIRE(h.spawns_of("svc") == 1);
  h.child_exits("svc", 1);
  CHECK(h.status("svc") == "exited");
  expect_restart_after(h, "svc", 1000ms);
  h.child_exits("svc", 1);
  expect_restart_after(h, "svc", 1000ms);
  h.child_exits("svc", 1);  // the third failure: the retries are spent
  h.ds.advance(10'000ms);
  CHECK(h.spawns_of("svc") == 3);
  CHECK(h.status("svc") == "exited");
  CHECK(h.inspect("svc")["RestartCount"] == 2);
}

TEST_CASE("supervisor: on-failure does not restart a clean exit", "[supervisor][deterministic]") {
  supervisor_harness h;
  REQUIRE(h.create("svc", definition("/bin/true", "on-failure")) == "created");
  h.start("svc");
  h.child_exits("svc", 0);
  h.ds.advance(10'000ms);
  CHECK(h.spawns_of("svc") == 1);
  CHECK(h.status("svc") == "exited");
}

TEST_CASE("supervisor: always backs off from restart_delay_ms, doubling up to its cap",
          "[supervisor][deterministic]") {
  supervisor_harness h;
  REQUIRE(h.create("svc", definition("/bin/true", "always", 1000, 4000)) == "created");
  h.start("svc");
  for (auto delay : {1000ms, 2000ms, 4000ms, 4000ms}) {
    h.child_exits("svc", 0);  // always: a clean exit restarts too
    expect_restart_after(h, "svc", delay);
  }
  CHECK(h.inspect("svc")["RestartCount"] == 4);
}

TEST_CASE("supervisor: a user start while a policy restart is pending starts at once, once",
          "[supervisor][deterministic]") {
  supervisor_harness h;
  REQUIRE(h.create("svc", definition("/bin/true", "always", 5000, 5000)) == "created");
  h.start("svc");
  h.child_exits("svc", 1);
  REQUIRE(h.ds.has_timer());
  CHECK(h.start("svc").find("error") == std::string::npos);
  CHECK(h.spawns_of("svc") == 2);
  h.ds.advance(6000ms);  // the cancelled restart's timer fires and finds nothing to do
  CHECK(h.spawns_of("svc") == 2);
  CHECK(h.status("svc") == "running");
}

TEST_CASE("supervisor: stop escalates to SIGKILL exactly at its timeout",
          "[supervisor][deterministic]") {
  supervisor_harness h;
  REQUIRE(h.create("svc", definition("/bin/sleep")) == "created");
  h.start("svc");
  h.ds.self()->send(h.sup, stop_atom::value, std::string("svc"), int64_t{5}, true);
  h.ds.run();
  CHECK(h.signals_of(SIGTERM) == 1);
  CHECK(h.status("svc") == "stopping");
  h.ds.advance(4999ms);
  CHECK(h.signals_of(SIGKILL) == 0);
  CHECK(h.reply() == "(no reply)");  // answered once the container has exited
  h.ds.advance(1ms);
  CHECK(h.signals_of(SIGKILL) >= 1);
  h.child_exits("svc", 128 + SIGKILL);
  CHECK(h.reply().find("\"escalated\":true") != std::string::npos);
  CHECK(h.status("svc") == "exited");
}

TEST_CASE("supervisor: a stop with timeout 0 kills at once and arms no timer",
          "[supervisor][deterministic]") {
  supervisor_harness h;
  REQUIRE(h.create("svc", definition("/bin/sleep")) == "created");
  h.start("svc");
  h.ds.self()->send(h.sup, stop_atom::value, std::string("svc"), int64_t{0}, true);
  h.ds.run();
  CHECK(h.signals_of(SIGTERM) == 0);
  CHECK(h.signals_of(SIGKILL) >= 1);
  CHECK_FALSE(h.ds.has_timer());
  h.child_exits("svc", 128 + SIGKILL);
  CHECK(h.reply().find("error") == std::string::npos);
  CHECK(h.status("svc") == "exited");
}

TEST_CASE("supervisor: a start and a stop sent together are both answered in order",
          "[supervisor][deterministic]") {
  supervisor_harness h;
  REQUIRE(h.create("svc", definition("/bin/sleep", "always")) == "created");
  h.ds.self()->send(h.sup, start_atom::value, std::string("svc"), false, caf::actor{}, uint32_t{0});
  h.ds.self()->send(h.sup, stop_atom::value, std::string("svc"), int64_t{10}, true);
  h.ds.run();
  REQUIRE(h.spawns_of("svc") == 1);
  CHECK(h.signals_of(SIGTERM) == 1);
  CHECK(h.reply().find("error") == std::string::npos);  // the start
  h.child_exits("svc", 128 + SIGTERM);
  CHECK(h.reply().find("error") == std::string::npos);  // the stop, after the exit
  h.ds.advance(60'000ms);  // stopped by the user: the policy does not restart it
  CHECK(h.spawns_of("svc") == 1);
  CHECK(h.status("svc") == "exited");
}

TEST_CASE("supervisor: a stop sent before a start changes nothing, the start runs",
          "[supervisor][deterministic]") {
  supervisor_harness h;
  REQUIRE(h.create("svc", definition("/bin/sleep")) == "created");
  h.ds.self()->send(h.sup, stop_atom::value, std::string("svc"), int64_t{10}, true);
  h.ds.self()->send(h.sup, start_atom::value, std::string("svc"), false, caf::actor{}, uint32_t{0});
  h.ds.run();
  CHECK(h.reply().find("error") == std::string::npos);
  CHECK(h.reply().find("error") == std::string::npos);
  CHECK(h.signals_of(SIGTERM) == 0);
  CHECK(h.spawns_of("svc") == 1);
  CHECK(h.status("svc") == "running");
}

TEST_CASE("supervisor: a start runs the requirements first, in dependency order",
          "[supervisor][deterministic]") {
  supervisor_harness h;
  REQUIRE(h.create("db", definition("/bin/sleep")) == "created");
  auto web = definition("/bin/sleep");
  web["requires"] = {"db"};
  REQUIRE(h.create("web", web) == "created");
  auto front = definition("/bin/sleep");
  front["requires"] = {"web"};
  REQUIRE(h.create("front", front) == "created");
  CHECK(h.start("front").find("error") == std::string::npos);
  REQUIRE(h.host.children.size() == 3);
  CHECK(h.host.children[0].owner == h.actor_of("db"));
  CHECK(h.host.children[1].owner == h.actor_of("web"));
  CHECK(h.host.children[2].owner == h.actor_of("front"));
  for (const char* n : {"db", "web", "front"}) CHECK(h.status(n) == "running");
}

TEST_CASE("supervisor: a dependent waits for its requirement's readiness and fails with it",
          "[supervisor][deterministic]") {
  supervisor_harness h;
  auto db = definition("/bin/sleep");
  db["sdnotify"] = true;  // ready only on READY=1, which never comes
  REQUIRE(h.create("db", db) == "created");
  auto web = definition("/bin/sleep");
  web["requires"] = {"db"};
  REQUIRE(h.create("web", web) == "created");
  h.ds.self()->send(h.sup, start_atom::value, std::string("web"), false, caf::actor{}, uint32_t{0});
  h.ds.run();
  CHECK(h.spawns_of("db") == 1);
  CHECK(h.spawns_of("web") == 0);
  CHECK(h.reply() == "(no reply)");  // web waits for db
  h.child_exits("db", 1);
  auto r = h.reply();
  CHECK(r.find("required container db is exited and did not become ready") != std::string::npos);
  CHECK(h.spawns_of("web") == 0);
  CHECK(h.status("web") == "created");
}

TEST_CASE("supervisor: a restart is refused while a requirement is not running",
          "[supervisor][deterministic]") {
  supervisor_harness h;
  REQUIRE(h.create("db", definition("/bin/sleep")) == "created");
  auto web = definition("/bin/sleep");
  web["requires"] = {"db"};
  REQUIRE(h.create("web", web) == "created");
  auto r = h.ask(restart_atom::value, std::string("web"), int64_t{10});
  CHECK(r.find("some dependencies of container") != std::string::npos);
  CHECK(h.host.children.empty());
}

}  // namespace supervisor_actor_test
