// The supervisor actor driven deterministically (supervisor_actor_test.cpp,
// supervisor_recovery_test.cpp): the supervisor and the store run on CAF's test coordinator
// (spawn_mode::scheduled: no threads, timers fire when the test moves the clock), over a
// real LevelDB in a temporary directory, and the container actors they spawn are the real
// ones over a fake host (tests/support/fake_host.hpp), so restart timing, stop escalation,
// start/stop races, dependency order and respawns are checked without a process or a sleep.
// The event bus is a stand-in that drops what it gets.
#pragma once

#include <sys/stat.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/store.hpp"
#include "supervisor/supervisor.hpp"
#include "tests/support/deterministic.hpp"
#include "tests/support/fake_host.hpp"
#include "tests/support/temp_dir.hpp"

namespace ctrd::test {

/// An event bus that drops every event (takes an unused argument: CONTRIBUTING.md, "Rules").
inline caf::behavior dropping_bus(caf::event_based_actor* self, int) {
  self->set_default_handler(caf::drop);
  return {[](event_atom, const json&) {}};
}

/// A supervisor and a store on the test coordinator, with a fake host.
class supervisor_harness {
 public:
  // The host and the directory outlive the system: the actors use them until its last run.
  fake_host host;
  temp_dir dir;
  deterministic_system ds;
  store_actor store;
  supervisor_actor sup;

  /// `loaded`: what the store held at ctrd's start (recovered and boot-started as then).
  explicit supervisor_harness(load_result loaded = {}) {
    for (const auto& rec : loaded.containers) names_.push_back(rec.config.name);
    ::mkdir((dir / "containers").c_str(), 0700);
    store =
        spawn_store(ds.sys(), std::make_shared<state_store>(dir / "state"), spawn_mode::scheduled);
    auto bus = caf::actor_cast<event_bus_actor>(ds.sys().spawn(dropping_bus, 0));
    supervisor_options o;
    o.containers_dir = dir / "containers";
    o.run_dir = dir.path();
    o.mode = spawn_mode::scheduled;
    sup = spawn_supervisor(ds.sys(), store, bus, &host, nullptr, std::move(o), std::move(loaded));
    ds.run();
  }

  ~supervisor_harness() {
    // The supervisor first (it would respawn the container actors), then what it spawned.
    std::vector<caf::actor> actors;
    for (const auto& n : names_)
      if (auto a = actor_of(n)) actors.push_back(a);
    for (const auto& c : host.children) actors.push_back(caf::actor_cast<caf::actor>(c.owner));
    caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
    ds.run();
    for (const auto& a : actors) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    ds.run();
  }

  /// Sends `xs...` to the supervisor, runs, and returns its reply: the json, "created",
  /// "true"/"false", "error: <text>" or "(no reply)".
  template <class... Ts>
  std::string ask(Ts&&... xs) {
    ds.self()->send(sup, std::forward<Ts>(xs)...);
    ds.run();
    return reply();
  }

  /// The next reply in the test's mailbox (see ask()).
  std::string reply() {
    std::string out = "(no reply)";
    ds.self()->receive([&](const json& j) { out = j.dump(); },
                       [&](const created_container&) { out = "created"; },
                       [&](bool b) { out = b ? "true" : "false"; },
                       [&](const caf::error& e) { out = "error: " + to_string(e); },
                       caf::after(std::chrono::seconds(0)) >> [] {});
    return out;
  }

  /// Creates container `name` from `definition` (name added); returns the reply.
  std::string create(const std::string& name, json definition) {
    definition["name"] = name;
    names_.push_back(name);
    return ask(create_atom::value, definition);
  }

  /// A user's start of `name`.
  std::string start(const std::string& name) {
    return ask(start_atom::value, name, false, caf::actor{}, uint32_t{0});
  }

  /// The container actor of `name` now (none when the supervisor does not know it).
  caf::actor actor_of(const std::string& name) {
    caf::actor out;
    ds.self()->send(sup, resolve_atom::value, name);
    ds.run();
    ds.self()->receive([&](const container_actor& a) { out = caf::actor_cast<caf::actor>(a); },
                       [&](const caf::error&) {}, caf::after(std::chrono::seconds(0)) >> [] {});
    return out;
  }

  /// podman's state name of `name` (inspect through the supervisor), or the error.
  std::string status(const std::string& name) {
    ds.self()->send(sup, forward_atom::value, name, caf::make_message(inspect_atom::value));
    ds.run();
    std::string out = "(no reply)";
    ds.self()->receive([&](const json& j) { out = j["State"]["Status"].get<std::string>(); },
                       [&](const caf::error& e) { out = "error: " + to_string(e); },
                       caf::after(std::chrono::seconds(0)) >> [] {});
    return out;
  }

  /// inspect of `name` through the supervisor (null on an error).
  json inspect(const std::string& name) {
    ds.self()->send(sup, forward_atom::value, name, caf::make_message(inspect_atom::value));
    ds.run();
    json out;
    ds.self()->receive([&](const json& j) { out = j; }, [&](const caf::error&) {},
                       caf::after(std::chrono::seconds(0)) >> [] {});
    return out;
  }

  /// Processes spawned for `name`'s current actor so far.
  std::size_t spawns_of(const std::string& name) {
    auto a = actor_of(name);
    std::size_t n = 0;
    for (const auto& c : host.children) n += c.owner == a;
    return n;
  }

  /// Plays the kernel's part of the end of `name`'s last process: exit `code`, both pipes
  /// at EOF, the process group empty.
  void child_exits(const std::string& name, int code) {
    auto a = actor_of(name);
    pid_t pid = -1;
    for (const auto& c : host.children)
      if (c.owner == a) pid = c.pid;
    caf::anon_send(a, exited_atom::value, static_cast<int>(pid), code, true);
    caf::anon_send(a, eof_atom::value, static_cast<int>(stream_stdout));
    caf::anon_send(a, eof_atom::value, static_cast<int>(stream_stderr));
    ds.run();
    caf::anon_send(a, drained_atom::value);
    ds.run();
  }

  /// Signals sent so far with `sig`.
  std::size_t signals_of(int sig) const {
    std::size_t n = 0;
    for (const auto& s : host.signals) n += s.sig == sig;
    return n;
  }

 private:
  std::vector<std::string> names_;
};

/// A container definition: `command`, restart policy `restart` with a fixed delay range.
inline json definition(const std::string& command, const std::string& restart = "no",
                       uint64_t delay_ms = 1000, uint64_t max_delay_ms = 1000) {
  return json{{"command", {command}},
              {"restart", restart},
              {"restart_delay_ms", delay_ms},
              {"restart_max_delay_ms", max_delay_ms}};
}

}  // namespace ctrd::test
