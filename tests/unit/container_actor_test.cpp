// The container actor driven deterministically: CAF's test coordinator runs it (no scheduler
// threads, timers fire when the test moves the clock) and a fake host (tests/support/
// fake_host.hpp) stands in for the kernel, so restart timing, stop escalation and the
// races between user requests and process events are checked without real processes or
// sleeps. The store and the supervisor are stand-ins that accept what the actor sends.
#include <catch2/catch.hpp>

#include <csignal>
#include <string>

#include "actors/container_handover.hpp"
#include "tests/support/container_harness.hpp"

namespace container_actor_test {

using namespace ctrd;
using namespace std::chrono_literals;
using ctrd::test::harness;

namespace {

json service(const std::string& restart) {
  return json{{"name", "svc"},
              {"command", {"/bin/true"}},
              {"restart", restart},
              {"restart_delay_ms", uint64_t{2000}},
              {"restart_max_delay_ms", uint64_t{2000}}};
}

}  // namespace

TEST_CASE("a policy restart waits for its delay on the actor's clock",
          "[container][deterministic]") {
  harness h(service("always"));
  CHECK(h.ask(start_atom::value, false, caf::actor{}, uint32_t{0}).find("error") ==
        std::string::npos);
  REQUIRE(h.host.children.size() == 1);
  CHECK(h.host.released(h.host.children[0]));
  CHECK(h.status() == "running");
  h.child_exits(1);
  CHECK(h.host.children.size() == 1);
  REQUIRE(h.ds.has_timer());
  h.ds.advance(1700ms);  // the delay is 2 s +- 10 % jitter
  CHECK(h.host.children.size() == 1);
  h.ds.advance(600ms);
  REQUIRE(h.host.children.size() == 2);
  CHECK(h.host.released(h.host.children[1]));
  CHECK(h.status() == "running");
}

TEST_CASE("stop escalates to SIGKILL exactly at its timeout", "[container][deterministic]") {
  harness h(service("no"));
  h.ask(start_atom::value, false, caf::actor{}, uint32_t{0});
  REQUIRE(h.host.children.size() == 1);
  h.ds.self()->send(h.ctr, stop_atom::value, int64_t{10}, true);
  h.ds.run();
  CHECK(h.signals_of(SIGTERM) == 1);
  CHECK(h.signals_of(SIGKILL) == 0);
  h.ds.advance(9999ms);
  CHECK(h.signals_of(SIGKILL) == 0);
  h.ds.advance(1ms);
  CHECK(h.signals_of(SIGKILL) >= 1);
  h.child_exits(128 + SIGKILL);
  std::string reply;
  h.ds.self()->receive([&](const json& j) { reply = j.dump(); }, caf::after(0s) >> [] {});
  CHECK(reply.find("\"escalated\":true") != std::string::npos);
  CHECK(h.status() == "exited");
}

TEST_CASE("a user stop cancels a pending policy restart", "[container][deterministic]") {
  harness h(service("always"));
  h.ask(start_atom::value, false, caf::actor{}, uint32_t{0});
  h.child_exits(1);
  REQUIRE(h.ds.has_timer());
  CHECK(h.ask(stop_atom::value, int64_t{10}, true).find("error") == std::string::npos);
  h.ds.advance(5000ms);
  CHECK(h.host.children.size() == 1);
  CHECK(h.status() == "exited");
}

TEST_CASE("start and stop queued together: the stop sees the started process",
          "[container][deterministic]") {
  harness h(service("no"));
  h.ds.self()->send(h.ctr, start_atom::value, false, caf::actor{}, uint32_t{0});
  h.ds.self()->send(h.ctr, stop_atom::value, int64_t{10}, true);
  h.ds.run();
  REQUIRE(h.host.children.size() == 1);
  CHECK(h.signals_of(SIGTERM) == 1);
  h.child_exits(128 + SIGTERM);
  int replies = 0;
  while (true) {
    bool got = false;
    h.ds.self()->receive([&](const json&) { got = true; }, caf::after(0s) >> [] {});
    if (!got) break;
    ++replies;
  }
  CHECK(replies == 2);
  CHECK(h.status() == "exited");
}

namespace {

/// A container recovered after a daemon crash whose process ended just before ctrd could
/// adopt it (a pid above PID_MAX_LIMIT: no real process).
container_status ended_before_adoption() {
  container_status st;
  st.state = container_state::running;
  st.pid = 4194304 + 99;
  st.pid_start = 1;
  st.started_ns = 1;
  return st;
}

json inspect_of(harness& h) {
  json out;
  h.ds.self()->send(h.ctr, inspect_atom::value);
  h.ds.run();
  h.ds.self()->receive([&](const json& j) { out = j; }, caf::after(0s) >> [] {});
  return out;
}

}  // namespace

TEST_CASE("a process that ended just before its adoption gets the status the holder sends",
          "[container][deterministic][survival]") {
  auto st = ended_before_adoption();
  harness h(service("no"), &st, [](ctrd::test::fake_host& host) { host.holder_owes = true; });
  REQUIRE(h.host.owed_pid == st.pid);
  CHECK(h.status() == "running");  // until the holder's status comes
  caf::anon_send(h.host.owed_to, exited_atom::value, st.pid, 3, true);
  h.ds.run();
  caf::anon_send(host_group_client_actor{h.ctr}, drained_atom::value);
  h.ds.run();
  auto j = inspect_of(h);
  CHECK(j["State"]["Status"] == "exited");
  CHECK(j["State"]["ExitCode"] == 3);
  CHECK(j["State"]["Error"] == "");
  h.ds.advance(3s);  // the wait's timer finds nothing to do
  CHECK(h.host.forgotten.empty());
  CHECK(inspect_of(h)["State"]["ExitCode"] == 3);
}

TEST_CASE("a process that ended before its adoption and whose status never comes is unknown",
          "[container][deterministic][survival]") {
  auto st = ended_before_adoption();
  harness h(service("no"), &st, [](ctrd::test::fake_host& host) { host.holder_owes = true; });
  CHECK(h.status() == "running");
  h.ds.advance(2s);
  caf::anon_send(host_group_client_actor{h.ctr}, drained_atom::value);
  h.ds.run();
  auto j = inspect_of(h);
  CHECK(j["State"]["Status"] == "exited");
  CHECK(j["State"]["ExitCode"] == -1);
  CHECK(j["State"]["Error"].get<std::string>().find("while ctrd was not running") !=
        std::string::npos);
  CHECK(h.host.forgotten == std::vector<pid_t>{st.pid});
}

TEST_CASE("without a holder a process that ended before its adoption is unknown at once",
          "[container][deterministic][survival]") {
  auto st = ended_before_adoption();
  harness h(service("no"), &st);
  CHECK(h.host.owed_pid == 0);
  auto j = inspect_of(h);
  CHECK(j["State"]["Status"] == "exited");
  CHECK(j["State"]["ExitCode"] == -1);
}

TEST_CASE("recovery leaves a dead process running while the holder may still send its status",
          "[container][survival]") {
  stored_container rec;
  rec.config = config_from_json(service("no"));
  rec.status = ended_before_adoption();
  auto waiting = rec;
  recover_record(waiting, true);  // the container actor waits for the status
  CHECK(waiting.status.state == container_state::running);
  CHECK(waiting.status.pid == rec.status.pid);
  auto unknown = rec;
  recover_record(unknown, false);  // no holder owes it: unknown at once
  CHECK(unknown.status.state == container_state::exited);
  CHECK(unknown.status.exit_code == -1);
  hand_over_exit(rec.status.pid, 9);  // already sent by the holder
  auto known = rec;
  recover_record(known, true);
  CHECK(known.status.state == container_state::exited);
  CHECK(known.status.exit_code == 9);
}

}  // namespace container_actor_test
