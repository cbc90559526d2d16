// One container actor on CAF's deterministic test coordinator (tests/support/
// deterministic.hpp), with a fake host (fake_host.hpp) and typed stand-ins for the store
// and the supervisor: the test drives it through its typed handle (container_actor) and
// plays the kernel's part through the handles the actor gave the host seam.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/typed_event_based_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/container.hpp"
#include "actors/interfaces.hpp"
#include "messages/container_config.hpp"
#include "tests/support/deterministic.hpp"
#include "tests/support/fake_host.hpp"
#include "tests/support/temp_dir.hpp"

namespace ctrd::test {

// The stand-ins take an argument: CAF 0.17 spawning a function of `self` alone binds a
// null argument tuple, which UBSan reports (CONTRIBUTING.md, "Rules").

/// A store that acknowledges every write (nothing is written).
inline store_actor::behavior_type accepting_store(store_actor::pointer, int) {
  return {
      [](put_container_atom, const container_config&, const container_status&) { return true; },
      [](put_status_atom, const std::string&, const container_status&) {},
      [](erase_atom, const std::string&, bool) { return true; },
      [](flush_atom) {},
      [](load_atom) { return load_result{}; },
      [](load_atom, const std::string&) { return load_result{}; },
      [](put_record_atom, const std::string&, const json&, bool) { return true; },
      [](erase_record_atom, const std::string&) { return true; },
      [](load_records_atom, const std::string&) { return json::object(); },
  };
}

/// What the container told its supervisor, in order (the deterministic system runs every
/// actor on the test's thread, so the test reads it directly).
struct supervisor_log {
  std::vector<container_summary> summaries;
  std::vector<std::string> gone;
};

/// A supervisor that records the summaries and removals it is sent.
inline container_owner_actor::behavior_type recording_supervisor(
    container_owner_actor::pointer, std::shared_ptr<supervisor_log> log) {
  return {[=](status_atom, const std::string&, container_summary& s) {
            log->summaries.push_back(std::move(s));
          },
          [=](gone_atom, const std::string& id) { log->gone.push_back(id); }};
}

/// One container actor on the deterministic system, with its fake host.
struct harness {
  // The host and the directory outlive the system: the actor's state uses them until the
  // system's last run (in its destructor) has ended the actor.
  fake_host host;
  temp_dir dir;
  deterministic_system ds;
  std::shared_ptr<supervisor_log> reports = std::make_shared<supervisor_log>();
  container_actor ctr;

  /// A new container of `definition`; with `recovered`, one that ctrd recovers from its
  /// stored status (after a restart of the daemon), the fake host's answers set by `prepare`.
  explicit harness(const json& definition, const container_status* recovered = nullptr,
                   const std::function<void(fake_host&)>& prepare = {}) {
    if (prepare) prepare(host);
    container_deps deps;
    deps.store = ds.sys().spawn(accepting_store, 0);
    deps.supervisor = ds.sys().spawn(recording_supervisor, reports);
    deps.host = &host;
    deps.containers_dir = dir.path();
    deps.run_dir = dir.path();
    stored_container rec;
    rec.config = config_from_json(definition);
    rec.config.id = std::string(64, 'a');
    if (recovered != nullptr) rec.status = *recovered;
    ctr = spawn_container(ds.sys(), rec, deps, recovered != nullptr);
    ds.run();
  }
  ~harness() { caf::anon_send_exit(ctr, caf::exit_reason::user_shutdown); }
  harness(const harness&) = delete;
  harness& operator=(const harness&) = delete;

  /// Sends a request and returns its json reply (or the error's text) once the system ran.
  template <class... Ts>
  std::string ask(Ts... xs) {
    std::string out = "(no reply)";
    ds.self()->send(ctr, xs...);
    ds.run();
    ds.self()->receive([&](const json& j) { out = j.dump(); },
                       [&](const caf::error& e) { out = "error: " + to_string(e); },
                       caf::after(std::chrono::seconds(0)) >> [] {});
    return out;
  }

  /// Plays the kernel's part of the last child's end: exit `code`, both pipes at EOF, the
  /// process group empty; sent to the handle the actor gave the host (host_client_actor).
  void child_exits(int code) {
    const auto& c = host.children.back();
    caf::anon_send(c.owner, exited_atom::value, static_cast<int>(c.pid), code, true);
    caf::anon_send(c.owner, eof_atom::value, static_cast<int>(stream_stdout));
    caf::anon_send(c.owner, eof_atom::value, static_cast<int>(stream_stderr));
    ds.run();
    caf::anon_send(host_group_client_actor{ctr}, drained_atom::value);
    ds.run();
  }

  /// The state in inspect ("running", "exited", ...).
  std::string status() {
    std::string s;
    ds.self()->send(ctr, inspect_atom::value);
    ds.run();
    ds.self()->receive([&](const json& j) { s = j["State"]["Status"].get<std::string>(); },
                       caf::after(std::chrono::seconds(0)) >> [] {});
    return s;
  }

  /// Signals sent so far with `sig`.
  std::size_t signals_of(int sig) const {
    std::size_t n = 0;
    for (const auto& s : host.signals) n += s.sig == sig;
    return n;
  }
};

}  // namespace ctrd::test
