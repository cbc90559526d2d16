// Full disks, damaged state and upgrades (issue 10, sections 2 and 7), end to end: a real
// ctrd on a 6 MiB tmpfs filled to the last byte, a byte-corrupted last record of LevelDB's
// log, the state fixture of ctrd 0.1, a state from a newer ctrd, and handshakes between
// programs of other protocol versions. Tests that need to mount a tmpfs skip without root.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include <leveldb/db.h>

#include "messages/frame.hpp"
#include "messages/handshake.hpp"
#include "messages/rpc.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/tmpfs_mount.hpp"

namespace state_fault_test {

using ctrd::test::inspect;
using ctrd::test::live_daemon;
using json = nlohmann::json;
namespace fs = std::filesystem;

using ctrd::test::tmpfs_mount;

namespace {

/// Names of every container (`ps -a`).
std::set<std::string> names(const live_daemon& d) {
  std::set<std::string> out;
  for (const auto& c : json::parse(d.ok({"ps", "-a", "--format", "json"})))
    out.insert(c["Names"][0].get<std::string>());
  return out;
}

/// Checks that the file system of `path` has at least `bytes` free.
void free_at_least(const std::string& path, uint64_t bytes) {
  auto info = fs::space(path);
  CHECK(info.available >= bytes);
}

/// Fills the file system with `dd` until it is full (as a user would).
void fill(const std::string& file) {
  ctrd::test::run_process({"/bin/dd", "if=/dev/zero", "of=" + file, "bs=4k"});
  ctrd::test::run_process(
      {"/bin/dd", "if=/dev/zero", "of=" + file, "bs=1", "oflag=append", "conv=notrunc"});
}

/// The newest LevelDB log of `dir`.
std::string newest_log(const std::string& dir) {
  std::string best;
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".log" && e.path().string() > best) best = e.path().string();
  return best;
}

/// The scenario of issue 10 section 2 on a 6 MiB tmpfs. Without `reserve`, `yes` logs up
/// to the daemon-wide cap (a quarter of the file system), `dd` fills the rest and LevelDB
/// meets the full disk. With it (1 MB, no log cap), `yes` alone brings the free space down
/// to the reserve, where its writes are dropped and counted, and ctrd refuses creates itself.
void full_disk_scenario(bool reserve) {
  ctrd::test::temp_dir tmp;
  tmpfs_mount m(tmp / "mnt", "6m");
  if (!m.mounted) {
    WARN("skipped: cannot mount a tmpfs (" << m.why << "); needs root");
    return;
  }
  ctrd::test::daemon_options o;
  o.root = m.path + "/root";
  if (reserve)
    o.args = {"--min-free-space", "1m", "--log-max-total", "0"};
  else
    o.args = {"--min-free-space", "0"};
  live_daemon d(o);
  std::set<std::string> acked;
  for (int i = 1; i <= 5; ++i) {
    d.ok({"create", "--name", "c" + std::to_string(i), "sleep", "1000"});
    acked.insert("c" + std::to_string(i));
  }
  d.ok({"run", "-d", "--name", "yes", "yes"});
  acked.insert("yes");
  auto log_path = inspect(d, "yes")["LogPath"].get<std::string>();
  if (reserve) {
    // At the reserve the container's log writes are dropped and counted.
    auto j = ctrd::test::await_inspect(
        d, "yes", [](const json& i) { return i["LogDropped"]["Writes"].get<uint64_t>() > 0; });
    CHECK(j["LogDropped"]["Bytes"].get<uint64_t>() > 0);
    CHECK(j["LogDropped"]["RotatedFiles"] == 0);  // no cap: the reserve dropped them
    CHECK(fs::file_size(log_path) > (3u << 20));  // most of the 6 MiB were logged
    free_at_least(m.path, 900000);                // and the reserve is still free
  } else {
    ctrd::test::await_inspect(d, "yes", [&](const json&) {
      std::error_code ec;
      return fs::file_size(log_path, ec) > 0 && !ec;
    });
  }
  fill(m.path + "/filler");
  int refused = 0;
  // Creates until one is refused: the first few may still fit in the last, partly filled
  // block of LevelDB's log (each is about 1 KiB), which no longer needs a free block.
  for (int i = 1; i <= 12 && refused == 0; ++i) {
    auto r = d.ctl({"create", "--name", "f" + std::to_string(i), "sleep", "1000"});
    INFO("stderr: " << r.err);
    if (r.code == 0) {
      acked.insert("f" + std::to_string(i));
      continue;
    }
    ++refused;
    CHECK(r.code == 125);
    CHECK_THAT(r.err, Catch::Contains("no space left on " + m.path + "/root"));
  }
  CHECK(refused > 0);
  fs::remove(m.path + "/filler");
  d.ok({"rm", "-f", "yes"});  // its log goes too: room for what follows
  acked.erase("yes");
  for (int i = 1; i <= 3; ++i) {
    d.ok({"create", "--name", "d" + std::to_string(i), "sleep", "1000"});
    acked.insert("d" + std::to_string(i));
  }
  d.ok({"rm", "c1"});
  acked.erase("c1");
  REQUIRE(d.terminate() == 0);
  d.start();  // the old store: "Corruption: checksum mismatch", exit 1
  CHECK(names(d) == acked);
  CHECK(d.log().find("STATE REPAIRED") == std::string::npos);
}

}  // namespace

TEST_CASE("full disk without a reserve: every acknowledged create and rm survives a restart",
          "[state][full-disk]") {
  full_disk_scenario(false);
}

TEST_CASE("full disk below the reserve: creates refused, log writes counted, nothing lost",
          "[state][full-disk]") {
  full_disk_scenario(true);
}

TEST_CASE("a byte-corrupted last record: ctrd repairs, warns and keeps earlier records",
          "[state][corrupt]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "r", "sleep", "100"});
  int pid = inspect(d, "r")["State"]["Pid"];
  for (auto n : {"a", "b", "c"}) d.ok({"create", "--name", n, "true"});
  d.kill9();  // the container keeps running
  auto log = newest_log(d.root() + "/state");
  auto size = fs::file_size(log);
  REQUIRE(size > 40);
  auto r = ctrd::test::run_process({"/bin/sh", "-c",
                                    "printf 'JUNKJUNKJUNKJUNK' | dd of=" + log + " bs=1 seek=" +
                                        std::to_string(size - 24) + " conv=notrunc"});
  REQUIRE(r.code == 0);
  d.start();  // the old store: "Corruption: checksum mismatch", exit 1
  auto all = names(d);
  CHECK(all.count("a") == 1);
  CHECK(all.count("b") == 1);
  // Reconciled with the processes that exist: the running container is adopted.
  auto r_after = inspect(d, "r");
  CHECK(r_after["State"]["Status"] == "running");
  CHECK(r_after["State"]["Pid"] == pid);
  auto text = d.log();
  CHECK_THAT(text, Catch::Contains("STATE REPAIRED") && Catch::Contains("checksum mismatch") &&
                       Catch::Contains("state.corrupt-"));
  int copies = 0;
  for (auto& e : fs::directory_iterator(d.root()))
    copies += e.path().filename().string().rfind("state.corrupt-", 0) == 0;
  CHECK(copies == 1);
  // The repaired state takes new work and survives the next restart without repair.
  d.ok({"create", "--name", "after", "true"});
  REQUIRE(d.terminate() == 0);
  auto before = d.log().size();
  d.start();
  CHECK(names(d).count("after") == 1);
  CHECK(d.log().substr(before).find("STATE REPAIRED") == std::string::npos);
}

TEST_CASE("the log cap removes the oldest rotated files first and inspect counts them",
          "[state][log-cap]") {
  // `yes` output comes in chunks of up to ~1.4 MB of records (one pipe read of "y\n" lines).
  live_daemon d({{"--log-max-total", "8m"}});
  d.ok({"run", "-d", "--name", "big", "--log-opt", "max-size=1m", "--log-opt", "max-file=50",
        "yes"});
  auto j = ctrd::test::await_inspect(
      d, "big", [](const json& i) { return i["LogDropped"]["RotatedFiles"].get<uint64_t>() > 0; });
  CHECK(j["LogDropped"]["RotatedBytes"].get<uint64_t>() > 0);
  d.ok({"stop", "-t", "1", "big"});
  uint64_t total = 0;
  for (auto& e : fs::directory_iterator(fs::path(j["LogPath"].get<std::string>()).parent_path()))
    if (e.path().filename().string().rfind("ctr.log", 0) == 0) total += fs::file_size(e.path());
  CHECK(total <= 8000000);
  CHECK_THAT(d.log(), Catch::Contains("--log-max-total"));
  // The newest lines are still there: the oldest files went first.
  CHECK(d.ctl({"logs", "--tail", "1", "big"}).out == "y\n");
}

TEST_CASE("the state written by ctrd 0.1 opens with its containers", "[state][upgrade]") {
  ctrd::test::temp_dir tmp;
  fs::create_directories(tmp / "root");
  fs::copy(std::string(CTRD_SOURCE_DIR) + "/tests/data/state-v1", tmp / "root/state");
  ctrd::test::daemon_options o;
  o.root = tmp / "root";
  live_daemon d(o);
  CHECK(names(d) == std::set<std::string>{"fixture-web", "fixture-job", "fixture-svc"});
  auto web = inspect(d, "fixture-web");
  CHECK(web["Id"] == std::string(64, 'a'));
  CHECK(web["State"]["Status"] == "exited");
  CHECK(web["State"]["ExitCode"] == 3);
  CHECK(web["Config"]["Labels"]["tier"] == "front");
  CHECK(inspect(d, "fixture-job")["State"]["Status"] == "created");
  CHECK(inspect(d, "fixture-svc")["Dependencies"] == json::array({"fixture-web"}));
  d.ok({"start", "fixture-job"});
  CHECK(d.ok({"wait", "fixture-job"}) == "0");
  CHECK(d.log().find("STATE REPAIRED") == std::string::npos);
}

TEST_CASE("a state from a newer ctrd is refused with exit 1: upgrade ctrd", "[state][upgrade]") {
  live_daemon d;
  d.ok({"create", "--name", "kept", "true"});
  REQUIRE(d.terminate() == 0);
  auto set_schema = [&](const std::string& v) {
    leveldb::DB* raw = nullptr;
    REQUIRE(leveldb::DB::Open({}, d.root() + "/state", &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    REQUIRE(db->Put({}, "v1/meta/schema", v).ok());
  };
  set_schema("2");  // as a newer ctrd would leave it
  auto r = ctrd::test::run_process(
      {CTRD_BIN, "--root", d.root(), "--socket", d.socket(), "--config-dir", ""}, "",
      std::chrono::seconds(10));
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("schema version 2") && Catch::Contains("upgrade ctrd"));
  // Nothing was changed: the state opens again where it is understood.
  set_schema("1");
  d.start();
  CHECK(names(d) == std::set<std::string>{"kept"});
}

namespace {

/// Sends `hello` with `params` on a fresh connection and returns the decoded response.
ctrd::rpc_message hello(const live_daemon& d, const json& params) {
  int fd = ctrd::test::connect_unix(d.socket());
  REQUIRE(fd >= 0);
  ctrd::test::write_all(fd, ctrd::encode_request(1, "hello", params));
  std::string body;
  REQUIRE(ctrd::test::read_frame(fd, body));
  ::close(fd);
  return ctrd::decode_rpc(body);
}

/// A one-shot fake daemon on `path`: answers the first frame with `reply(msgid)`.
class fake_daemon {
 public:
  fake_daemon(const std::string& path, std::function<std::string(uint32_t)> reply) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 4) == 0);
    thread_ = std::thread([this, reply] {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string body;
      if (ctrd::test::read_frame(c, body)) {
        auto m = ctrd::decode_rpc(body);
        ctrd::test::write_all(c, reply(m.msgid));
      }
      ::shutdown(c, SHUT_RDWR);
      ::close(c);
    });
  }
  ~fake_daemon() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }

 private:
  int fd_ = -1;
  std::thread thread_;
};

}  // namespace

TEST_CASE("handshake: ctrd agrees on a common protocol or names which program to upgrade",
          "[protocol][upgrade]") {
  live_daemon d;
  auto old = hello(d, {{"version", 1}, {"client", "ctrctl"}});  // ctrctl 0.1
  REQUIRE(old.error.is_null());
  CHECK(old.result["version"] == 1);
  CHECK(old.result["min_version"] == ctrd::min_protocol_version);
  CHECK(old.result["max_version"] == ctrd::protocol_version);
  // A newer client that still speaks this ctrd's version works with it.
  auto newer = hello(d, {{"version", 1}, {"max_version", ctrd::protocol_version + 1}});
  REQUIRE(newer.error.is_null());
  CHECK(newer.result["version"] == ctrd::protocol_version);
  auto future = hello(d, {{"version", ctrd::protocol_version + 1},
                          {"max_version", ctrd::protocol_version + 2},
                          {"client", "ctrctl"}});
  REQUIRE(future.error.is_object());
  CHECK(future.error["code"] == static_cast<int>(ctrd::ec::protocol));
  CHECK_THAT(future.error["message"].get<std::string>(), Catch::EndsWith(": upgrade ctrd"));
  auto ancient = hello(d, {{"version", 0}, {"client", "ctrctl"}});
  CHECK(ancient.error["message"] == "ctrctl speaks protocol 0, ctrd speaks " +
                                        std::to_string(ctrd::protocol_version) +
                                        ": upgrade ctrctl");
  // ctrctl itself.
  CHECK(d.ctl({"ps"}).code == 0);
}

TEST_CASE("ctrctl facing a ctrd of another protocol says which to upgrade", "[protocol][upgrade]") {
  ctrd::test::temp_dir tmp;
  auto sock = tmp / "fake.sock";
  auto ctl = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv = {CTRCTL_BIN, "--socket", sock};
    argv.insert(argv.end(), args.begin(), args.end());
    return ctrd::test::run_process(argv, "", std::chrono::seconds(10));
  };
  SECTION("a ctrd 0.1 that speaks only a newer protocol") {
    fake_daemon f(sock, [](uint32_t id) {
      return ctrd::encode_error(id, ctrd::ec::protocol,
                                "protocol version mismatch: client speaks 1, ctrd speaks " +
                                    std::to_string(ctrd::protocol_version + 1));
    });
    auto r = ctl({"ps"});
    CHECK(r.code == 125);
    CHECK_THAT(r.err, Catch::Contains(": upgrade ctrctl"));
  }
  SECTION("a ctrd that agrees on a version this ctrctl does not speak") {
    int v = ctrd::protocol_version + 3;
    fake_daemon f(sock, [v](uint32_t id) {
      return ctrd::encode_result(id, json{{"version", v}, {"min_version", v}, {"max_version", v}});
    });
    auto r = ctl({"ps"});
    CHECK(r.code == 125);
    CHECK_THAT(r.err, Catch::Contains("ctrd speaks " + std::to_string(v) + ": upgrade ctrctl"));
  }
  fs::remove(sock);
}

}  // namespace state_fault_test
