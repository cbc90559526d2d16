// The hardware watchdog (--watchdog-device, holder/hw_watchdog.hpp): the holder pets the
// device each time the daemon's self-check passes. A FIFO the test reads stands in for the
// device (each byte is a pet, 'V' the magic close); the kernel's softdog is used when the
// machine has it (with a long timeout and the magic close at the end: it never fires).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/support/daemon.hpp"
#include "tests/support/rpc_client.hpp"

namespace watchdog_test {

using ctrd::test::daemon_options;
using ctrd::test::live_daemon;
using ctrd::test::run_process;
using ctrd::test::temp_dir;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

/// A FIFO standing in for /dev/watchdog, opened for reading before ctrd opens it.
class fake_device {
 public:
  fake_device() {
    REQUIRE(::mkfifo(path_.c_str(), 0600) == 0);
    fd_ = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    REQUIRE(fd_ >= 0);
  }
  ~fake_device() { ::close(fd_); }
  const std::string& path() const { return path_; }

  /// Every byte written within `span` (pets, and a 'V' at the magic close).
  std::string read_for(std::chrono::milliseconds span) {
    std::string out;
    auto end = steady::now() + span;
    for (;;) {
      char buf[256];
      ssize_t n;
      while ((n = ::read(fd_, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - steady::now());
      if (left.count() <= 0) return out;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) > 0 && (p.revents & POLLIN) == 0)
        std::this_thread::sleep_for(std::min(left, 50ms));  // POLLHUP: no writer now
    }
  }

 private:
  temp_dir dir_;
  std::string path_ = dir_ / "watchdog";
  int fd_ = -1;
};

daemon_options with_device(const std::string& path, const std::string& timeout) {
  daemon_options o;
  o.args = {"--watchdog-device", path, "--watchdog-timeout", timeout};
  return o;
}

}  // namespace

TEST_CASE("watchdog: pets follow the self-check and stop while the daemon is stopped",
          "[watchdog]") {
  fake_device dev;
  live_daemon d(with_device(dev.path(), "2"));  // a self-check every second
  auto first = dev.read_for(3500ms);
  INFO("ctrd's log:\n" << d.log());
  CHECK(first.size() >= 2);
  CHECK(first.find('V') == std::string::npos);
  CHECK(d.log().find("watchdog " + dev.path() + " armed") != std::string::npos);
  // A FIFO refuses WDIOC_SETTIMEOUT and reports no timeout: a warning, and the pets go on
  // for the asked one.
  CHECK(d.log().find("refused WDIOC_SETTIMEOUT") != std::string::npos);
  CHECK(d.log().find("reports no timeout either") != std::string::npos);

  // A hung daemon (stopped: no self-check passes): the pets stop at once.
  const pid_t daemon = d.ctrd_pid();
  REQUIRE(daemon != d.holder_pid());
  REQUIRE(::kill(daemon, SIGSTOP) == 0);
  dev.read_for(1500ms);  // a pet already on its way
  auto hung = dev.read_for(3000ms);
  REQUIRE(::kill(daemon, SIGCONT) == 0);
  CHECK(hung.empty());
  // Running again: the pets resume.
  auto resumed = dev.read_for(3000ms);
  CHECK(resumed.size() >= 1);

  // A clean shutdown ends with the magic close: 'V' is the last byte.
  CHECK(d.terminate() == 0);
  auto last = dev.read_for(500ms);
  REQUIRE_FALSE(last.empty());
  CHECK(last.back() == 'V');
  CHECK(d.log().find("disarmed") != std::string::npos);
}

TEST_CASE("watchdog: ctrd --init as PID 1 pets the device and disarms it at the end",
          "[watchdog]") {
  if (!ctrd::test::pid_namespaces_usable()) return;
  fake_device dev;
  auto o = with_device(dev.path(), "2");
  o.args.push_back("--init");
  o.wrapper = {"/usr/bin/unshare", "--pid", "--fork", "--mount-proc"};
  live_daemon d(o);
  auto pets = dev.read_for(3000ms);
  INFO("ctrd's log:\n" << d.log());
  CHECK(pets.size() >= 2);
  const pid_t daemon = d.ctrd_pid();
  REQUIRE(::kill(daemon, SIGSTOP) == 0);
  dev.read_for(1500ms);
  auto hung = dev.read_for(2500ms);
  REQUIRE(::kill(daemon, SIGCONT) == 0);
  CHECK(hung.empty());
  CHECK(dev.read_for(3000ms).size() >= 1);
  CHECK(d.terminate() == 0);
  auto last = dev.read_for(500ms);
  REQUIRE_FALSE(last.empty());
  CHECK(last.back() == 'V');
}

TEST_CASE("watchdog: a crashed daemon is started again and the pets resume", "[watchdog]") {
  fake_device dev;
  live_daemon d(with_device(dev.path(), "2"));
  CHECK(dev.read_for(2500ms).size() >= 1);
  d.kill9_daemon();
  // The new daemon's first passing self-check pets the device again (its pets are the
  // proof that it serves: no client is needed).
  auto after = dev.read_for(6000ms);
  INFO("ctrd's log:\n" << d.log());
  CHECK(after.size() >= 2);
  CHECK(after.find('V') == std::string::npos);  // the device stayed armed throughout
  CHECK(d.log().find("started the daemon again") != std::string::npos);
}

TEST_CASE("watchdog: daemon-reexec keeps the device open and armed", "[watchdog]") {
  fake_device dev;
  live_daemon d(with_device(dev.path(), "2"));
  const pid_t holder = d.holder_pid();
  CHECK(dev.read_for(2500ms).size() >= 1);
  {
    ctrd::test::rpc_client c(d.socket());  // what `ctrctl daemon-reexec` sends
    REQUIRE(c.hello());
    auto r = c.call(2, "daemon_reexec", nlohmann::json::object(), 10s);
    REQUIRE(r);
    CHECK(r->error.is_null());
  }
  dev.read_for(500ms);  // pets of the daemon that leaves
  CHECK(d.holder_pid() == holder);
  auto after = dev.read_for(5000ms);
  INFO("ctrd's log:\n" << d.log());
  CHECK(after.size() >= 1);
  CHECK(after.find('V') == std::string::npos);  // never closed (the FIFO would show the V)
  // The re-executed holder adopted the descriptor: it did not open the device again.
  auto log = d.log();
  auto first = log.find(" armed ");
  REQUIRE(first != std::string::npos);
  CHECK(log.find(" armed ", first + 1) == std::string::npos);
  CHECK(d.terminate() == 0);
  auto last = dev.read_for(500ms);
  REQUIRE_FALSE(last.empty());
  CHECK(last.back() == 'V');
}

TEST_CASE("watchdog: a device that cannot be opened stops ctrd at start", "[watchdog]") {
  temp_dir dir;
  auto missing = dir / "no-watchdog";
  auto r = run_process({CTRD_BIN, "--root", dir / "root", "--socket", dir / "sock", "--config-dir",
                        "", "--watchdog-device", missing},
                       "", 20s);
  CHECK(r.code != 0);
  CHECK(r.err.find("cannot open the watchdog device " + missing) != std::string::npos);
  CHECK(r.err.find("No such file or directory") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "sock"));
}

TEST_CASE("watchdog: the daemon checks the flags and lists them in its help", "[watchdog]") {
  temp_dir dir;
  auto help = run_process({CTRD_BIN, "--help"}, "", 20s);
  CHECK(help.code == 0);
  CHECK(help.out.find("--watchdog-device") != std::string::npos);
  CHECK(help.out.find("--watchdog-timeout") != std::string::npos);
  auto bad = run_process({CTRD_BIN, "--root", dir / "root", "--socket", dir / "sock",
                          "--watchdog-device", dir / "w", "--watchdog-timeout", "0"},
                         "", 20s);
  CHECK(bad.code == 2);
  CHECK(bad.err.find("--watchdog-timeout") != std::string::npos);
  // The daemon alone (without its holder) accepts them too, and checks the timeout.
  auto daemon = std::filesystem::path(CTRD_BIN).parent_path() / "ctrd-daemon";
  auto dbad = run_process(
      {daemon.string(), "--watchdog-device", dir / "w", "--watchdog-timeout", "100000"}, "", 20s);
  CHECK(dbad.code == 2);
  auto alone = run_process({daemon.string(), "--watchdog-timeout", "5"}, "", 20s);
  CHECK(alone.code == 2);
}

TEST_CASE("watchdog: the kernel's softdog is armed and disarmed", "[watchdog]") {
  if (::geteuid() != 0) {
    WARN("skipped: not root (softdog needs /dev/watchdog)");
    return;
  }
  // Only the software watchdog, never a real one of this machine, and only when it can be
  // disarmed (nowayout=0).
  auto sysfs = [](const std::string& f) {
    std::ifstream in(f);
    std::string s;
    std::getline(in, s);
    return s;
  };
  if (sysfs("/sys/module/softdog/parameters/nowayout").empty())
    run_process({"/bin/sh", "-c", "modprobe softdog soft_noboot=1 2>&1"}, "", 20s);
  std::string dev;
  for (int i = 0; i < 4 && dev.empty(); ++i) {
    auto base = "/sys/class/watchdog/watchdog" + std::to_string(i);
    if (sysfs(base + "/identity") == "Software Watchdog") dev = "/dev/watchdog" + std::to_string(i);
  }
  if (dev.empty() || !std::filesystem::exists(dev)) {
    WARN("skipped: the softdog module is not available here (modprobe softdog failed)");
    return;
  }
  if (sysfs("/sys/module/softdog/parameters/nowayout") != "0") {
    WARN("skipped: softdog is loaded with nowayout: it could not be disarmed");
    return;
  }
  auto sys_state = "/sys/class/watchdog/" + std::filesystem::path(dev).filename().string();
  if (sysfs(sys_state + "/state") == "active") {
    WARN("skipped: " + dev + " is already in use");
    return;
  }
  {
    live_daemon d(with_device(dev, "600"));
    std::this_thread::sleep_for(1500ms);
    INFO("ctrd's log:\n" << d.log());
    CHECK(sysfs(sys_state + "/state") == "active");
    CHECK(sysfs(sys_state + "/timeout") == "600");
    CHECK(d.log().find("refused") == std::string::npos);
    CHECK(d.terminate() == 0);
  }
  CHECK(sysfs(sys_state + "/state") == "inactive");
  {
    // Over softdog's maximum (65535 s): refused, and the device's own timeout (600 s,
    // kept from above) sets the pace, not the asked day.
    live_daemon d(with_device(dev, "86400"));
    std::this_thread::sleep_for(1500ms);
    INFO("ctrd's log:\n" << d.log());
    CHECK(d.log().find("its own timeout of 600 s applies") != std::string::npos);
    CHECK(sysfs(sys_state + "/timeout") == "600");
    CHECK(d.terminate() == 0);
  }
  CHECK(sysfs(sys_state + "/state") == "inactive");
}

}  // namespace watchdog_test
