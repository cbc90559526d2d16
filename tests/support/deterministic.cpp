#include "tests/support/deterministic.hpp"

#include <caf/atom.hpp>

namespace ctrd::test {
namespace {

caf::actor_system_config& deterministic_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
  return cfg;
}

}  // namespace

deterministic_system::deterministic_system()
    : sys_(deterministic_config(cfg_)),
      self_(sys_, true),
      sched_(dynamic_cast<caf::scheduler::test_coordinator&>(sys_.scheduler())) {
  // A clock that does not start at 0 (as CAF's own fixture does).
  sched_.clock().current_time += std::chrono::hours(1);
}

deterministic_system::~deterministic_system() {
  run();
}

std::size_t deterministic_system::run() {
  return sched_.run();
}

void deterministic_system::advance(std::chrono::milliseconds d) {
  sched_.advance_time(d);
  run();
}

bool deterministic_system::has_timer() const {
  return sched_.has_pending_timeout();
}

}  // namespace ctrd::test
