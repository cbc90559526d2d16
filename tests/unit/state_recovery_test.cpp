// The state database survives damage and full disks (issue 10, section 2) and opens the
// state a previous release wrote (section 7): a torn or corrupt record is repaired at open
// (a copy kept aside, earlier records present), a write that fails on a full disk never
// takes later acknowledged writes down with it, and tests/data/state-v1 loads.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "messages/error.hpp"
#include "runtime/state_store.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tmpfs_mount.hpp"

namespace state_recovery_test {

using namespace ctrd;
namespace fs = std::filesystem;

using ctrd::test::tmpfs_mount;

namespace {

container_config make_config(const std::string& id) {
  container_config c;
  c.id = id;
  c.name = "n" + id;
  c.command = {"sleep", "1"};
  c.labels = {{"pad", std::string(200, 'x')}};  // records of a realistic size
  return c;
}

std::set<std::string> ids_of(const load_result& r) {
  std::set<std::string> out;
  for (const auto& c : r.containers) out.insert(c.config.id);
  return out;
}

/// The newest LevelDB log of `dir`.
std::string newest_log(const std::string& dir) {
  std::string best;
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".log" && e.path().string() > best) best = e.path().string();
  return best;
}

/// Overwrites 16 bytes `from_end` bytes before the end of `path` (as dd conv=notrunc).
void corrupt_tail(const std::string& path, off_t from_end) {
  int fd = ::open(path.c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  off_t size = ::lseek(fd, 0, SEEK_END);
  REQUIRE(size > from_end);
  const char junk[16] = {'J', 'U', 'N', 'K', 'J', 'U', 'N', 'K',
                         'J', 'U', 'N', 'K', 'J', 'U', 'N', 'K'};
  REQUIRE(::pwrite(fd, junk, sizeof junk, size - from_end) == 16);
  ::close(fd);
}

/// Fills the file system of `dir` with `<dir>/filler` until ENOSPC.
void fill(const std::string& dir) {
  int fd = ::open((dir + "/filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  std::string block(4096, 'f');
  while (::write(fd, block.data(), block.size()) > 0) {
  }
  while (::write(fd, block.data(), 1) > 0) {
  }
  ::close(fd);
}

}  // namespace

TEST_CASE("a corrupt last record is repaired at open: copy aside, earlier records kept",
          "[store][repair]") {
  test::temp_dir dir;
  auto db_dir = dir / "state";
  {
    state_store db(db_dir);
    for (int i = 0; i < 5; ++i) db.put_container(make_config("c" + std::to_string(i)), {});
  }
  corrupt_tail(newest_log(db_dir), 20);
  // What the old store did: refuse to open (ctrd exited 1 with every container unreachable).
  {
    leveldb::DB* raw = nullptr;
    leveldb::Options o;
    o.paranoid_checks = true;
    auto st = leveldb::DB::Open(o, db_dir, &raw);
    delete raw;
    REQUIRE(st.IsCorruption());
  }
  state_store db(db_dir);
  const auto& r = db.report();
  CHECK(r.repaired());
  CHECK_THAT(r.corruption, Catch::Contains("checksum mismatch"));
  REQUIRE_FALSE(r.corrupt_copy.empty());
  CHECK(r.corrupt_copy.rfind(db_dir + ".corrupt-", 0) == 0);
  CHECK(fs::exists(fs::path(r.corrupt_copy) / "CURRENT"));
  CHECK_FALSE(r.repair_notes.empty());  // LevelDB's "dropping N bytes" is reported
  auto ids = ids_of(db.load_all());
  for (int i = 0; i < 4; ++i) CHECK(ids.count("c" + std::to_string(i)) == 1);
  // The repaired database takes writes and opens cleanly afterwards.
  db.put_container(make_config("after"), {});
}

TEST_CASE("a database that lost its CURRENT file is repaired, not started empty",
          "[store][repair]") {
  test::temp_dir dir;
  auto db_dir = dir / "state";
  {
    state_store db(db_dir);
    db.put_container(make_config("kept"), {});
  }
  fs::remove(fs::path(db_dir) / "CURRENT");
  state_store db(db_dir);
  CHECK(db.report().repaired());
  CHECK(ids_of(db.load_all()).count("kept") == 1);
}

TEST_CASE("a healthy database opens without repair or copies", "[store][repair]") {
  test::temp_dir dir;
  { state_store db(dir / "state"); }
  state_store db(dir / "state");
  CHECK_FALSE(db.report().repaired());
  CHECK(db.report().migrated_from == 0);
  int entries = 0;
  for (auto& e : fs::directory_iterator(dir.path())) entries += e.path().filename() != "state";
  CHECK(entries == 0);
}

TEST_CASE("acknowledged writes survive a full disk that tore the log", "[store][full]") {
  test::temp_dir dir;
  tmpfs_mount m(dir / "mnt", "1m");
  if (!m.mounted) {
    WARN("skipped: cannot mount a tmpfs (" << m.why << "); needs root");
    return;
  }
  auto db_dir = m.path + "/state";
  std::set<std::string> acked;
  int failures = 0;
  {
    state_store db(db_dir);
    for (int i = 0; i < 5; ++i) {
      db.put_container(make_config("a" + std::to_string(i)), {});
      acked.insert("a" + std::to_string(i));
    }
    fill(m.path);
    for (int i = 0; i < 10; ++i) {
      try {
        db.put_container(make_config("f" + std::to_string(i)), {});
        acked.insert("f" + std::to_string(i));
      } catch (const ctrd::error& e) {
        ++failures;
        CHECK(e.code() == ec::no_space);
        CHECK_THAT(e.what(), Catch::Contains("no space left") || Catch::Contains("No space left"));
      }
    }
    fs::remove(m.path + "/filler");
    for (int i = 0; i < 3; ++i) {
      db.put_container(make_config("b" + std::to_string(i)), {});
      acked.insert("b" + std::to_string(i));
    }
    db.erase("a0");
    acked.erase("a0");
    CHECK(db.reopens() >= 1);  // the torn log was retired
  }
  REQUIRE(failures > 0);
  state_store db(db_dir);
  CHECK_FALSE(db.report().repaired());  // nothing acknowledged sits behind a torn record
  auto ids = ids_of(db.load_all());
  for (const auto& id : acked) CHECK(ids.count(id) == 1);
  CHECK(ids.count("a0") == 0);
}

TEST_CASE("the state written by ctrd 0.1 (tests/data/state-v1) opens with its containers",
          "[store][upgrade]") {
  test::temp_dir dir;
  auto db_dir = dir / "state";
  fs::copy(std::string(CTRD_SOURCE_DIR) + "/tests/data/state-v1", db_dir);
  state_store db(db_dir);
  CHECK_FALSE(db.report().repaired());
  auto r = db.load_all();
  CHECK(r.problems.empty());
  std::map<std::string, stored_container> by_name;
  for (auto& c : r.containers) by_name[c.config.name] = c;
  REQUIRE(by_name.size() == 3);
  const auto& web = by_name.at("fixture-web");
  CHECK(web.config.id == std::string(64, 'a'));
  CHECK(web.config.labels.at("tier") == "front");
  CHECK(web.config.restart.kind == restart_kind::on_failure);
  CHECK(web.config.stop_timeout == 5);
  CHECK(web.status.state == container_state::exited);
  CHECK(web.status.exit_code == 3);
  CHECK(by_name.at("fixture-job").status.state == container_state::configured);
  CHECK(by_name.at("fixture-job").config.command.at(2) == "echo done");
  CHECK(by_name.at("fixture-svc").config.requires_ == std::vector<std::string>{"fixture-web"});
  CHECK(by_name.at("fixture-svc").status.restart_count == 2);
  CHECK(by_name.count("fixture-removed") == 0);
}

TEST_CASE("damage found when reopening after a failed write is repaired in place",
          "[store][full][repair]") {
  test::temp_dir dir;
  tmpfs_mount m(dir / "mnt", "1m");
  if (!m.mounted) {
    WARN("skipped: cannot mount a tmpfs (" << m.why << "); needs root");
    return;
  }
  auto db_dir = m.path + "/state";
  state_store db(db_dir);
  for (int i = 0; i < 3; ++i) db.put_container(make_config("a" + std::to_string(i)), {});
  fill(m.path);
  bool failed = false;
  for (int i = 0; i < 10 && !failed; ++i) {
    try {
      db.put_container(make_config("f" + std::to_string(i)), {});
    } catch (const ctrd::error&) {
      failed = true;
    }
  }
  REQUIRE(failed);
  fs::remove(m.path + "/filler");
  // While the database is closed, its MANIFEST is damaged: a lenient reopen refuses it.
  std::string manifest;
  for (auto& e : fs::directory_iterator(db_dir))
    if (e.path().filename().string().rfind("MANIFEST-", 0) == 0) manifest = e.path().string();
  REQUIRE_FALSE(manifest.empty());
  corrupt_tail(manifest, static_cast<off_t>(fs::file_size(manifest) / 2));
  db.put_container(make_config("after"), {});  // repaired, then written
  auto ids = ids_of(db.load_all());
  CHECK(ids.count("after") == 1);
  for (int i = 0; i < 3; ++i) CHECK(ids.count("a" + std::to_string(i)) == 1);
  int copies = 0;
  for (auto& e : fs::directory_iterator(m.path))
    copies += e.path().filename().string().rfind("state.corrupt-", 0) == 0;
  CHECK(copies == 1);
}

}  // namespace state_recovery_test
