// The holder (holder/) as a real process around a stand-in daemon (support/fake_daemon.cpp):
// a kill -9 of the daemon loses no output, no exit status and no container; the daemon is
// started again by itself; a daemon that cannot start is the holder's answer; SIGTERM is
// forwarded; a re-exec keeps everything.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "support/emulation.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using ctrd::test::read_file;
using ctrd::test::temp_dir;

namespace {

// "key value" lines of a start report; "fd" and "exit" lines keep their whole rest.
std::multimap<std::string, std::string> report(const std::string& path) {
  std::multimap<std::string, std::string> out;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    auto sp = line.find(' ');
    if (sp != std::string::npos) out.emplace(line.substr(0, sp), line.substr(sp + 1));
  }
  return out;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

// The numbers the writer printed, as read by the daemons; true if they count 1, 2, 3, ...
bool consecutive(const std::string& text, int& last) {
  std::istringstream in(text);
  int n, expect = 1;
  while (in >> n) {
    if (n != expect) return false;
    ++expect;
  }
  last = expect - 1;
  return true;
}

int value(const std::multimap<std::string, std::string>& r, const std::string& key) {
  auto it = r.find(key);
  return it == r.end() ? -1 : std::atoi(it->second.c_str());
}

// Starts the holder with the fake daemon; stops everything it knows of by pid at the end.
struct holder_run {
  temp_dir dir;
  pid_t holder = -1;
  std::vector<pid_t> extra;

  holder_run() {
    ::setenv("CTRD_DAEMON", FAKE_DAEMON_BIN, 1);
    holder = ctrd::test::spawn_background({CTRD_HOLDER_BIN, dir.path()}, dir / "holder.log");
    ::unsetenv("CTRD_DAEMON");
  }
  ~holder_run() {
    for (pid_t p : extra)
      if (p > 0) ::kill(p, SIGKILL);
    if (holder > 0 && ctrd::test::process_alive(holder)) {
      ::kill(holder, SIGKILL);
      ctrd::test::wait_for_exit(holder, 5s);
    }
  }
  std::string start(int n) const { return dir / ("start-" + std::to_string(n) + ".txt"); }
};

}  // namespace

TEST_CASE("holder: a kill -9 of the daemon loses no output, exit status or process", "[holder]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_exec_of_own_binaries());
  holder_run run;
  REQUIRE(wait_until([&] { return ::access(run.start(1).c_str(), F_OK) == 0; }, 10s));
  auto first = report(run.start(1));
  pid_t daemon = value(first, "daemon"), writer = value(first, "writer");
  pid_t seven = value(first, "seven");
  run.extra = {writer, seven, daemon};
  CHECK(value(first, "holder") == run.holder);
  CHECK(value(first, "starts") == 1);
  REQUIRE(wait_until([&] { return read_file(run.dir / "out.txt").size() > 6; }, 5s));

  // The next daemon takes 1.5 s to come: the second "container" exits meanwhile, its
  // status waits in the holder; the writer's lines wait in the pipe.
  std::ofstream(run.dir / "slow") << "";
  REQUIRE(::kill(daemon, SIGKILL) == 0);
  REQUIRE(wait_until([&] { return ::access(run.start(2).c_str(), F_OK) == 0; }, 10s));
  auto second = report(run.start(2));
  run.extra.push_back(value(second, "daemon"));
  CHECK(value(second, "holder") == run.holder);
  CHECK(value(second, "starts") == 2);
  CHECK(second.count("writer") == 0);  // nothing spawned again
  CHECK(read_file(run.start(2)).find("fd w stdout\n") != std::string::npos);
  CHECK(read_file(run.start(2)).find("exit " + std::to_string(seven) + " 7\n") !=
        std::string::npos);
  CHECK(ctrd::test::process_alive(writer));  // no SIGPIPE: the holder kept a reader

  int last_before = 0;
  REQUIRE(consecutive(read_file(run.dir / "out.txt"), last_before));
  REQUIRE(wait_until(
      [&] {
        int last = 0;
        return consecutive(read_file(run.dir / "out.txt"), last) && last >= last_before + 10;
      },
      5s));
  int last = 0;
  CHECK(consecutive(read_file(run.dir / "out.txt"), last));  // no gap across the crash
  CHECK(read_file(run.dir / "holder.log").find("killed by signal SIGKILL") != std::string::npos);

  // SIGTERM goes to the daemon; its clean exit ends the holder with 0.
  REQUIRE(::kill(run.holder, SIGTERM) == 0);
  CHECK(ctrd::test::wait_for_exit(run.holder, 5s) == 0);
  run.holder = -1;
}

TEST_CASE("holder: a daemon that cannot start is the holder's answer", "[holder]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_exec_of_own_binaries());
  temp_dir dir;
  std::ofstream(dir / "fail") << "";
  ::setenv("CTRD_DAEMON", FAKE_DAEMON_BIN, 1);
  auto r = ctrd::test::run_process({CTRD_HOLDER_BIN, dir.path()}, "", 10s);
  ::unsetenv("CTRD_DAEMON");
  CHECK(r.code == 3);
}

TEST_CASE("holder: a missing daemon binary is named", "[holder]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_exec_of_own_binaries());
  ::setenv("CTRD_DAEMON", "/nonexistent/ctrd-daemon", 1);
  auto r = ctrd::test::run_process({CTRD_HOLDER_BIN}, "", 10s);
  ::unsetenv("CTRD_DAEMON");
  CHECK(r.code == 1);
  CHECK(r.err.find("cannot run the daemon /nonexistent/ctrd-daemon") != std::string::npos);
}

TEST_CASE("holder: a re-exec keeps the holder's pid, descriptors and children", "[holder]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_exec_of_own_binaries());
  holder_run run;
  REQUIRE(wait_until([&] { return ::access(run.start(1).c_str(), F_OK) == 0; }, 10s));
  auto first = report(run.start(1));
  pid_t daemon = value(first, "daemon"), writer = value(first, "writer");
  run.extra = {writer, value(first, "seven"), daemon};
  REQUIRE(::kill(daemon, SIGUSR1) == 0);  // the fake daemon asks for a re-exec and exits 0
  REQUIRE(wait_until([&] { return ::access(run.start(2).c_str(), F_OK) == 0; }, 10s));
  auto second = report(run.start(2));
  run.extra.push_back(value(second, "daemon"));
  CHECK(value(second, "holder") == run.holder);
  CHECK(value(second, "starts") == 2);
  CHECK(read_file(run.start(2)).find("fd w stdout\n") != std::string::npos);
  CHECK(ctrd::test::process_alive(writer));
  CHECK(read_file(run.dir / "holder.log").find("re-executed: holding 1 descriptors") !=
        std::string::npos);
  REQUIRE(::kill(run.holder, SIGTERM) == 0);
  CHECK(ctrd::test::wait_for_exit(run.holder, 5s) == 0);
  run.holder = -1;
}
