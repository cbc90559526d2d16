// state_store against a real LevelDB in a temp dir: round trips, durability across
// reopen, the single-owner lock, and corrupt records reported without losing the rest.
#include <catch2/catch.hpp>

#include <leveldb/db.h>

#include "messages/error.hpp"
#include "runtime/state_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace store_test {

using namespace ctrd;

namespace {

container_config make_config(const std::string& id, const std::string& name) {
  container_config c;
  c.id = id;
  c.name = name;
  c.command = {"sleep", "1"};
  c.env = {"A=B"};
  c.labels = {{"app", name}};
  c.created_ns = 42;
  return c;
}

}  // namespace

TEST_CASE("store round-trips containers across reopen", "[store]") {
  test::temp_dir dir;
  auto db_dir = dir / "state";
  {
    state_store db(db_dir);
    container_status s;
    db.put_container(make_config("a1", "one"), s);
    db.put_container(make_config("b2", "two"), s);
    s.state = container_state::exited;
    s.exit_code = 3;
    s.has_exited = true;
    s.restart_count = 2;
    db.put_status("b2", s);
  }
  state_store db(db_dir);
  auto r = db.load_all();
  CHECK(r.problems.empty());
  REQUIRE(r.containers.size() == 2);
  CHECK(r.containers[0].config.name == "one");
  CHECK(r.containers[0].status.state == container_state::configured);
  CHECK(r.containers[1].config.labels.at("app") == "two");
  CHECK(r.containers[1].status.exit_code == 3);
  CHECK(r.containers[1].status.restart_count == 2);
  db.erase("a1");
  auto after = db.load_all();
  REQUIRE(after.containers.size() == 1);
  CHECK(after.containers[0].config.id == "b2");
}

TEST_CASE("staged changes are invisible until one commit writes them all in order", "[store]") {
  test::temp_dir dir;
  auto db_dir = dir / "state";
  {
    state_store db(db_dir);
    db.commit();  // nothing staged: nothing happens
    container_status s;
    db.stage_container(make_config("a1", "one"), s);
    db.stage_container(make_config("b2", "two"), s);
    s.restart_count = 7;
    s.history.step = 3;
    s.history.recent_ms = {10, 20};
    s.parked = true;
    db.stage_status("a1", s);  // after its create in the same batch: wins
    db.stage_erase("b2", true);
    CHECK(db.load_all().containers.empty());  // not written yet
    db.commit();
    db.commit();  // the batch is empty again
  }
  state_store db(db_dir);
  auto r = db.load_all();
  REQUIRE(r.containers.size() == 1);
  CHECK(r.containers[0].config.id == "a1");
  CHECK(r.containers[0].status.restart_count == 7);
  CHECK(r.containers[0].status.history.step == 3);
  CHECK(r.containers[0].status.history.recent_ms == std::vector<int64_t>{10, 20});
  CHECK(r.containers[0].status.parked);
}

TEST_CASE("a second opener of the same state is refused with a clear error", "[store]") {
  test::temp_dir dir;
  state_store first(dir / "state");
  try {
    state_store second(dir / "state");
    FAIL("second open succeeded");
  } catch (const ctrd::error& e) {
    CHECK(e.code() == ec::internal);
    CHECK(std::string(e.what()).find(dir.path()) != std::string::npos);
  }
}

TEST_CASE("a corrupt record is reported and the others still load", "[store]") {
  test::temp_dir dir;
  {
    state_store db(dir / "state");
    db.put_container(make_config("good", "g"), container_status{});
  }
  {
    leveldb::DB* raw = nullptr;
    leveldb::Options o;
    REQUIRE(leveldb::DB::Open(o, dir / "state", &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    REQUIRE(db->Put({}, "v1/ctr/bad/config", std::string("\xc1garbage")).ok());
  }
  state_store db(dir / "state");
  auto r = db.load_all();
  REQUIRE(r.containers.size() == 1);
  CHECK(r.containers[0].config.id == "good");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].find("bad") != std::string::npos);
}

TEST_CASE("a database of an unknown schema version is refused", "[store]") {
  test::temp_dir dir;
  {
    leveldb::DB* raw = nullptr;
    leveldb::Options o;
    o.create_if_missing = true;
    REQUIRE(leveldb::DB::Open(o, dir / "state", &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    REQUIRE(db->Put({}, "v1/meta/schema", "7").ok());
  }
  CHECK_THROWS_WITH(state_store(dir / "state"), Catch::Contains("schema version 7"));
}

TEST_CASE("a batch keeps only the latest status of a container", "[store]") {
  test::temp_dir dir;
  auto db_dir = dir / "state";
  {
    state_store db(db_dir);
    container_status s;
    db.stage_container(make_config("a1", "one"), s);
    db.stage_container(make_config("b2", "two"), s);
    db.stage_container(make_config("c3", "three"), s);
    db.commit();
    // Three transitions of a restart in one group commit: the last one is stored.
    for (int code : {1, 2, 3}) {
      s.exit_code = code;
      s.restart_count = static_cast<uint32_t>(code);
      db.stage_status("a1", s);
    }
    // A status staged before the container's erase is not written after it.
    db.stage_status("b2", s);
    db.stage_erase("b2", true);
    // A status staged before a new definition gives way to the definition's own status.
    db.stage_status("c3", s);
    container_status fresh;
    fresh.exit_code = 9;
    db.stage_container(make_config("c3", "three"), fresh);
    db.commit();
  }
  state_store db(db_dir);
  auto r = db.load_all();
  REQUIRE(r.containers.size() == 2);
  CHECK(r.containers[0].config.id == "a1");
  CHECK(r.containers[0].status.exit_code == 3);
  CHECK(r.containers[0].status.restart_count == 3);
  CHECK(r.containers[1].config.id == "c3");
  CHECK(r.containers[1].status.exit_code == 9);
}

}  // namespace store_test
