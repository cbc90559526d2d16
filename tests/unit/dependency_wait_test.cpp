// A start job's verdict on each requirement (core/dependencies.hpp judge_requirement): ready,
// wait (and what for, shown as "waiting for NAME: WHY"), or failed for good.
#include <catch2/catch.hpp>

#include "core/dependencies.hpp"

namespace dependency_wait_test {

using namespace ctrd;
using V = deps::requirement_verdict;

namespace {

deps::requirement_facts facts(std::string state, std::string health, bool started = true,
                              bool ready = false, bool restart = false) {
  deps::requirement_facts f;
  f.state = std::move(state);
  f.health = std::move(health);
  f.start_acknowledged = started;
  f.ready = ready;
  f.restart_pending = restart;
  return f;
}

}  // namespace

TEST_CASE("requirement verdicts: wait while it may still become ready", "[deps]") {
  struct row {
    const char* what;
    deps::requirement_facts f;
    V::kind verdict;
    std::string why;
  };
  deps::requirement_facts missing;
  missing.exists = false;
  std::vector<row> rows = {
      {"missing", missing, V::fail, "requires db, which does not exist"},
      {"ready", facts("running", "healthy", true, true), V::ready, ""},
      {"ready before its start was acknowledged", facts("running", "", false, true), V::ready, ""},
      {"not started yet", facts("created", "", false), V::wait, "not started yet"},
      {"first check failed at boot: unhealthy, running", facts("running", "unhealthy"), V::wait,
       "unhealthy"},
      {"checks not passed yet", facts("running", "starting"), V::wait, "starting"},
      {"sd_notify not received yet", facts("running", ""), V::wait, "not ready"},
      {"paused", facts("paused", ""), V::wait, "paused"},
      {"exited, a policy restart pending", facts("exited", "unhealthy", true, false, true), V::wait,
       "restarting"},
      {"exited for good", facts("exited", ""), V::fail,
       "required container db is exited and did not become ready"},
      {"created (start undone) for good", facts("created", ""), V::fail,
       "required container db is created and did not become ready"},
  };
  for (const auto& r : rows) {
    INFO(r.what);
    auto v = deps::judge_requirement("db", r.f);
    CHECK(v.verdict == r.verdict);
    CHECK(v.why == r.why);
  }
}

TEST_CASE("the waiting text names the requirement and the reason", "[deps]") {
  CHECK(deps::waiting_text("db", "unhealthy") == "waiting for db: unhealthy");
}

}  // namespace dependency_wait_test
