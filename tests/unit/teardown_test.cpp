// Every (teardown state, teardown event) cell of the internal teardown table
// (core/lifecycle.hpp, docs/lifecycle.md "Teardown") against an independent expectation,
// and every order in which the host loop's reports can arrive.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/lifecycle.hpp"

namespace teardown_test {

using namespace ctrd;
using lifecycle::teardown;
using lifecycle::teardown_effect;
using lifecycle::teardown_event;

namespace {

// Expected cell: "-" ignored (state unchanged, no effects), else "<next>[/effects]" with
// effects g (arm_grace), c (close_output), x (cleaned_up).
// Columns: idle up up_quiet finish finish_quiet lastup
const std::map<teardown_event, std::vector<std::string>> expected = {
    {teardown_event::spawned, {"up", "-", "-", "-", "-", "-"}},
    {teardown_event::adopted, {"up_quiet", "-", "-", "-", "-", "-"}},
    {teardown_event::main_exited, {"-", "finish", "finish_quiet", "-", "-", "-"}},
    {teardown_event::output_drained, {"-", "up_quiet", "-", "finish_quiet", "-", "idle/x"}},
    {teardown_event::group_drained, {"-", "-", "-", "lastup/g", "idle/x", "-"}},
    {teardown_event::grace_expired, {"-", "-", "-", "-", "-", "idle/cx"}},
};

const teardown all_states[] = {teardown::idle,   teardown::up,           teardown::up_quiet,
                               teardown::finish, teardown::finish_quiet, teardown::lastup};

std::string render(const lifecycle::teardown_outcome& o) {
  if (!o.accepted) return "-";
  std::string r = lifecycle::to_string(o.next);
  if (o.effects.empty()) return r;
  r += "/";
  for (auto fx : o.effects)
    r += fx == teardown_effect::arm_grace ? 'g' : fx == teardown_effect::close_output ? 'c' : 'x';
  return r;
}

}  // namespace

TEST_CASE("teardown table: every state x event cell", "[lifecycle][teardown]") {
  REQUIRE(expected.size() == static_cast<std::size_t>(lifecycle::teardown_event_count));
  for (const auto& [ev, row] : expected) {
    REQUIRE(row.size() == static_cast<std::size_t>(lifecycle::teardown_count));
    for (int i = 0; i < lifecycle::teardown_count; ++i) {
      auto t = all_states[i];
      INFO(lifecycle::to_string(t) << " + " << lifecycle::to_string(ev));
      auto o = lifecycle::apply(t, ev);
      CHECK(render(o) == row[i]);
      if (!o.accepted) CHECK(o.next == t);
    }
  }
}

TEST_CASE("teardown: cleaned_up comes exactly once, whatever order the reports arrive in",
          "[lifecycle][teardown]") {
  // After the spawn: the main exit, the end of output and the drained group (always after
  // the exit: the group is watched from then on) in every order, plus the grace timer.
  std::vector<teardown_event> evs = {teardown_event::main_exited, teardown_event::output_drained,
                                     teardown_event::group_drained};
  std::sort(evs.begin(), evs.end());
  int orders = 0;
  do {
    auto exit_at = std::find(evs.begin(), evs.end(), teardown_event::main_exited);
    auto drained_at = std::find(evs.begin(), evs.end(), teardown_event::group_drained);
    if (drained_at < exit_at) continue;  // cannot happen: the group is watched after the exit
    ++orders;
    auto t = lifecycle::apply(teardown::idle, teardown_event::spawned).next;
    int cleaned = 0;
    auto feed = [&](teardown_event ev) {
      auto o = lifecycle::apply(t, ev);
      t = o.next;
      cleaned += static_cast<int>(
          std::count(o.effects.begin(), o.effects.end(), teardown_effect::cleaned_up));
    };
    for (auto ev : evs) feed(ev);
    if (t == teardown::lastup) feed(teardown_event::grace_expired);  // never here: drained last
    CHECK(t == teardown::idle);
    CHECK(cleaned == 1);
    feed(teardown_event::grace_expired);  // a late timer changes nothing
    CHECK(cleaned == 1);
  } while (std::next_permutation(evs.begin(), evs.end()));
  CHECK(orders == 3);
}

TEST_CASE("teardown: an escapee holding a pipe is cut off after the grace",
          "[lifecycle][teardown]") {
  auto t = lifecycle::apply(teardown::idle, teardown_event::spawned).next;
  t = lifecycle::apply(t, teardown_event::main_exited).next;
  auto o = lifecycle::apply(t, teardown_event::group_drained);
  CHECK(o.next == teardown::lastup);
  CHECK(o.effects == std::vector<teardown_effect>{teardown_effect::arm_grace});
  o = lifecycle::apply(o.next, teardown_event::grace_expired);
  CHECK(o.next == teardown::idle);
  CHECK(o.effects ==
        std::vector<teardown_effect>{teardown_effect::close_output, teardown_effect::cleaned_up});
  // A second exit report of the same run changes nothing.
  CHECK_FALSE(lifecycle::apply(teardown::idle, teardown_event::main_exited).accepted);
}

TEST_CASE("teardown: an adopted process has no pipes", "[lifecycle][teardown]") {
  auto t = lifecycle::apply(teardown::idle, teardown_event::adopted).next;
  CHECK(t == teardown::up_quiet);
  CHECK(lifecycle::main_running(t));
  t = lifecycle::apply(t, teardown_event::main_exited).next;
  CHECK_FALSE(lifecycle::main_running(t));
  auto o = lifecycle::apply(t, teardown_event::group_drained);
  CHECK(o.next == teardown::idle);
  CHECK(o.effects == std::vector<teardown_effect>{teardown_effect::cleaned_up});
}

TEST_CASE("teardown states map to a visible state", "[lifecycle][teardown]") {
  using S = container_state;
  for (auto t : all_states) {
    bool tearing_down =
        t == teardown::finish || t == teardown::finish_quiet || t == teardown::lastup;
    CHECK(lifecycle::visible(t, S::removing) == S::removing);
    CHECK(lifecycle::visible(t, S::running) == (tearing_down ? S::stopped : S::running));
    CHECK(lifecycle::main_running(t) == (t == teardown::up || t == teardown::up_quiet));
  }
  // What the lifecycle table records when the main process ends is the same state.
  for (auto s : {S::created, S::running, S::paused, S::stopping})
    CHECK(lifecycle::apply(s, lifecycle::event::process_exited).next ==
          lifecycle::visible(teardown::finish, s));
  CHECK(lifecycle::apply(S::removing, lifecycle::event::process_exited).next ==
        lifecycle::visible(teardown::finish, S::removing));
}

}  // namespace teardown_test
