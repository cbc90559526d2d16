// The container actor driven deterministically: CAF's test coordinator runs it (no scheduler
// threads, timers fire when the test moves the clock) and a fake host (tests/support/
// fake_host.hpp) stands in for the kernel, so restart timing, stop escalation and the
// races between user requests and process events are checked without real processes or
// sleeps. The store and the supervisor are stand-ins that accept what the actor sends.
#include <catch2/catch.hpp>

#include <csignal>
#include <string>

#include <caf/event_based_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/container.hpp"
#include "messages/container_config.hpp"
#include "tests/support/deterministic.hpp"
#include "tests/support/fake_host.hpp"
#include "tests/support/temp_dir.hpp"

using namespace ctrd;
using namespace std::chrono_literals;
using ctrd::test::deterministic_system;
using ctrd::test::fake_host;

namespace {

// The stand-ins take an unused argument: CAF 0.17 spawning a function of `self` alone binds a
// null argument tuple, which UBSan reports (CONTRIBUTING.md, "Rules").

/// A store that acknowledges every write (nothing is written).
caf::behavior accepting_store(caf::event_based_actor* self, int) {
  self->set_default_handler(caf::drop);
  return {
      [](put_status_atom, const std::string&, const container_status&) {},
      [](put_container_atom, const container_config&, const container_status&) { return true; },
      [](erase_atom, const std::string&, bool) { return true; },
  };
}

/// A supervisor that takes the status reports and ignores them.
caf::behavior silent_supervisor(caf::event_based_actor* self, int) {
  self->set_default_handler(caf::drop);
  return {[](status_atom, const std::string&, const json&) {}};
}

/// One container actor on the deterministic system, with its fake host.
struct harness {
  // The host and the directory outlive the system: the actor's state uses them until the
  // system's last run (in its destructor) has ended the actor.
  fake_host host;
  ctrd::test::temp_dir dir;
  deterministic_system ds;
  caf::actor ctr;

  explicit harness(const json& definition) {
    container_deps deps;
    deps.store = ds.sys().spawn(accepting_store, 0);
    deps.supervisor = ds.sys().spawn(silent_supervisor, 0);
    deps.host = &host;
    deps.containers_dir = dir.path();
    deps.run_dir = dir.path();
    stored_container rec;
    rec.config = config_from_json(definition);
    rec.config.id = std::string(64, 'a');
    ctr = spawn_container(ds.sys(), rec, deps, false);
    ds.run();
  }
  ~harness() { caf::anon_send_exit(ctr, caf::exit_reason::user_shutdown); }

  /// Sends a request and returns its reply (or the error's text) once the system ran.
  template <class... Ts>
  std::string ask(Ts... xs) {
    std::string out = "(no reply)";
    ds.self()->send(ctr, xs...);
    ds.run();
    ds.self()->receive([&](const json& j) { out = j.dump(); },
                       [&](const caf::error& e) { out = "error: " + to_string(e); },
                       caf::after(0s) >> [] {});
    return out;
  }

  /// Plays the kernel's part of the last child's end: exit `code`, both pipes at EOF, the
  /// process group empty.
  void child_exits(int code) {
    auto pid = host.children.back().pid;
    caf::anon_send(ctr, exited_atom::value, static_cast<int>(pid), code, true);
    caf::anon_send(ctr, eof_atom::value, static_cast<int>(stream_stdout));
    caf::anon_send(ctr, eof_atom::value, static_cast<int>(stream_stderr));
    ds.run();
    caf::anon_send(ctr, drained_atom::value);
    ds.run();
  }

  std::string status() {
    std::string s;
    ds.self()->send(ctr, inspect_atom::value);
    ds.run();
    ds.self()->receive([&](const json& j) { s = j["State"]["Status"].get<std::string>(); },
                       caf::after(0s) >> [] {});
    return s;
  }

  /// Signals sent so far with `sig`.
  std::size_t signals_of(int sig) const {
    std::size_t n = 0;
    for (const auto& s : host.signals) n += s.sig == sig;
    return n;
  }
};

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
