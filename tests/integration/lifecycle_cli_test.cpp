// End to end through the real ctrctl against a real ctrd: podman's commands, output
// streaming, exit codes, stop escalation, process-group teardown.
#include <catch2/catch.hpp>

#include <csignal>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/daemon.hpp"

namespace lifecycle_cli_test {

using ctrd::test::inspect;
using ctrd::test::live_daemon;
using ctrd::test::trim;
using json = nlohmann::json;

namespace {}  // namespace

TEST_CASE("run streams stdout and stderr apart and exits with the container's code", "[cli]") {
  live_daemon d;
  auto r = d.ctl({"run", "--rm", "sh", "-c", "echo out; echo err >&2; exit 7"});
  CHECK(r.code == 7);
  CHECK(r.out == "out\n");
  CHECK(r.err == "err\n");
  // --rm: nothing left behind.
  CHECK(d.ok({"ps", "-a", "-q"}).empty());
}

TEST_CASE("run loses nothing from a process that writes a lot and exits at once", "[cli]") {
  live_daemon d;
  auto r = d.ctl({"run", "--rm", "seq", "1", "100000"});
  REQUIRE(r.code == 0);
  std::string want;
  for (int i = 1; i <= 100000; ++i) want += std::to_string(i) + "\n";
  CHECK(r.out.size() == want.size());
  CHECK(r.out == want);
}

TEST_CASE("exit codes: 127 not found, 126 cannot invoke, 128+N killed", "[cli]") {
  live_daemon d;
  auto nf = d.ctl({"run", "--rm", "no-such-command-xyz"});
  CHECK(nf.code == 127);
  CHECK(nf.err.find("no-such-command-xyz") != std::string::npos);
  auto ci = d.ctl({"run", "--rm", "/tmp"});
  CHECK(ci.code == 126);
  auto killed = d.ctl({"run", "--rm", "sh", "-c", "kill -TERM $$"});
  CHECK(killed.code == 128 + SIGTERM);
  // A failed start leaves the container with State.Error set.
  d.ok({"create", "--name", "broken", "no-such-command-xyz"});
  CHECK(d.ctl({"start", "broken"}).code == 127);
  CHECK(inspect(d, "broken")["State"]["Error"].get<std::string>().find("not found") !=
        std::string::npos);
}

TEST_CASE("create, init, start, stop, restart, wait and rm follow podman's state machine",
          "[cli]") {
  live_daemon d;
  auto id = d.ok({"create", "--name", "web", "--label", "tier=front", "-e", "GREETING=hi",
                  "--stop-timeout", "5", "sh", "-c", "echo $GREETING; exec sleep 100"});
  CHECK(id.size() == 64);
  auto j = inspect(d, "web");
  CHECK(j["State"]["Status"] == "created");
  CHECK(j["Config"]["Labels"]["tier"] == "front");
  CHECK(j["Config"]["StopTimeout"] == 5);
  CHECK(d.ok({"wait", "web"}) == "0");  // never started: 0, as podman

  d.ok({"init", "web"});
  j = inspect(d, "web");
  CHECK(j["State"]["Status"] == "initialized");
  int held = j["State"]["Pid"];
  CHECK(held > 0);
  CHECK(ctrd::test::process_alive(held));
  CHECK(d.ctl({"init", "web"}).code == 125);  // already created in runtime

  d.ok({"start", id.substr(0, 8)});  // unique id prefix
  j = inspect(d, "web");
  CHECK(j["State"]["Status"] == "running");
  CHECK(j["State"]["Pid"] == held);        // the held process is the one that runs
  CHECK(d.ok({"start", "web"}) == "web");  // already running: no-op, as podman's CLI

  auto rm = d.ctl({"rm", "web"});
  CHECK(rm.code == 2);  // podman's exit code for a running container without -f
  CHECK(rm.err.find("without force") != std::string::npos);

  d.ok({"restart", "-t", "0", "web"});
  // Let the new process write its line before it is stopped again.
  for (int i = 0; i < 500 && d.ctl({"logs", "web"}).out != "hi\nhi\n"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  j = inspect(d, "web");
  CHECK(j["State"]["Status"] == "running");
  CHECK(j["State"]["Pid"] != held);
  CHECK(j["RestartCount"] == 0);  // user restarts are not policy restarts

  std::thread stopper([&] { d.ok({"stop", "web"}); });
  CHECK(d.ok({"wait", "web"}) == std::to_string(128 + SIGTERM));
  stopper.join();
  CHECK(inspect(d, "web")["State"]["Status"] == "exited");
  CHECK(d.ok({"stop", "web"}) == "web");  // stopping a stopped container succeeds

  auto logs = d.ctl({"logs", "web"});
  CHECK(logs.out == "hi\nhi\n");  // both runs append to the same log
  d.ok({"rm", "web"});
  auto gone = d.ctl({"inspect", "web"});
  CHECK(gone.code == 125);
  CHECK(d.ctl({"create", "--name", "web", "true"}).code == 0);  // the name is free again
}

TEST_CASE("stop escalates to SIGKILL for a process ignoring SIGTERM (137)", "[cli]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "stubborn", "--stop-timeout", "1", "sh", "-c",
        "trap '' TERM; while :; do sleep 0.05; done"});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto r = d.ctl({"stop", "stubborn"});
  CHECK(r.code == 0);
  CHECK(r.err.find("resorting to SIGKILL") != std::string::npos);
  auto j = inspect(d, "stubborn");
  CHECK(j["State"]["ExitCode"] == 137);
  CHECK(d.ok({"wait", "stubborn"}) == "137");
}

TEST_CASE("a container ends with its main process: leftovers of its group are killed", "[cli]") {
  live_daemon d;
  auto r = d.ctl({"run", "--rm", "sh", "-c", "sleep 1000 & echo $!"});
  REQUIRE(r.code == 0);
  pid_t bg = std::stoi(trim(r.out));
  CHECK_FALSE(ctrd::test::process_alive(bg));
  // stop signals the whole group, not only the main process.
  d.ok({"run", "-d", "--name", "tree", "sh", "-c", "sleep 1000 & sleep 1000 & wait"});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  int pid = inspect(d, "tree")["State"]["Pid"];
  d.ok({"stop", "tree"});
  CHECK_FALSE(ctrd::test::process_alive(pid));
  CHECK(inspect(d, "tree")["State"]["Status"] == "exited");
}

TEST_CASE("kill sends a signal, and bad input is exit 125", "[cli]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "k", "sleep", "100"});
  CHECK(d.ctl({"kill", "-s", "BOGUS", "k"}).code == 125);
  d.ok({"kill", "-s", "USR1", "k"});
  CHECK(d.ok({"wait", "k"}) == std::to_string(128 + SIGUSR1));
  auto again = d.ctl({"kill", "k"});
  CHECK(again.code == 125);
  CHECK(again.err.find("can only kill running containers") != std::string::npos);
  CHECK(d.ctl({"create", "--name", "k", "true"}).code == 125);  // duplicate name
  CHECK(d.ctl({"create", "--restart", "sometimes", "true"}).code == 125);
  CHECK(d.ctl({"create"}).code == 125);  // empty command
  CHECK(d.ctl({"run", "--rm", "--restart", "always", "true"}).code == 125);
  CHECK(d.ctl({"stop", "nope"}).code == 125);
  CHECK(d.ctl({"bogus-command"}).code == 125);
}

TEST_CASE("ps lists like podman and --format json carries the fields", "[cli]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "up", "sleep", "100"});
  d.ok({"create", "--name", "idle", "true"});
  auto table = d.ok({"ps"});
  CHECK(table.find("CONTAINER ID") != std::string::npos);
  CHECK(table.find("up") != std::string::npos);
  CHECK(table.find("idle") == std::string::npos);  // not running: only with -a
  auto all = json::parse(d.ok({"ps", "-a", "--format", "json"}));
  CHECK(all.size() == 2);
  d.ok({"rm", "-f", "up"});
}

}  // namespace lifecycle_cli_test
