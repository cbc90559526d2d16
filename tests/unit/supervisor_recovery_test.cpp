// The supervisor's respawn of a failed container actor (supervisor/supervisor_recovery.cpp)
// on CAF's test coordinator (supervisor_actor_support.hpp): the record comes from the store
// by a keyed load, the new actor recovers it as ctrd's start-up would, and an actor that
// keeps failing is given up. And ctrd's start-up itself: recovery and boot starts.
#include <catch2/catch.hpp>

#include "tests/unit/supervisor_actor_support.hpp"

namespace supervisor_recovery_test {

using namespace ctrd;
using namespace std::chrono_literals;
using ctrd::test::definition;
using ctrd::test::supervisor_harness;

namespace {

/// Ends `name`'s actor abnormally (as an exception escaping it would) and runs.
caf::actor fail_actor(supervisor_harness& h, const std::string& name) {
  auto a = h.actor_of(name);
  REQUIRE(a);
  caf::anon_send_exit(a, caf::exit_reason::kill);
  h.ds.run();
  return a;
}

}  // namespace

TEST_CASE("supervisor: a failed container actor is respawned from its stored record",
          "[supervisor][deterministic][respawn]") {
  supervisor_harness h;
  REQUIRE(h.create("svc", definition("/bin/sleep")) == "created");
  auto old = fail_actor(h, "svc");
  auto now = h.actor_of("svc");
  REQUIRE(now);
  CHECK(now != old);
  CHECK(h.status("svc") == "created");  // podman's name of `configured`
  // The respawned actor serves requests as the first one did.
  CHECK(h.start("svc").find("error") == std::string::npos);
  CHECK(h.spawns_of("svc") == 1);
  CHECK(h.status("svc") == "running");
}

TEST_CASE("supervisor: a respawned actor records a process it cannot find as exited",
          "[supervisor][deterministic][respawn]") {
  supervisor_harness h;
  REQUIRE(h.create("svc", definition("/bin/sleep")) == "created");
  h.start("svc");
  REQUIRE(h.status("svc") == "running");
  fail_actor(h, "svc");  // the fake pid names no process: recovery finds it gone
  auto info = h.inspect("svc");
  REQUIRE(info.is_object());
  CHECK(info["State"]["Status"] == "exited");
  CHECK(info["State"]["ExitCode"] == -1);
  CHECK_FALSE(info["State"]["Error"].get<std::string>().empty());
}

TEST_CASE("supervisor: a removal in progress is finished by the respawned actor",
          "[supervisor][deterministic][respawn]") {
  supervisor_harness h;
  REQUIRE(h.create("svc", definition("/bin/sleep")) == "created");
  h.start("svc");
  h.ds.self()->send(h.sup, remove_atom::value, std::string("svc"), true);
  h.ds.run();
  CHECK(h.status("svc") == "removing");
  fail_actor(h, "svc");
  h.ds.run();
  CHECK_FALSE(h.actor_of("svc"));
  CHECK(h.status("svc").find("no such container") != std::string::npos);
}

TEST_CASE("supervisor: an actor failing more than 3 times in a row is given up",
          "[supervisor][deterministic][respawn]") {
  supervisor_harness h;
  REQUIRE(h.create("svc", definition("/bin/sleep")) == "created");
  for (int i = 0; i < 3; ++i) {
    fail_actor(h, "svc");
    REQUIRE(h.actor_of("svc"));
  }
  fail_actor(h, "svc");
  CHECK_FALSE(h.actor_of("svc"));
  // Forgotten until the next start of ctrd: its name is free again.
  CHECK(h.create("svc", definition("/bin/sleep")) == "created");
}

TEST_CASE("supervisor: at ctrd's start, stored containers are recovered and boot-started",
          "[supervisor][deterministic][respawn]") {
  auto record = [](const std::string& name, char id, const std::string& restart,
                   container_state st) {
    stored_container rec;
    rec.config = config_from_json(definition("/bin/sleep", restart));
    rec.config.name = name;
    rec.config.id = std::string(64, id);
    rec.status.state = st;
    rec.status.pid = 4194999;  // above PID_MAX_LIMIT: no such process
    rec.status.restart_count = 3;
    return rec;
  };
  load_result loaded;
  loaded.containers.push_back(record("always", 'a', "always", container_state::running));
  loaded.containers.push_back(record("never", 'b', "no", container_state::running));
  loaded.containers.push_back(record("idle", 'c', "always", container_state::configured));
  supervisor_harness h(std::move(loaded));
  // A running record whose process is gone is exited; `always` starts it again, keeping
  // its restart count (a boot start is not the user's start).
  CHECK(h.spawns_of("always") == 1);
  CHECK(h.status("always") == "running");
  CHECK(h.inspect("always")["RestartCount"] == 3);
  CHECK(h.spawns_of("never") == 0);
  CHECK(h.inspect("never")["State"]["ExitCode"] == -1);
  CHECK(h.spawns_of("idle") == 0);  // never started: a boot starts only what had run
  CHECK(h.status("idle") == "created");
}

}  // namespace supervisor_recovery_test
