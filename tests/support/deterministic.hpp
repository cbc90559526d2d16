// A CAF actor system on CAF's test coordinator, for deterministic actor tests in Catch2
// files without CAF's test macros: no scheduler threads, every message runs when the test
// calls run(), and delayed messages (the actors' timers) fire only when the test advances
// the coordinator's clock. The scoped actor `self` sends requests; their replies are in its
// mailbox after run(): receive them with `caf::after(0s)` so that a missing one fails at
// once instead of blocking.
#pragma once

#include <chrono>
#include <cstddef>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>

namespace ctrd::test {

class deterministic_system {
 public:
  deterministic_system();
  ~deterministic_system();

  caf::actor_system& sys() { return sys_; }
  caf::scoped_actor& self() { return self_; }

  /// Runs every pending job (messages and what they cause) until nothing is left; returns
  /// how many ran.
  std::size_t run();

  /// Moves the clock forward by `d`, fires the timers due by then, and runs.
  void advance(std::chrono::milliseconds d);

  /// True when a timer is pending.
  bool has_timer() const;

 private:
  caf::actor_system_config cfg_;
  caf::actor_system sys_;
  caf::scoped_actor self_;
  caf::scheduler::test_coordinator& sched_;
};

}  // namespace ctrd::test
