// Every (state, event) pair of the lifecycle table against an independent expectation
// written from podman-semantics.md §1.2 and docs/lifecycle.md.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>

#include "core/lifecycle.hpp"

namespace lifecycle_test {

using namespace ctrd;
using lifecycle::effect;
using lifecycle::event;
using S = container_state;

namespace {

// Expected outcome per cell: a state abbreviation (accepted, next state), "=" (accepted
// no-op, state unchanged) or "E" (refused with invalid_state).
// Columns: Cfg Crt Run Pau Stpg Stpd Exi Rmv
const std::map<event, std::vector<std::string>> expected = {
    {event::init, {"Crt", "E", "E", "E", "E", "E", "Crt", "E"}},
    {event::start, {"Run", "Run", "=", "E", "E", "E", "Run", "E"}},
    {event::stop, {"=", "Stpg", "Stpg", "Stpg", "Stpg", "=", "=", "E"}},
    {event::kill, {"E", "E", "Run", "Pau", "Stpg", "E", "E", "E"}},
    {event::restart, {"Run", "Run", "Stpg", "E", "E", "E", "Run", "E"}},
    {event::remove, {"Rmv", "Rmv", "E", "E", "E", "Rmv", "Rmv", "E"}},
    {event::remove_force, {"Rmv", "Rmv", "Rmv", "Rmv", "Rmv", "Rmv", "Rmv", "E"}},
    {event::pause, {"E", "E", "Pau", "E", "E", "E", "E", "E"}},
    {event::unpause, {"E", "E", "E", "Run", "E", "E", "E", "E"}},
    {event::attach, {"E", "Crt", "Run", "E", "E", "E", "E", "E"}},
    {event::process_exited, {"=", "Stpd", "Stpd", "Stpd", "Stpd", "=", "=", "Rmv"}},
    {event::cleaned_up, {"=", "=", "=", "=", "=", "Exi", "=", "Rmv"}},
    {event::stop_timeout, {"=", "=", "=", "=", "Stpg", "=", "=", "="}},
    {event::policy_restart, {"=", "=", "=", "=", "=", "=", "Run", "="}},
    {event::boot_start, {"Run", "Run", "=", "=", "=", "=", "Run", "="}},
};

S parse_abbrev(const std::string& a) {
  static const std::map<std::string, S> m = {
      {"Cfg", S::configured}, {"Crt", S::created},  {"Run", S::running}, {"Pau", S::paused},
      {"Stpg", S::stopping},  {"Stpd", S::stopped}, {"Exi", S::exited},  {"Rmv", S::removing}};
  return m.at(a);
}

bool has(const lifecycle::outcome& o, effect fx) {
  return std::find(o.effects.begin(), o.effects.end(), fx) != o.effects.end();
}

std::ptrdiff_t pos(const lifecycle::outcome& o, effect fx) {
  return std::find(o.effects.begin(), o.effects.end(), fx) - o.effects.begin();
}

}  // namespace

TEST_CASE("lifecycle table covers every state x event as podman does", "[lifecycle]") {
  REQUIRE(expected.size() == static_cast<size_t>(lifecycle::event_count));
  for (const auto& [ev, row] : expected) {
    REQUIRE(row.size() == static_cast<size_t>(container_state_count));
    for (int i = 0; i < container_state_count; ++i) {
      auto s = static_cast<S>(i);
      auto out = lifecycle::apply(s, ev);
      INFO("state " << to_string(s) << ", event " << lifecycle::to_string(ev));
      const auto& want = row[i];
      if (want == "E") {
        CHECK_FALSE(out.ok);
        CHECK(out.error == ec::invalid_state);
        CHECK(out.error_text != nullptr);
        CHECK(out.next == s);
        CHECK(out.effects.empty());
      } else if (want == "=") {
        CHECK(out.ok);
        CHECK(out.noop);
        CHECK(out.next == s);
      } else {
        CHECK(out.ok);
        CHECK_FALSE(out.noop);
        CHECK(out.next == parse_abbrev(want));
      }
    }
  }
}

TEST_CASE("start from configured forks held, then releases, and emits init+start", "[lifecycle]") {
  auto o = lifecycle::apply(S::configured, event::start);
  REQUIRE(o.ok);
  CHECK(pos(o, effect::reset_run) < pos(o, effect::spawn_held));
  CHECK(pos(o, effect::spawn_held) < pos(o, effect::release));
  REQUIRE(o.events.size() == 2);
  CHECK(std::string(o.events[0]) == "init");
  CHECK(std::string(o.events[1]) == "start");
  auto from_created = lifecycle::apply(S::created, event::start);
  CHECK_FALSE(has(from_created, effect::spawn_held));
  CHECK(has(from_created, effect::release));
}

TEST_CASE("stop: user stop suppresses the policy, timeout 0 kills at once", "[lifecycle]") {
  lifecycle::context c;
  auto o = lifecycle::apply(S::running, event::stop, c);
  CHECK(has(o, effect::mark_user_stopped));
  CHECK(has(o, effect::signal_stop));
  CHECK(has(o, effect::arm_stop_timer));
  CHECK(has(o, effect::defer_reply));
  c.stop_timeout_zero = true;
  o = lifecycle::apply(S::running, event::stop, c);
  CHECK_FALSE(has(o, effect::arm_stop_timer));
  c = {};
  c.by_user = false;  // daemon shutdown: the policy must still apply at the next boot
  o = lifecycle::apply(S::running, event::stop, c);
  CHECK_FALSE(has(o, effect::mark_user_stopped));
  // Stopping an exited container still cancels the policy (a stop racing a restart).
  o = lifecycle::apply(S::exited, event::stop);
  CHECK(o.noop);
  CHECK(has(o, effect::mark_user_stopped));
  // A paused container is thawed so that it can act on the signal.
  CHECK(has(lifecycle::apply(S::paused, event::stop), effect::thaw));
}

TEST_CASE("kill marks stopped-by-user and signals only the main process", "[lifecycle]") {
  auto o = lifecycle::apply(S::running, event::kill);
  CHECK(has(o, effect::mark_user_stopped));
  CHECK(has(o, effect::signal_user));
  CHECK_FALSE(has(o, effect::kill_group));
}

TEST_CASE("restart of a running container stops, then starts after the exit", "[lifecycle]") {
  auto o = lifecycle::apply(S::running, event::restart);
  CHECK(has(o, effect::signal_stop));
  CHECK(has(o, effect::schedule_start));
  CHECK(has(o, effect::defer_reply));
  REQUIRE_FALSE(o.events.empty());
  CHECK(std::string(o.events[0]) == "restart");
}

TEST_CASE("removal: immediate without a process, after teardown with one", "[lifecycle]") {
  CHECK(has(lifecycle::apply(S::exited, event::remove), effect::remove_now));
  auto forced = lifecycle::apply(S::running, event::remove_force);
  CHECK(has(forced, effect::kill_group));
  CHECK_FALSE(has(forced, effect::remove_now));
  auto done = lifecycle::apply(S::removing, event::cleaned_up);
  CHECK(has(done, effect::remove_now));
  CHECK(has(done, effect::finish_exit));
}

TEST_CASE("process exit always tears the group down before exited", "[lifecycle]") {
  for (S s : {S::created, S::running, S::paused, S::stopping}) {
    auto o = lifecycle::apply(s, event::process_exited);
    CHECK(o.next == S::stopped);
    CHECK(has(o, effect::begin_cleanup));
    REQUIRE(o.events.size() == 1);
    CHECK(std::string(o.events[0]) == "died");
  }
  auto o = lifecycle::apply(S::stopped, event::cleaned_up);
  CHECK(o.next == S::exited);
  CHECK(has(o, effect::finish_exit));
}

TEST_CASE("a policy restart keeps the restart count and emits restart, init, start",
          "[lifecycle]") {
  auto o = lifecycle::apply(S::exited, event::policy_restart);
  CHECK_FALSE(has(o, effect::reset_run));
  CHECK(has(o, effect::spawn_held));
  REQUIRE(o.events.size() == 3);
  CHECK(std::string(o.events[0]) == "restart");
}

TEST_CASE("a boot start keeps the restart count and emits init, start", "[lifecycle]") {
  for (auto s : {S::configured, S::exited}) {
    auto o = lifecycle::apply(s, event::boot_start);
    CHECK_FALSE(has(o, effect::reset_run));
    CHECK(has(o, effect::resume_run));
    CHECK(pos(o, effect::resume_run) < pos(o, effect::spawn_held));
    CHECK(pos(o, effect::spawn_held) < pos(o, effect::release));
    REQUIRE(o.events.size() == 2);
    CHECK(std::string(o.events[0]) == "init");
    CHECK(std::string(o.events[1]) == "start");
  }
  auto held = lifecycle::apply(S::created, event::boot_start);
  CHECK(held.effects == std::vector<effect>{effect::release});
}

TEST_CASE("error texts are podman's with id and state filled in", "[lifecycle]") {
  auto o = lifecycle::apply(S::exited, event::kill);
  CHECK(lifecycle::render_error(o.error_text, "abc", S::exited) ==
        "can only kill running containers. abc is in state exited");
  o = lifecycle::apply(S::running, event::remove);
  CHECK(lifecycle::render_error(o.error_text, "abc", S::running) ==
        "cannot remove container abc as it is running - running or paused containers cannot be "
        "removed without force: container state improper");
  o = lifecycle::apply(S::running, event::init);
  CHECK(lifecycle::render_error(o.error_text, "abc", S::running) ==
        "container abc has already been created in runtime");
}

}  // namespace lifecycle_test
