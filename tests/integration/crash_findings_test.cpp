// Minimal reproductions of what the crash-injection harness found (docs/reliability.md,
// "Findings"), each a regression test with a real ctrd killed at the moment that mattered.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "messages/rpc.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/workload.hpp"

namespace crash_findings_test {

using ctrd::test::await_inspect;
using ctrd::test::inspect;
using ctrd::test::leftover_guard;
using ctrd::test::live_daemon;
using ctrd::test::prng;
using ctrd::test::proc_result;
using json = nlohmann::json;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

std::string last_line(const std::string& text) {
  auto t = ctrd::test::trim(text);
  auto p = t.rfind('\n');
  return p == std::string::npos ? t : t.substr(p + 1);
}

}  // namespace

// Finding 1 (docs/reliability.md): a boot start after a crash was treated as a user start.
TEST_CASE("a ctrd crash neither resets RestartCount nor refills an on-failure budget", "[crash]") {
  live_daemon d;
  auto runs = d.dir() / "runs";
  // A 1 s delay: the kill lands well inside the pending delay, never in the milliseconds
  // between a restart's spawn and its commit (docs/reliability.md, "Bound on loss").
  d.ok({"run", "-d", "--name", "f", "--restart", "on-failure:3", "--restart-delay", "1s",
        "--restart-max-delay", "1s", "sh", "-c", "echo run >> " + runs + "; exit 1"});
  auto j = await_inspect(d, "f", [](const json& x) {
    return x["RestartCount"] >= 1 && x["State"]["NextRestartAt"] != "";
  });
  long before = j["RestartCount"];
  d.kill9();  // a policy restart is pending
  d.start();
  long after = inspect(d, "f")["RestartCount"];
  CHECK(after >= before);
  j = await_inspect(d, "f", [](const json& x) {
    return x["State"]["Status"] == "exited" && x["State"]["NextRestartAt"] == "";
  });
  std::this_thread::sleep_for(500ms);
  std::ifstream in(runs);
  int lines = 0;
  for (std::string l; std::getline(in, l);) ++lines;
  INFO("RestartCount " << before << " before the crash, " << after << " right after, "
                       << inspect(d, "f")["RestartCount"] << " at the end");
  CHECK(lines == 4);  // on-failure:3: the first run and three restarts, crash or not
  CHECK(inspect(d, "f")["RestartCount"] == 3);
}

TEST_CASE("SIGTERM right after a restart leaves no container process behind", "[crash]") {
  const std::string prefix = "sr" + std::to_string(::getpid()) + ".";
  leftover_guard guard{prefix};
  live_daemon d;
  std::vector<std::string> names;
  for (int i = 0; i < 4; ++i) {
    names.push_back("a" + std::to_string(i));
    d.ok({"create", "--name", names.back(), "--restart", "always", "-e",
          std::string(ctrd::test::harness_marker) + "=" + prefix + names.back(), "sleep", "1000"});
  }
  // Stopped `always` containers: ctrd starts them when it starts (docs/supervision.md). A
  // SIGTERM that comes first must still find nothing running when ctrd has exited.
  std::vector<std::string> start = {"start"}, stop = {"stop", "-t", "0"};
  start.insert(start.end(), names.begin(), names.end());
  stop.insert(stop.end(), names.begin(), names.end());
  d.ok(start);
  std::vector<ctrd::test::marked_process> left;
  int i = 0;
  for (; i < 5 && left.empty(); ++i) {
    d.ok(stop);
    d.kill9();
    d.start();
    int rc = d.terminate();
    INFO("ctrd log:\n" << d.log().substr(d.log().size() > 3000 ? d.log().size() - 3000 : 0));
    CHECK(rc == 0);
    std::this_thread::sleep_for(300ms);
    left = ctrd::test::find_marked(prefix);
    d.start();
    for (auto& n : names)  // let the boot starts finish before the next stop
      await_inspect(d, n, [](const json& x) { return x["State"]["Status"] == "running"; });
  }
  std::string list;
  for (auto& p : left) list += " " + p.tag + " (pid " + std::to_string(p.pid) + ")";
  INFO("after " << i << " tries, running without ctrd:" << list << "\nctrd log:\n"
                << d.log().substr(d.log().size() > 4000 ? d.log().size() - 4000 : 0));
  CHECK(left.empty());
  ctrd::test::kill_marked(prefix);
}

TEST_CASE("ctrd restarted at once after a SIGKILL is not refused because of its dead predecessor",
          "[crash]") {
  const std::string prefix = "rs" + std::to_string(::getpid()) + ".";
  leftover_guard guard{prefix};
  live_daemon d;
  // Twenty tight crash loops: ctrd forks all the time, so a SIGKILL often finds a child
  // between fork() and its close_range() (docs/reliability.md, "Findings").
  std::vector<std::string> start = {"start"}, rm = {"rm", "-f"};
  for (int i = 0; i < 20; ++i) {
    auto name = "r" + std::to_string(i);
    d.ok({"create", "--name", name, "--restart", "always", "--restart-delay", "0",
          "--restart-limit", "0", "-e",
          std::string(ctrd::test::harness_marker) + "=" + prefix + name, "sh", "-c", "exit 1"});
    start.push_back(name);
    rm.push_back(name);
  }
  d.ok(start);
  int refused = 0, tries = 0;
  std::string why;
  for (; tries < 20 && refused == 0; ++tries) {
    std::this_thread::sleep_for(30ms);
    d.kill9();
    d.start();  // returns once the socket accepts a connection
    std::this_thread::sleep_for(200ms);
    if (!ctrd::test::process_alive(d.pid())) {
      ++refused;
      ctrd::test::wait_for_exit(d.pid(), 1s);
      why = last_line(d.log());
      d.start();
    }
  }
  INFO("restart " << tries << ": ctrd exited at once: " << why);
  CHECK(refused == 0);
  d.ok(rm);
}

TEST_CASE("stop -t 0 right after a start stops the container", "[crash]") {
  live_daemon d;
  d.ok({"create", "--name", "x", "sleep", "1000"});
  // start and stop -t 0 pipelined on one connection: the stop reaches the container actor
  // right after the start, usually before the new child has run (docs/reliability.md,
  // "Findings"). The stop must still end the process and answer.
  int hung = 0, tries = 0;
  for (; tries < 50 && hung == 0; ++tries) {
    int fd = ctrd::test::connect_unix(d.socket());
    REQUIRE(fd >= 0);
    std::string body;
    ctrd::test::write_all(fd, ctrd::encode_request(1, "hello", json{{"version", 1}}));
    REQUIRE(ctrd::test::read_frame(fd, body));
    ctrd::test::write_all(
        fd, ctrd::encode_request(2, "start", json{{"container", "x"}}) +
                ctrd::encode_request(3, "stop", json{{"container", "x"}, {"timeout", 0}}));
    int answers = 0;
    while (answers < 2 && ctrd::test::read_frame(fd, body)) ++answers;  // 5 s each at most
    ::close(fd);
    if (answers < 2) {
      ++hung;
      d.ctl({"kill", "x"});  // by now the process group exists
    }
    d.ctl({"stop", "-t", "0", "x"});  // when the stop came first
  }
  INFO("try " << tries << ": the stop got no answer within 5 s");
  CHECK(hung == 0);
}

}  // namespace crash_findings_test
