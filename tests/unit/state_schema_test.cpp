// The state schema's migration framework (state_schema.hpp, state_open.hpp) with a table of
// test steps 1 -> 2 -> 3: each step alone, all in order, a failing step, a newer state
// refused, the copy kept before migrating. The real table is empty while schema 1 is the
// only one; a real step gets its own case here.
#include <catch2/catch.hpp>

#include <filesystem>

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include "messages/error.hpp"
#include "runtime/state_open.hpp"
#include "runtime/state_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace state_schema_test {

using namespace ctrd;
namespace fs = std::filesystem;

namespace {

/// Calls fn(key, config map) for every container config of the database.
template <class F>
void each_config(leveldb::DB& db, F fn) {
  std::unique_ptr<leveldb::Iterator> it(db.NewIterator({}));
  for (it->Seek("v1/ctr/"); it->Valid() && it->key().starts_with("v1/ctr/"); it->Next()) {
    auto key = it->key().ToString();
    if (key.size() < 7 || key.compare(key.size() - 7, 7, "/config") != 0) continue;
    fn(key, decode_msgpack(it->value().data(), it->value().size()));
  }
}

/// 1 -> 2: every container gets the label migrated=2. 2 -> 3: that label becomes origin.
std::vector<migration_step> test_steps() {
  return {
      {1, "label every container migrated=2",
       [](leveldb::DB& db, leveldb::WriteBatch& b) {
         each_config(db, [&](const std::string& key, json c) {
           c["labels"]["migrated"] = "2";
           b.Put(key, encode_msgpack(c));
         });
       }},
      {2, "rename the label migrated to origin",
       [](leveldb::DB& db, leveldb::WriteBatch& b) {
         each_config(db, [&](const std::string& key, json c) {
           if (!c["labels"].contains("migrated")) throw std::runtime_error("step 1 missing");
           c["labels"]["origin"] = c["labels"]["migrated"];
           c["labels"].erase("migrated");
           b.Put(key, encode_msgpack(c));
         });
       }},
  };
}

container_config make_config(const std::string& id) {
  container_config c;
  c.id = id;
  c.name = "n" + id;
  c.command = {"true"};
  return c;
}

/// A database of schema `version` with containers a and b (the labels step 1 would add
/// when version is 2).
void make_db(const std::string& dir, int version) {
  {
    state_store db(dir);
    auto a = make_config("a"), b = make_config("b");
    if (version >= 2) a.labels["migrated"] = b.labels["migrated"] = "2";
    db.put_container(a, {});
    db.put_container(b, {});
  }
  leveldb::DB* raw = nullptr;
  REQUIRE(leveldb::DB::Open({}, dir, &raw).ok());
  std::unique_ptr<leveldb::DB> db(raw);
  REQUIRE(db->Put({}, schema_key, std::to_string(version)).ok());
}

std::string version_of(leveldb::DB& db) {
  std::string v;
  REQUIRE(db.Get({}, schema_key, &v).ok());
  return v;
}

std::map<std::string, std::string> labels_of(leveldb::DB& db, const std::string& id) {
  std::string v;
  REQUIRE(db.Get({}, "v1/ctr/" + id + "/config", &v).ok());
  return decode_msgpack(v.data(), v.size())["labels"].get<std::map<std::string, std::string>>();
}

}  // namespace

TEST_CASE("migration step 1 -> 2 alone", "[schema]") {
  test::temp_dir dir;
  auto db_dir = dir / "state";
  make_db(db_dir, 1);
  open_report r;
  auto s = open_state_db(db_dir, r, test_steps(), 2);
  CHECK(version_of(*s.db) == "2");
  CHECK(labels_of(*s.db, "a").at("migrated") == "2");
  CHECK(r.migrated_from == 1);
  REQUIRE(r.migration_steps.size() == 1);
  CHECK_THAT(r.migration_steps[0], Catch::Contains("1 -> 2"));
}

TEST_CASE("migration step 2 -> 3 alone", "[schema]") {
  test::temp_dir dir;
  auto db_dir = dir / "state";
  make_db(db_dir, 2);
  open_report r;
  auto s = open_state_db(db_dir, r, test_steps(), 3);
  CHECK(version_of(*s.db) == "3");
  auto l = labels_of(*s.db, "b");
  CHECK(l.at("origin") == "2");
  CHECK(l.count("migrated") == 0);
  CHECK(r.migration_copy == db_dir + ".pre-v2");
}

TEST_CASE("migrations from 1 to 3 apply in order and keep a copy of the old state", "[schema]") {
  test::temp_dir dir;
  auto db_dir = dir / "state";
  make_db(db_dir, 1);
  open_report r;
  {
    auto s = open_state_db(db_dir, r, test_steps(), 3);
    CHECK(version_of(*s.db) == "3");
    CHECK(labels_of(*s.db, "a").at("origin") == "2");
    CHECK(r.migration_steps.size() == 2);
  }
  // The copy is the state as it was: schema 1, no label.
  REQUIRE(r.migration_copy == db_dir + ".pre-v1");
  leveldb::DB* raw = nullptr;
  REQUIRE(leveldb::DB::Open({}, r.migration_copy, &raw).ok());
  std::unique_ptr<leveldb::DB> copy(raw);
  CHECK(version_of(*copy) == "1");
  CHECK(labels_of(*copy, "a").empty());
}

TEST_CASE("a failing step stops the migration at the last completed version", "[schema]") {
  test::temp_dir dir;
  auto db_dir = dir / "state";
  make_db(db_dir, 1);
  auto steps = test_steps();
  steps[1].apply = [](leveldb::DB&, leveldb::WriteBatch&) {
    throw std::runtime_error("broken step");
  };
  open_report r;
  try {
    open_state_db(db_dir, r, steps, 3);
    FAIL("the migration succeeded");
  } catch (const ctrd::error& e) {
    CHECK_THAT(e.what(), Catch::Contains("2 -> 3") && Catch::Contains("broken step") &&
                             Catch::Contains(db_dir + ".pre-v1"));
  }
  // Resumed by a ctrd with a working step: from 2, its copy named after 2.
  open_report again;
  auto s = open_state_db(db_dir, again, test_steps(), 3);
  CHECK(again.migrated_from == 2);
  CHECK(version_of(*s.db) == "3");
  CHECK(labels_of(*s.db, "a").at("origin") == "2");
}

TEST_CASE("a missing step is an error naming it", "[schema]") {
  test::temp_dir dir;
  make_db(dir / "state", 1);
  open_report r;
  CHECK_THROWS_WITH(open_state_db(dir / "state", r, {}, 2),
                    Catch::Contains("1 -> 2") && Catch::Contains("no such step"));
}

TEST_CASE("a state newer than this ctrd is refused: upgrade ctrd", "[schema]") {
  test::temp_dir dir;
  make_db(dir / "state", current_schema + 1);
  try {
    state_store db(dir / "state");
    FAIL("opened a newer state");
  } catch (const ctrd::error& e) {
    CHECK(e.code() == ec::internal);
    CHECK_THAT(e.what(), Catch::Contains("schema version " + std::to_string(current_schema + 1)) &&
                             Catch::Contains("upgrade ctrd"));
  }
}

TEST_CASE("an unreadable schema version is refused", "[schema]") {
  test::temp_dir dir;
  make_db(dir / "state", 1);
  {
    leveldb::DB* raw = nullptr;
    REQUIRE(leveldb::DB::Open({}, dir / "state", &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    REQUIRE(db->Put({}, schema_key, "one").ok());
  }
  CHECK_THROWS_WITH(state_store(dir / "state"), Catch::Contains("unreadable schema version"));
}

TEST_CASE("containers without a schema key (lost in a repair) are taken as schema 1", "[schema]") {
  test::temp_dir dir;
  make_db(dir / "state", 1);
  {
    leveldb::DB* raw = nullptr;
    REQUIRE(leveldb::DB::Open({}, dir / "state", &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    REQUIRE(db->Delete({}, schema_key).ok());
  }
  state_store db(dir / "state");
  CHECK_FALSE(db.report().schema_note.empty());
  CHECK(db.load_all().containers.size() == 2);
}

TEST_CASE("the real migration table covers every version up to the current one", "[schema]") {
  const auto& steps = schema_migrations();
  for (int v = 1; v < current_schema; ++v) {
    INFO("step " << v << " -> " << v + 1);
    CHECK(std::count_if(steps.begin(), steps.end(),
                        [&](const migration_step& s) { return s.from == v; }) == 1);
  }
  for (const auto& s : steps) CHECK(s.from < current_schema);
}

}  // namespace state_schema_test
