// The state store on a failing disk and across power cuts (issue 12 §4), in the spirit of
// LevelDB's db/fault_injection_test.cc: a leveldb::Env wrapper (tests/support/fault_env)
// fails writes or syncs on demand, and drops every byte not synced when "the power goes".
// Driven through state_store, and through the store actor with a scoped actor.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <random>
#include <set>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/caf_error.hpp"
#include "actors/store.hpp"
#include "messages/error.hpp"
#include "runtime/state_store.hpp"
#include "tests/support/fault_env.hpp"
#include "tests/support/temp_dir.hpp"

namespace store_fault_injection_test {

using namespace ctrd;
using ctrd::test::fault_env;
using namespace std::chrono_literals;

namespace {

container_config make_config(const std::string& id, bool auto_remove = false) {
  container_config c;
  c.id = id;
  c.name = "n-" + id;
  c.command = {"sleep", "1"};
  c.auto_remove = auto_remove;
  return c;
}

std::set<std::string> ids_of(const load_result& r) {
  std::set<std::string> out;
  for (const auto& c : r.containers) out.insert(c.config.id);
  return out;
}

/// The ctrd::error a call throws (ec::none and "" if it does not throw).
template <class F>
std::pair<ec, std::string> failure_of(F f) {
  try {
    f();
  } catch (const error& e) {
    return {e.code(), e.what()};
  }
  return {ec::none, ""};
}

}  // namespace

TEST_CASE("store fault injection: failed writes are clear errors, the store recovers",
          "[store][fault]") {
  test::temp_dir dir;
  fault_env env;
  state_store db(dir / "state", &env);
  container_status s;
  db.put_container(make_config("a1"), s);

  env.set_fault(fault_env::fault::writes);
  auto f = failure_of([&] { db.put_container(make_config("b2"), s); });
  CHECK(f.first == ec::internal);
  CHECK_THAT(f.second, Catch::Contains("cannot write 1 state change(s)") &&
                           Catch::Contains("injected fault"));
  // The store closed the database after the failure; it cannot reopen while the disk
  // fails, and says so on every call instead of giving up or crashing.
  f = failure_of([&] { db.erase("a1"); });
  CHECK(f.first == ec::internal);
  CHECK_THAT(f.second, Catch::Contains("cannot be reopened") && Catch::Contains("injected fault"));
  auto during = db.load_all();
  CHECK(during.containers.empty());
  REQUIRE(during.problems.size() == 1);
  CHECK_THAT(during.problems[0], Catch::Contains("injected fault"));
  CHECK(env.injected() >= 2);

  env.set_fault(fault_env::fault::none);  // the disk works again
  db.put_container(make_config("c3"), s);
  auto after = db.load_all();
  CHECK(after.problems.empty());
  CHECK(ids_of(after) == std::set<std::string>{"a1", "c3"});  // the failed erase erased nothing
  CHECK(db.reopens() == 1);
}

TEST_CASE("store fault injection: failed syncs fail durable writes only until they work",
          "[store][fault]") {
  test::temp_dir dir;
  fault_env env;
  state_store db(dir / "state", &env);
  container_status s;
  db.put_container(make_config("a1"), s);
  env.set_fault(fault_env::fault::syncs);
  s.restart_count = 4;
  db.put_status("a1", s);  // not synced: unaffected
  auto f = failure_of([&] { db.put_container(make_config("b2"), s); });
  CHECK(f.first == ec::internal);
  CHECK_THAT(f.second, Catch::Contains("injected fault (sync)"));
  env.set_fault(fault_env::fault::none);
  db.erase("a1");
  db.put_container(make_config("c3"), s);
  auto r = db.load_all();
  CHECK(r.problems.empty());
  CHECK(ids_of(r).count("c3") == 1);
  CHECK(ids_of(r).count("a1") == 0);
}

TEST_CASE(
    "store fault injection: after power cuts every acknowledged write is there and no "
    "acknowledged erase comes back",
    "[store][fault]") {
  test::temp_dir dir;
  fault_env env;
  std::mt19937 rng(12);
  std::set<std::string> durable;  // acknowledged durable creates, not erased since
  std::set<std::string> maybe;    // --rm containers: not synced, may be lost
  std::set<std::string> erased;   // acknowledged durable erases
  int next_id = 0;
  uint64_t dropped = 0;
  for (int round = 0; round < 12; ++round) {
    {
      state_store db(dir / "state", &env);
      auto loaded = db.load_all();
      INFO("round " << round);
      CHECK(loaded.problems.empty());
      auto ids = ids_of(loaded);
      for (const auto& id : durable) CHECK(ids.count(id) == 1);
      for (const auto& id : erased) CHECK(ids.count(id) == 0);
      // What a lost --rm create or erase left is what the store has now.
      for (auto it = maybe.begin(); it != maybe.end();)
        it = ids.count(*it) ? std::next(it) : maybe.erase(it);
      for (const auto& id : ids)
        if (!durable.count(id)) maybe.insert(id);
      for (int op = 0; op < 40; ++op) {
        container_status s;
        s.restart_count = op;
        auto pick = [&](const std::set<std::string>& from) {
          auto it = from.begin();
          std::advance(it, std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng));
          return *it;
        };
        switch (std::uniform_int_distribution<int>(0, 5)(rng)) {
          case 0: {
            auto id = "d" + std::to_string(next_id++);
            db.put_container(make_config(id), s);
            durable.insert(id);
            break;
          }
          case 1: {
            auto id = "r" + std::to_string(next_id++);
            db.put_container(make_config(id, true), s);
            maybe.insert(id);
            break;
          }
          case 2:
          case 3:
            if (!durable.empty()) db.put_status(pick(durable), s);
            break;
          case 4:
            if (!durable.empty()) {
              auto id = pick(durable);
              db.erase(id, true);
              durable.erase(id);
              erased.insert(id);
            }
            break;
          default:
            if (!maybe.empty()) {
              auto id = pick(maybe);
              db.erase(id, false);  // not synced: may come back, as after a real power loss
            }
            break;
        }
      }
    }  // closed without a sync of its log
    dropped += env.power_cut();
  }
  CHECK(dropped > 0);  // the power cuts did drop unsynced bytes
  state_store db(dir / "state", &env);
  auto last = db.load_all();
  CHECK(last.problems.empty());
  for (const auto& id : durable) CHECK(ids_of(last).count(id) == 1);
  for (const auto& id : erased) CHECK(ids_of(last).count(id) == 0);
}

TEST_CASE("store fault injection: the store actor answers errors and recovers", "[store][fault]") {
  test::temp_dir dir;
  fault_env env;
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  auto store = spawn_store(sys, std::make_shared<state_store>(dir / "state", &env));
  caf::scoped_actor self{sys};
  auto put = [&](const std::string& id) {
    std::pair<ec, std::string> out{ec::none, ""};
    self->request(store, 10s, put_container_atom::value, make_config(id), container_status{})
        .receive([](bool) {}, [&](caf::error& e) { out = from_caf_error(e); });
    return out;
  };
  CHECK(put("a1").first == ec::none);
  env.set_fault(fault_env::fault::writes);
  auto r = put("b2");
  CHECK(r.first == ec::internal);
  CHECK_THAT(r.second, Catch::Contains("injected fault"));
  CHECK(put("b3").first == ec::internal);  // still answering
  env.set_fault(fault_env::fault::none);
  CHECK(put("c4").first == ec::none);
  std::set<std::string> ids;
  self->request(store, 10s, load_atom::value)
      .receive([&](load_result& l) { ids = ids_of(l); }, [](caf::error&) {});
  CHECK(ids.count("a1") == 1);
  CHECK(ids.count("c4") == 1);
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

}  // namespace store_fault_injection_test
