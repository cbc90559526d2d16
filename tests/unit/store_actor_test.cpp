// The keyed load of one container (state_store::load, the store actor's (load_atom, id)),
// and the store actor on CAF's test coordinator (spawn_mode::scheduled): what is queued
// together is committed in its order and then answered, a keyed load sees what was staged
// before it, and an acknowledged erase survives a reopen.
#include <catch2/catch.hpp>

#include <leveldb/db.h>

#include "actors/atoms.hpp"
#include "actors/store.hpp"
#include "tests/support/deterministic.hpp"
#include "tests/support/temp_dir.hpp"

namespace store_actor_test {

using namespace ctrd;
using namespace std::chrono_literals;

namespace {

container_config config_of(const std::string& id, const std::string& name) {
  container_config c;
  c.id = id;
  c.name = name;
  c.command = {"sleep", "1"};
  return c;
}

container_status exited_with(int code) {
  container_status s;
  s.state = container_state::exited;
  s.exit_code = code;
  s.has_exited = true;
  return s;
}

/// Waits for the reply of `h` (the system has run): "true", the error or "(no reply)".
template <class Handle>
std::string answer(Handle& h) {
  std::string out = "(no reply)";
  h.receive([&](bool b) { out = b ? "true" : "false"; },
            [&](const caf::error& e) { out = "error: " + to_string(e); });
  return out;
}

}  // namespace

TEST_CASE("state store: a keyed load reads one container only", "[store]") {
  test::temp_dir dir;
  state_store db(dir / "state");
  db.put_container(config_of("a1", "one"), container_status{});
  db.put_container(config_of("b2", "two"), container_status{});
  db.put_status("b2", exited_with(7));
  auto r = db.load("b2");
  CHECK(r.problems.empty());
  REQUIRE(r.containers.size() == 1);
  CHECK(r.containers[0].config.id == "b2");
  CHECK(r.containers[0].config.name == "two");
  CHECK(r.containers[0].status.exit_code == 7);
  // An id that is only a prefix of a stored one, and an unknown id, have no record.
  CHECK(db.load("b").containers.empty());
  CHECK(db.load("zz").containers.empty());
  CHECK(db.load("zz").problems.empty());
  db.erase("b2");
  CHECK(db.load("b2").containers.empty());
  CHECK(db.load("a1").containers.size() == 1);
}

TEST_CASE("state store: a keyed load reports an undecodable record", "[store]") {
  test::temp_dir dir;
  {
    state_store db(dir / "state");
    db.put_container(config_of("good", "g"), container_status{});
  }
  {
    leveldb::DB* raw = nullptr;
    leveldb::Options o;
    REQUIRE(leveldb::DB::Open(o, dir / "state", &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    REQUIRE(db->Put({}, "v1/ctr/bad/config", std::string("\xc1garbage")).ok());
    REQUIRE(db->Delete({}, "v1/ctr/good/state").ok());
  }
  state_store db(dir / "state");
  auto bad = db.load("bad");
  CHECK(bad.containers.empty());
  REQUIRE(bad.problems.size() == 1);
  CHECK(bad.problems[0].find("container bad") != std::string::npos);
  auto good = db.load("good");  // its state record is gone: said so in its status
  REQUIRE(good.containers.size() == 1);
  CHECK(good.containers[0].status.error.find("state record missing") != std::string::npos);
}

TEST_CASE("store actor: writes queued together are committed in their order, then answered",
          "[store][deterministic]") {
  test::temp_dir dir;
  test::deterministic_system ds;
  auto store =
      spawn_store(ds.sys(), std::make_shared<state_store>(dir / "state"), spawn_mode::scheduled);
  auto& self = ds.self();
  auto a = self->request(store, caf::infinite, put_container_atom::value, config_of("a1", "one"),
                         container_status{});
  auto b = self->request(store, caf::infinite, put_container_atom::value, config_of("b2", "two"),
                         container_status{});
  self->send(store, put_status_atom::value, std::string("b2"), exited_with(3));
  auto e = self->request(store, caf::infinite, erase_atom::value, std::string("a1"), true);
  // One group: a1's erase after its put, b2's status after its config.
  CHECK(ds.run() > 0);
  CHECK(answer(a) == "true");
  CHECK(answer(b) == "true");
  CHECK(answer(e) == "true");
  // The keyed load sees the last of each: b2 exited, a1 erased.
  auto lb = self->request(store, caf::infinite, load_atom::value, std::string("b2"));
  auto la = self->request(store, caf::infinite, load_atom::value, std::string("a1"));
  ds.run();
  lb.receive(
      [&](const load_result& r) {
        REQUIRE(r.containers.size() == 1);
        CHECK(r.containers[0].status.exit_code == 3);
      },
      [&](const caf::error& err) { FAIL(to_string(err)); });
  la.receive([&](const load_result& r) { CHECK(r.containers.empty()); },
             [&](const caf::error& err) { FAIL(to_string(err)); });
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  ds.run();
}

TEST_CASE("store actor: a keyed load commits what was staged before it", "[store][deterministic]") {
  test::temp_dir dir;
  test::deterministic_system ds;
  auto store =
      spawn_store(ds.sys(), std::make_shared<state_store>(dir / "state"), spawn_mode::scheduled);
  auto& self = ds.self();
  auto put = self->request(store, caf::infinite, put_container_atom::value,
                           config_of("c3", "three"), container_status{});
  ds.run();
  CHECK(answer(put) == "true");
  // A status update and a load queued behind it: the load must see the update.
  self->send(store, put_status_atom::value, std::string("c3"), exited_with(9));
  auto l = self->request(store, caf::infinite, load_atom::value, std::string("c3"));
  ds.run();
  l.receive(
      [&](const load_result& r) {
        REQUIRE(r.containers.size() == 1);
        CHECK(r.containers[0].status.exit_code == 9);
      },
      [&](const caf::error& err) { FAIL(to_string(err)); });
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  ds.run();
}

TEST_CASE("store actor: an acknowledged erase is on disk", "[store][deterministic]") {
  test::temp_dir dir;
  {
    test::deterministic_system ds;
    auto store =
        spawn_store(ds.sys(), std::make_shared<state_store>(dir / "state"), spawn_mode::scheduled);
    auto& self = ds.self();
    auto put = self->request(store, caf::infinite, put_container_atom::value,
                             config_of("d4", "four"), container_status{});
    auto keep = self->request(store, caf::infinite, put_container_atom::value,
                              config_of("e5", "five"), container_status{});
    ds.run();
    CHECK(answer(put) == "true");
    CHECK(answer(keep) == "true");
    auto erase = self->request(store, caf::infinite, erase_atom::value, std::string("d4"), true);
    ds.run();
    CHECK(answer(erase) == "true");
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    ds.run();
  }
  // The actor and its database are gone: a new opener sees what was acknowledged.
  state_store db(dir / "state");
  CHECK(db.load("d4").containers.empty());
  CHECK(db.load("e5").containers.size() == 1);
}

}  // namespace store_actor_test
