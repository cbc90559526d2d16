// ctrd under systemd, and a client that never hangs (issue 10, section 6). This machine's
// PID 1 is not systemd: the notification protocol is checked with a NOTIFY_SOCKET of the
// test's own (a unix datagram socket it binds), the unit file with `systemd-analyze verify`.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/daemon.hpp"

namespace systemd_test {

using ctrd::test::daemon_options;
using ctrd::test::live_daemon;
using ctrd::test::proc_result;
using ctrd::test::run_process;
using ctrd::test::temp_dir;
using json = nlohmann::json;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

/// A datagram socket standing in for systemd's notification socket.
class notify_socket {
 public:
  notify_socket() {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~notify_socket() { ::close(fd_); }
  const std::string& path() const { return path_; }

  /// The next datagram within `limit`, or "" (timeout).
  std::string next(std::chrono::milliseconds limit) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(limit.count())) <= 0) return {};
    char buf[4096];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }

  /// Waits up to `limit` for a datagram containing `what`; false on timeout.
  bool await(const std::string& what, std::chrono::milliseconds limit) {
    auto end = steady::now() + limit;
    while (steady::now() < end) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - steady::now());
      auto d = next(left);
      if (d.find(what) != std::string::npos) return true;
    }
    return false;
  }

  /// Datagrams containing `what` received within `span`.
  int count(const std::string& what, std::chrono::milliseconds span) {
    int n = 0;
    auto end = steady::now() + span;
    while (steady::now() < end) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - steady::now());
      if (next(left).find(what) != std::string::npos) ++n;
    }
    return n;
  }

 private:
  temp_dir dir_;
  std::string path_ = dir_ / "notify";
  int fd_ = -1;
};

/// ctrd with $NOTIFY_SOCKET and a 1 s watchdog (a self-check and a ping every 500 ms).
daemon_options notified(const notify_socket& n, const std::string& root = "") {
  daemon_options o;
  o.env = {"NOTIFY_SOCKET=" + n.path(), "WATCHDOG_USEC=1000000"};
  o.root = root;
  return o;
}

bool tool_exists(const std::string& path) {
  if (::access(path.c_str(), X_OK) == 0) return true;
  WARN("skipped: " << path << " is missing");
  return false;
}

/// A small ext4 file system on a loop device: `fsfreeze` wedges every write to it.
class frozen_fs {
 public:
  bool mount() {
    if (::geteuid() != 0) {
      WARN("skipped: needs root (loop mount, fsfreeze)");
      return false;
    }
    for (auto t : {"/usr/sbin/mkfs.ext4", "/usr/sbin/fsfreeze", "/usr/bin/mount"})
      if (!tool_exists(t)) return false;
    std::filesystem::create_directories(mnt_);
    { std::ofstream(image_).close(); }
    std::filesystem::resize_file(image_, 64u << 20);
    if (run_process({"/usr/sbin/mkfs.ext4", "-q", "-F", image_}).code != 0) {
      WARN("skipped: mkfs.ext4 failed");
      return false;
    }
    auto r = run_process({"/usr/bin/mount", "-o", "loop", image_, mnt_});
    if (r.code != 0) {
      WARN("skipped: cannot loop-mount an ext4 image: " << r.err);
      return false;
    }
    mounted_ = true;
    return true;
  }
  bool freeze(bool on) {
    frozen_ = on;
    return run_process({"/usr/sbin/fsfreeze", on ? "-f" : "-u", mnt_}).code == 0;
  }
  ~frozen_fs() {
    if (frozen_) freeze(false);
    if (mounted_) run_process({"/usr/bin/umount", "-l", mnt_});
  }
  std::string root() const { return mnt_ + "/root"; }

 private:
  temp_dir dir_;
  std::string image_ = dir_ / "fs.img";
  std::string mnt_ = dir_ / "mnt";
  bool mounted_ = false;
  bool frozen_ = false;
};

}  // namespace

TEST_CASE(
    "sd_notify: READY=1 once the socket serves, WATCHDOG=1 every half WATCHDOG_USEC, "
    "STOPPING=1 at SIGTERM",
    "[systemd]") {
  notify_socket n;
  live_daemon d(notified(n));
  auto ready = n.next(5000ms);
  CHECK(ready.find("READY=1") != std::string::npos);  // the first thing ctrd says
  CHECK(ready.find("STATUS=serving " + d.socket()) != std::string::npos);
  // Pings every ~500 ms: 4 within 2 s (2 to 5 on a loaded machine, whose self-checks may
  // exceed their 250 ms budget now and then).
  int pings = n.count("WATCHDOG=1", 2000ms);
  CHECK(pings >= 2);
  CHECK(pings <= 5);
  // Containers do not inherit the service manager's variables.
  auto env = d.ok({"run", "--rm", "sh", "-c", "echo \"[${NOTIFY_SOCKET-}][${WATCHDOG_USEC-}]\""});
  CHECK(env == "[][]");
  // A stopped ctrd sends nothing; after SIGCONT the pings come back.
  REQUIRE(::kill(d.pid(), SIGSTOP) == 0);
  n.count("WATCHDOG=1", 100ms);  // drain what was sent just before the stop
  CHECK(n.count("WATCHDOG=1", 1500ms) == 0);
  REQUIRE(::kill(d.pid(), SIGCONT) == 0);
  CHECK(n.await("WATCHDOG=1", 2000ms));
  CHECK(d.terminate() == 0);
  CHECK(n.await("STOPPING=1", 2000ms));
}

TEST_CASE("a wedged store stops the watchdog pings until it works again", "[systemd]") {
  frozen_fs fs;
  if (!fs.mount()) return;
  notify_socket n;
  live_daemon d(notified(n, fs.root()));
  REQUIRE(n.await("READY=1", 5000ms));
  REQUIRE(n.await("WATCHDOG=1", 2000ms));
  // Every write to ctrd's state now blocks: the store's commit of this create hangs, while
  // the socket, the sessions and the supervisor go on answering.
  REQUIRE(fs.freeze(true));
  auto t0 = steady::now();
  auto create = d.ctl({"--timeout", "1s", "create", "--name", "stuck", "sleep", "100"});
  CHECK(create.code == 125);  // the create is never acknowledged while the store hangs
  CHECK(create.err.find("did not answer within 1s") != std::string::npos);
  CHECK(steady::now() - t0 < 5s);
  n.count("WATCHDOG=1", 600ms);  // the check that was under way
  CHECK(n.count("WATCHDOG=1", 1500ms) == 0);
  CHECK(d.ctl({"--timeout", "2s", "version"}).code == 0);  // the control plane itself is fine
  CHECK(d.log().find("watchdog: self-check failed") != std::string::npos);
  CHECK(d.log().find("the store did not answer") != std::string::npos);
  REQUIRE(fs.freeze(false));
  CHECK(n.await("WATCHDOG=1", 3000ms));
  CHECK(d.log().find("watchdog: the self-check passes again") != std::string::npos);
}

TEST_CASE("ctrctl ends with 125 and a clear error when ctrd does not answer", "[systemd]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "nap", "sleep", "100"});
  const pid_t daemon = d.ctrd_pid();  // the daemon serves the socket (not its holder)
  REQUIRE(::kill(daemon, SIGSTOP) == 0);
  struct resume {
    pid_t pid;
    ~resume() { ::kill(pid, SIGCONT); }
  } resume_on_exit{daemon};
  const std::string msg = "ctrd at " + d.socket() + " did not answer within 1s";
  // A verb that answers at once, then a verb that waits by design: the handshake is bounded.
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--timeout", "1s", "ps"},
                                             {"inspect", "nap", "--timeout=1s"},
                                             {"--timeout", "1s", "wait", "nap"}}) {
    INFO(args[0] << " " << args[1] << " " << args[2]);
    auto t0 = steady::now();
    auto r = d.ctl(args);
    CHECK(r.code == 125);
    CHECK(r.err.find(msg) != std::string::npos);
    CHECK(steady::now() - t0 < 4s);
  }
  // The environment variable sets it too.
  ::setenv("CTRCTL_TIMEOUT", "1s", 1);
  auto r = d.ctl({"ps", "-a"});
  ::unsetenv("CTRCTL_TIMEOUT");
  CHECK(r.code == 125);
  CHECK(r.err.find(msg) != std::string::npos);
  // A full listen backlog: connect itself is bounded.
  std::vector<int> held;
  for (int i = 0; i < 2000; ++i) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, d.socket().c_str(), sizeof a.sun_path - 1);
    int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    held.push_back(fd);
    if (rc != 0) break;  // EAGAIN: the backlog is full
  }
  auto t0 = steady::now();
  r = d.ctl({"--timeout", "1s", "version"});
  CHECK(r.code == 125);
  CHECK(r.err.find(msg) != std::string::npos);
  CHECK(steady::now() - t0 < 4s);
  for (int fd : held) ::close(fd);
  // Malformed values are usage errors naming their source.
  auto bad = d.ctl({"--timeout", "soon", "ps"});
  CHECK(bad.code == 125);
  CHECK(bad.err.find("--timeout") != std::string::npos);
  // Awake again: a waiting verb waits past the timeout, as long as its semantics say.
  ::kill(daemon, SIGCONT);
  d.ok({"run", "-d", "--name", "nap2", "sleep", "2"});
  t0 = steady::now();
  auto w = d.ctl({"--timeout", "1s", "wait", "nap2"});
  CHECK(w.code == 0);
  CHECK(ctrd::test::trim(w.out) == "0");
  CHECK(steady::now() - t0 >= 1500ms);
  CHECK(d.ctl({"--timeout", "1s", "ps"}).code == 0);
}

TEST_CASE("the shipped ctrd.service passes systemd-analyze verify", "[systemd]") {
  const std::string analyze = "/usr/bin/systemd-analyze";
  if (!tool_exists(analyze)) return;
  std::ifstream in(std::string(CTRD_SOURCE_DIR) + "/config/systemd/ctrd.service");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string unit = ss.str();
  for (const char* want :
       {"Type=notify\n", "NotifyAccess=main\n", "WatchdogSec=", "KillMode=process\n",
        "Delegate=yes\n", "ExecStart=/usr/local/bin/ctrd\n"})
    CHECK(unit.find(want) != std::string::npos);
  for (const char* hiding : {"PrivateTmp", "ProtectSystem", "ProtectHome", "TemporaryFileSystem",
                             "InaccessiblePaths", "PrivateMounts"})
    CHECK(unit.find(std::string("\n") + hiding + "=") == std::string::npos);
  // verify checks that ExecStart exists: point it at the binary under test.
  auto at = unit.find("/usr/local/bin/ctrd");
  unit.replace(at, std::strlen("/usr/local/bin/ctrd"), CTRD_BIN);
  temp_dir dir;
  std::ofstream(dir / "ctrd.service") << unit;
  auto r = run_process({analyze, "verify", dir / "ctrd.service"});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
}

}  // namespace systemd_test
