// The levers an embedded image uses against flash wear (issue 16): --log-driver none and
// journald per container, --log-dir for ctrd. Real ctrd and ctrctl; the journal is a
// datagram socket of the test's own (ctrd's $CTRD_JOURNAL_SOCKET).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tmpfs_mount.hpp"

namespace log_driver_test {

using ctrd::test::await_inspect;
using ctrd::test::inspect;
using ctrd::test::live_daemon;
using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

bool exited(const json& j) {
  return j["State"]["Status"] == "exited";
}

/// A bound datagram socket standing in for journald's.
struct fake_journal {
  int fd = -1;
  explicit fake_journal(const std::string& path) {
    fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    REQUIRE(path.size() < sizeof a.sun_path);
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~fake_journal() { ::close(fd); }
  /// The next entry's fields (only "KEY=value" lines: ctrd's lines hold no newline).
  std::map<std::string, std::string> next() {
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    REQUIRE(n > 0);
    std::map<std::string, std::string> out;
    std::string text(buf, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
      auto line = text.substr(start, nl - start);
      auto eq = line.find('=');
      if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
      start = nl + 1;
    }
    return out;
  }
};

/// A ctrd whose --log-dir is a 4 MiB tmpfs of its own (a device's log partition); no daemon
/// when the tmpfs cannot be mounted (`mount.why` says why).
struct log_tmpfs_daemon {
  ctrd::test::temp_dir dir;
  ctrd::test::tmpfs_mount mount{dir / "logs", "4m"};
  std::optional<live_daemon> daemon;
  log_tmpfs_daemon() {
    if (!mount.mounted) return;
    ctrd::test::daemon_options o;
    o.args = {"--log-dir", mount.path};
    daemon.emplace(o);
  }
};

}  // namespace

TEST_CASE("log driver none keeps no log and logs says so as podman does", "[log_driver]") {
  live_daemon d;
  // An attached run still shows the output: only the log is not kept.
  auto r = d.ctl({"run", "--name", "quiet", "--log-driver", "none", "sh", "-c", "echo shown"});
  REQUIRE(r.code == 0);
  CHECK(r.out == "shown\n");
  auto j = inspect(d, "quiet");
  CHECK(j["HostConfig"]["LogConfig"]["Type"] == "none");
  CHECK(j["LogPath"] == "");
  CHECK_FALSE(fs::exists(d.root() + "/containers/" + j["Id"].get<std::string>() + "/ctr.log"));
  auto logs = d.ctl({"logs", "quiet"});
  CHECK(logs.code == 125);
  CHECK(logs.err.find("'none' log driver, cannot read logs") != std::string::npos);
  // A bad driver is refused by name.
  auto bad = d.ctl({"create", "--log-driver", "syslog", "true"});
  CHECK(bad.code != 0);
  CHECK(bad.err.find("syslog") != std::string::npos);
}

TEST_CASE("log driver journald sends one entry per line with podman's fields", "[log_driver]") {
  ctrd::test::temp_dir t;
  fake_journal journal(t / "journal.sock");
  ctrd::test::daemon_options o;
  o.env = {"CTRD_JOURNAL_SOCKET=" + (t / "journal.sock")};
  live_daemon d(o);
  d.ok({"run", "-d", "--name", "jd", "--log-driver", "journald", "sh", "-c",
        "echo out; echo err >&2; printf part"});
  std::vector<std::map<std::string, std::string>> entries;
  for (int i = 0; i < 3; ++i) entries.push_back(journal.next());
  auto j = await_inspect(d, "jd", exited);
  auto id = j["Id"].get<std::string>();
  std::map<std::string, std::map<std::string, std::string>> by_message;
  for (auto& e : entries) by_message[e["MESSAGE"]] = e;
  REQUIRE(by_message.count("out") == 1);
  REQUIRE(by_message.count("err") == 1);
  REQUIRE(by_message.count("part") == 1);
  CHECK(by_message["out"]["PRIORITY"] == "6");
  CHECK(by_message["err"]["PRIORITY"] == "3");
  CHECK(by_message["part"]["CONTAINER_PARTIAL_MESSAGE"] == "true");
  CHECK(by_message["out"]["CONTAINER_NAME"] == "jd");
  CHECK(by_message["out"]["SYSLOG_IDENTIFIER"] == "jd");
  CHECK(by_message["out"]["CONTAINER_ID_FULL"] == id);
  CHECK(by_message["out"]["CONTAINER_ID"] == id.substr(0, 12));
  CHECK(j["HostConfig"]["LogConfig"]["Type"] == "journald");
  CHECK_FALSE(fs::exists(d.root() + "/containers/" + id + "/ctr.log"));
}

TEST_CASE("log driver journald without a journal drops the output and the container runs",
          "[log_driver]") {
  ctrd::test::temp_dir t;
  ctrd::test::daemon_options o;
  o.env = {"CTRD_JOURNAL_SOCKET=" + (t / "absent.sock")};
  live_daemon d(o);
  auto r = d.ctl({"run", "--name", "nj", "--log-driver", "journald", "sh", "-c", "echo hi"});
  CHECK(r.code == 0);
  CHECK(r.out == "hi\n");  // the attached client still gets it
  CHECK(d.log().find("cannot send its output to the journal") != std::string::npos);
  CHECK(inspect(d, "nj")["LogDropped"]["WriteErrors"] == 1);  // the entry it could not send
}

TEST_CASE("log dir holds the container logs and the event log outside the state root",
          "[log_driver]") {
  ctrd::test::temp_dir t;
  ctrd::test::daemon_options o;
  auto logs_dir = t / "logs";
  o.args = {"--log-dir", logs_dir};
  live_daemon d(o);
  d.ok({"run", "--name", "lg", "sh", "-c", "echo to-the-log-dir"});
  auto id = inspect(d, "lg")["Id"].get<std::string>();
  CHECK(fs::exists(logs_dir + "/" + id + "/ctr.log"));
  CHECK(fs::exists(logs_dir + "/events.log"));
  CHECK_FALSE(fs::exists(d.root() + "/containers/" + id + "/ctr.log"));
  CHECK_FALSE(fs::exists(d.root() + "/events.log"));
  CHECK(d.ok({"logs", "lg"}) == "to-the-log-dir");
  CHECK(inspect(d, "lg")["LogPath"] == logs_dir + "/" + id + "/ctr.log");
  // A tmpfs log dir after a reboot: empty. ctrd starts and the next run logs again.
  REQUIRE(d.terminate() == 0);
  fs::remove_all(logs_dir);
  d.start();
  d.ok({"start", "-a", "lg"});
  CHECK(d.ok({"logs", "lg"}) == "to-the-log-dir");
  d.ok({"rm", "lg"});
  CHECK_FALSE(fs::exists(logs_dir + "/" + id));
  CHECK(fs::exists(logs_dir + "/events.log"));
}

// A --log-dir of its own (a small tmpfs on a device), with ctrd's defaults: no reserve
// there (the state is elsewhere), a cap of a quarter of it that removes the oldest rotated
// files (a log rotates at half the cap at the latest); filled to the last byte by something
// else, ctrd still answers and keeps every state change; once room is made, logs are
// written again. (Files removed by hand: disk_space_test.cpp.)
TEST_CASE("a full log dir drops and counts log writes, while state and answers go on",
          "[log_driver][full-disk]") {
  log_tmpfs_daemon f;
  if (!f.daemon) {
    WARN("skipped: cannot mount a tmpfs (" << f.mount.why << "); needs root");
    return;
  }
  auto& d = *f.daemon;
  const auto& m = f.mount;
  d.ok({"run", "--name", "first", "sh", "-c", "echo hello"});
  CHECK(d.ok({"logs", "first"}) == "hello");
  d.ok({"run", "-d", "--name", "chatty", "yes"});
  auto j = await_inspect(d, "chatty", [](const json& i) {
    return i["LogDropped"]["RotatedFiles"].get<uint64_t>() > 2;  // the cap at work
  });
  CHECK(j["LogDropped"]["Writes"] == 0);  // slices of records, none larger than the cap
  CHECK(j["State"]["Status"] == "running");
  CHECK(fs::space(m.path).available > (1u << 20));  // the cap kept room
  CHECK(d.ok({"logs", "--tail", "1", "chatty"}) == "y");
  // Something else takes the rest.
  ctrd::test::run_process({"/bin/dd", "if=/dev/zero", "of=" + m.path + "/filler", "bs=4k"});
  ctrd::test::run_process({"/bin/dd", "if=/dev/zero", "of=" + m.path + "/filler", "bs=1",
                           "oflag=append", "conv=notrunc"});
  CHECK(fs::space(m.path).available < (256u << 10));             // the cap may still free a file
  d.ok({"run", "--name", "quiet", "sh", "-c", "echo unheard"});  // runs; its log has no room
  CHECK(inspect(d, "quiet")["State"]["ExitCode"] == 0);
  d.ok({"create", "--name", "kept", "sleep", "1000"});
  CHECK(inspect(d, "chatty")["State"]["Status"] == "running");
  // Room again: the chatty container goes, the filler too; a new run is logged.
  d.ok({"rm", "-f", "chatty", "quiet"});
  fs::remove(m.path + "/filler");
  d.ok({"run", "--name", "heard", "sh", "-c", "echo heard"});
  CHECK(d.ok({"logs", "heard"}) == "heard");
  REQUIRE(d.terminate() == 0);
  d.start();
  auto names = d.ok({"ps", "-a", "--format", "{{.Names}}"});
  CHECK(names.find("kept") != std::string::npos);
  CHECK(names.find("heard") != std::string::npos);
  CHECK(names.find("chatty") == std::string::npos);
}

// A --log-dir that turns read-only (a flash partition the kernel remounted after errors):
// containers still run and ctrd says why their logs are missing.
TEST_CASE("a read-only log dir names the cause, and containers still run",
          "[log_driver][full-disk]") {
  log_tmpfs_daemon f;
  if (!f.daemon) {
    WARN("skipped: cannot mount a tmpfs (" << f.mount.why << "); needs root");
    return;
  }
  auto& d = *f.daemon;
  const auto& m = f.mount;
  REQUIRE(ctrd::test::run_process({"/bin/mount", "-o", "remount,ro", m.path}).code == 0);
  d.ok({"run", "--name", "unlogged", "sh", "-c", "echo lost"});
  CHECK(inspect(d, "unlogged")["State"]["ExitCode"] == 0);
  CHECK(d.log().find("cannot make its log directory " + m.path) != std::string::npos);
  CHECK(d.log().find("Read-only file system") != std::string::npos);
  CHECK(d.ok({"ps", "-a", "--format", "{{.Names}}"}) == "unlogged");
  REQUIRE(ctrd::test::run_process({"/bin/mount", "-o", "remount,rw", m.path}).code == 0);
}

// With --log-dir on a file system of its own, the state's reserve still guards --root.
TEST_CASE("a full root refuses creates even when the logs live elsewhere",
          "[log_driver][full-disk]") {
  ctrd::test::temp_dir t;
  ctrd::test::tmpfs_mount root(t / "root", "4m"), logs(t / "logs", "4m");
  if (!root.mounted || !logs.mounted) {
    WARN("skipped: cannot mount a tmpfs (" << root.why << logs.why << "); needs root");
    return;
  }
  ctrd::test::daemon_options o;
  o.root = root.path + "/state";
  o.args = {"--log-dir", logs.path};
  live_daemon d(o);
  d.ok({"create", "--name", "before", "sleep", "1000"});
  ctrd::test::run_process({"/bin/dd", "if=/dev/zero", "of=" + root.path + "/filler", "bs=4k"});
  auto r = d.ctl({"create", "--name", "after", "sleep", "1000"});
  CHECK(r.code == 125);
  CHECK_THAT(r.err, Catch::Contains("no space left on " + o.root));
  fs::remove(root.path + "/filler");
  d.ok({"create", "--name", "after", "sleep", "1000"});
}

TEST_CASE("log target kmsg sends ctrd's own log to the kernel's ring buffer", "[log_driver]") {
  int fd = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 || ::access("/dev/kmsg", W_OK) != 0) {
    WARN("skipped: /dev/kmsg cannot be read and written here (" << std::strerror(errno) << ")");
    if (fd >= 0) ::close(fd);
    return;
  }
  ::lseek(fd, 0, SEEK_END);  // only records from now on
  ctrd::test::daemon_options o;
  o.args = {"--log-target", "kmsg"};
  live_daemon d(o);
  // The daemon names its root when it starts ("file system of ROOT: ..."); the holder's
  // lines and the daemon's both arrive as kernel records.
  bool seen = false;
  char rec[8192];
  for (int i = 0; i < 200 && !seen; ++i) {
    ssize_t n = ::read(fd, rec, sizeof rec);
    if (n > 0)
      seen = std::string(rec, static_cast<std::size_t>(n)).find(d.root()) != std::string::npos;
    else if (n < 0 && errno == EAGAIN)
      std::this_thread::sleep_for(20ms);
  }
  ::close(fd);
  CHECK(seen);
  CHECK(d.log().find(d.root()) == std::string::npos);  // not on its stderr any more
  auto bad = ctrd::test::run_process({CTRD_BIN, "--log-target", "syslog", "--version"});
  CHECK(bad.code != 0);
}

}  // namespace log_driver_test
