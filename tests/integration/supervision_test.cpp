// Supervision end to end: restart policies with backoff and crash-loop limits, health
// checks, sd_notify readiness, dependencies, service files, shutdown order, boot starts,
// init mode. Real ctrd, real ctrctl, real processes.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <unistd.h>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "tests/support/daemon.hpp"

namespace supervision_test {

using ctrd::test::await_inspect;
using ctrd::test::inspect;
using ctrd::test::live_daemon;
using ctrd::test::restart_delays;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

bool exited_and_settled(const json& j) {
  return j["State"]["Status"] == "exited" && j["State"]["NextRestartAt"] == "";
}

}  // namespace

TEST_CASE("restart policy x exit kind, as podman (restart pending or not)", "[supervision]") {
  live_daemon d;
  struct row {
    const char* policy;
    const char* script;
    bool restarts;
  };
  const row rows[] = {
      {"no", "exit 0", false},
      {"no", "exit 1", false},
      {"no", "kill -9 $$", false},
      {"on-failure", "exit 0", false},
      {"on-failure", "exit 1", true},
      {"on-failure", "kill -9 $$", true},
      {"always", "exit 0", true},
      {"always", "exit 1", true},
      {"always", "kill -9 $$", true},
      {"unless-stopped", "exit 0", true},
      {"unless-stopped", "exit 1", true},
      {"unless-stopped", "kill -9 $$", true},
  };
  int i = 0;
  for (const auto& r : rows) {
    auto name = "m" + std::to_string(i++);
    INFO(r.policy << " / " << r.script);
    // A long first delay makes the decision observable: NextRestartAt is set, nothing runs yet.
    d.ok({"run", "-d", "--name", name, "--restart", r.policy, "--restart-delay", "1h", "sh", "-c",
          r.script});
    auto j = await_inspect(d, name, [](const json& x) { return x["State"]["Status"] == "exited"; });
    CHECK((j["State"]["NextRestartAt"] != "") == r.restarts);
  }
  // Stopped by the user: never restarted, whatever the policy.
  for (const char* policy : {"on-failure", "always", "unless-stopped"}) {
    auto name = std::string("stopped-") + policy;
    d.ok(
        {"run", "-d", "--name", name, "--restart", policy, "--restart-delay", "0", "sleep", "100"});
    d.ok({"stop", "-t", "0", name});
    auto j = inspect(d, name);
    CHECK(j["State"]["Status"] == "exited");
    CHECK(j["State"]["NextRestartAt"] == "");
    CHECK(j["RestartCount"] == 0);
  }
}

TEST_CASE("on-failure:N restarts N times, then stays exited", "[supervision]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "f", "--restart", "on-failure:3", "--restart-delay", "0", "sh", "-c",
        "exit 2"});
  auto j = await_inspect(
      d, "f", [](const json& x) { return exited_and_settled(x) && x["RestartCount"] == 3; });
  CHECK(j["State"]["ExitCode"] == 2);
  CHECK(j["State"]["RestartReason"].get<std::string>().find("exit code 2") != std::string::npos);
  std::this_thread::sleep_for(200ms);
  CHECK(inspect(d, "f")["RestartCount"] == 3);
  // A user start resets the count.
  d.ok({"start", "f"});
  CHECK(await_inspect(d, "f", [](const json& x) {
          return exited_and_settled(x) && x["RestartCount"] == 3;
        })["State"]["Status"] == "exited");
}

TEST_CASE("backoff doubles per quick crash and resets after a long enough run", "[supervision]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "fast", "--restart", "always", "--restart-delay", "100ms",
        "--restart-limit", "0", "sh", "-c", "exit 1"});
  auto fast = await_inspect(d, "fast", [](const json& x) { return x["RestartCount"] >= 4; });
  auto delays = restart_delays(d, "fast");
  REQUIRE(delays.size() >= 4);
  for (size_t i = 0; i < 4; ++i) {
    double want = 100.0 * (1 << i);
    CHECK(delays[i] >= want * 0.9);
    CHECK(delays[i] <= want * 1.1);
  }
  d.ok({"rm", "-f", "fast"});
  // Each run lasts longer than the reset window: the delay never grows.
  d.ok({"run", "-d", "--name", "steady", "--restart", "always", "--restart-delay", "100ms",
        "--restart-reset", "200ms", "sh", "-c", "sleep 0.3; exit 1"});
  await_inspect(d, "steady", [](const json& x) { return x["RestartCount"] >= 3; });
  auto steady = restart_delays(d, "steady");
  REQUIRE(steady.size() >= 3);
  for (auto ms : steady) CHECK(ms <= 110);
}

TEST_CASE("a crash loop is parked with the reason until a user start", "[supervision]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "loop", "--restart", "always", "--restart-delay", "0",
        "--restart-limit", "3", "--restart-window", "1m", "sh", "-c", "exit 1"});
  auto j = await_inspect(d, "loop", [](const json& x) {
    return x["State"]["Status"] == "exited" &&
           x["State"]["Error"].get<std::string>().find("crash loop") != std::string::npos;
  });
  CHECK(j["RestartCount"] == 3);
  std::this_thread::sleep_for(200ms);
  CHECK(inspect(d, "loop")["RestartCount"] == 3);  // parked: nothing more happens
  auto ps = json::parse(d.ok({"ps", "-a", "--format", "json"}));
  CHECK(ps[0]["Error"].get<std::string>().find("crash loop") != std::string::npos);
  d.ok({"start", "loop"});  // clears the history: another series of 3
  j = await_inspect(d, "loop", [](const json& x) {
    return x["State"]["Status"] == "exited" && x["RestartCount"] == 3 &&
           x["State"]["Error"].get<std::string>().find("crash loop") != std::string::npos;
  });
  CHECK(restart_delays(d, "loop").empty());  // delay 0: immediate, no timer
}

TEST_CASE("a parked crash loop and the backoff survive a ctrd crash", "[supervision]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "loop", "--restart", "always", "--restart-delay", "0",
        "--restart-limit", "3", "--restart-window", "1m", "sh", "-c", "exit 1"});
  await_inspect(d, "loop", [](const json& x) {
    return x["State"]["Status"] == "exited" && x["RestartCount"] == 3;
  });
  // A backing-off loop: 200 ms, then 400 ms (no jitter below 10 %).
  d.ok({"run", "-d", "--name", "slow", "--restart", "always", "--restart-delay", "200ms",
        "--restart-reset", "1h", "sh", "-c", "exit 1"});
  await_inspect(d, "slow", [](const json& x) {
    return x["RestartCount"] == 2 && x["State"]["NextRestartAt"] != "";
  });
  d.kill9();
  d.start();
  std::this_thread::sleep_for(300ms);
  auto loop = inspect(d, "loop");
  CHECK(loop["State"]["Status"] == "exited");  // still parked: no boot start
  CHECK(loop["RestartCount"] == 3);
  CHECK(loop["State"]["Error"].get<std::string>().find("crash loop") != std::string::npos);
  // The pending restart (800 ms) is resumed and the backoff goes on: 1600 ms next, not 200.
  await_inspect(d, "slow", [](const json& x) {
    return x["RestartCount"] == 3 && x["State"]["NextRestartAt"] != "";
  });
  auto delays = restart_delays(d, "slow");
  REQUIRE_FALSE(delays.empty());
  CHECK(delays.back() >= 1400);
  d.ok({"start", "loop"});  // a user start still clears it
  await_inspect(d, "loop", [](const json& x) {
    return x["RestartCount"] == 3 && x["State"]["Status"] == "exited";
  });
}

TEST_CASE("health checks: starting, healthy, unhealthy, and the restart action", "[supervision]") {
  live_daemon d;
  auto sick = d.dir() / "sick";
  // The interval leaves room for the manual checks below: with 100 ms, two scheduled failures
  // could restart the container before `healthcheck run` reaches it on a loaded machine.
  d.ok({"run", "-d", "--name", "h", "--health-cmd", "test ! -e " + sick, "--health-interval", "1s",
        "--health-retries", "2", "--health-on-failure", "restart", "sleep", "100"});
  auto first = inspect(d, "h")["State"]["Health"]["Status"];
  CHECK((first == "starting" || first == "healthy"));  // the first check may already be done
  auto j = await_inspect(d, "h",
                         [](const json& x) { return x["State"]["Health"]["Status"] == "healthy"; });
  CHECK(j["State"]["Ready"] == true);
  int pid = j["State"]["Pid"];
  CHECK(d.ctl({"healthcheck", "run", "h"}).code == 0);
  std::ofstream(sick).put('x');
  CHECK(d.ctl({"healthcheck", "run", "h"}).code == 1);
  // Two failures make it unhealthy; the action restarts it although the policy is "no".
  j = await_inspect(
      d, "h", [&](const json& x) { return x["RestartCount"] == 1 && x["State"]["Pid"] != pid; });
  CHECK(j["State"]["RestartReason"].get<std::string>().find("unhealthy") != std::string::npos);
  CHECK(d.log().find("health_status unhealthy") != std::string::npos);
  auto none = d.ctl({"healthcheck", "run", "nope"});
  CHECK(none.code == 125);
  d.ok({"run", "-d", "--name", "plain", "sleep", "100"});
  auto no_check = d.ctl({"healthcheck", "run", "plain"});
  CHECK(no_check.code == 125);
  CHECK(no_check.err.find("no defined healthcheck") != std::string::npos);
}

TEST_CASE("sd_notify readiness gates a dependent's start", "[supervision]") {
  live_daemon d;
  auto py =
      "import os, socket, time\n"
      "time.sleep(0.5)\n"
      "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
      "s.sendto(b'READY=1', os.environ['NOTIFY_SOCKET'])\n"
      "time.sleep(100)\n";
  d.ok({"create", "--name", "db", "--sdnotify", "container", "/usr/bin/python3", "-c", py});
  d.ok({"create", "--name", "app", "--requires", "db", "sleep", "100"});
  auto t0 = std::chrono::steady_clock::now();
  d.ok({"start", "app"});  // starts db first and waits for READY=1
  CHECK(std::chrono::steady_clock::now() - t0 >= 450ms);
  auto db = inspect(d, "db");
  auto app = inspect(d, "app");
  CHECK(db["State"]["Ready"] == true);
  CHECK(app["State"]["Status"] == "running");
  CHECK(app["State"]["StartedAt"].get<std::string>() > db["State"]["StartedAt"].get<std::string>());
}

TEST_CASE("dependencies start in order, refuse cycles and guard removal", "[supervision]") {
  live_daemon d;
  d.ok({"create", "--name", "a", "sleep", "100"});
  d.ok({"create", "--name", "b", "--requires", "a", "sleep", "100"});
  d.ok({"create", "--name", "c", "--requires", "b", "sleep", "100"});
  auto missing = d.ctl({"create", "--name", "x", "--requires", "ghost", "true"});
  CHECK(missing.code == 125);
  CHECK(missing.err.find("ghost") != std::string::npos);
  d.ok({"start", "c"});
  auto a = inspect(d, "a"), b = inspect(d, "b"), c = inspect(d, "c");
  CHECK(a["State"]["Status"] == "running");
  CHECK(a["State"]["StartedAt"].get<std::string>() <= b["State"]["StartedAt"].get<std::string>());
  CHECK(b["State"]["StartedAt"].get<std::string>() <= c["State"]["StartedAt"].get<std::string>());
  d.ok({"rm", "-f", "b"});  // -f removes it although c requires it
  d.ok({"stop", "-t", "0", "c"});
  auto dangling = d.ctl({"start", "c"});
  CHECK(dangling.code == 125);
  CHECK(dangling.err.find("requires b, which does not exist") != std::string::npos);
}

TEST_CASE("cycles are refused with the cycle named, and removal names the dependents",
          "[supervision]") {
  live_daemon d;
  d.ok({"create", "--name", "x", "true"});
  d.ok({"create", "--name", "y", "--requires", "x", "true"});
  auto rm = d.ctl({"rm", "x"});
  CHECK(rm.code == 125);
  CHECK(rm.err.find("dependent containers which must be removed before it: y") !=
        std::string::npos);
  d.ok({"rm", "-f", "x"});
  auto cyc = d.ctl({"create", "--name", "x", "--requires", "y", "true"});
  CHECK(cyc.code == 125);
  CHECK(cyc.err.find("x -> y -> x") != std::string::npos);
}

TEST_CASE("service files: good ones load, a bad one is reported with file and line",
          "[supervision]") {
  ctrd::test::temp_dir conf;
  std::ofstream(conf / "svc.toml") << "command = [\"sleep\", \"100\"]\nrestart = \"always\"\n";
  std::ofstream(conf / "job.toml") << "command = [\"sh\", \"-c\", \"echo once\"]\n";
  std::ofstream(conf / "bad.toml") << "command = [\"true\"]\nrestrat = \"always\"\n";
  live_daemon d({{"--config-dir", conf.path()}});
  await_inspect(d, "svc", [](const json& x) { return x["State"]["Status"] == "running"; });
  await_inspect(d, "job", [](const json& x) { return x["State"]["Status"] == "exited"; });
  CHECK(d.ok({"logs", "job"}) == "once");
  CHECK(d.ctl({"inspect", "bad"}).code == 125);
  CHECK(d.log().find("bad.toml:2") != std::string::npos);
  // reload: a new file is created and started, a changed one updated, the bad one reported.
  std::ofstream(conf / "new.toml") << "command = [\"sleep\", \"100\"]\n";
  std::ofstream(conf / "svc.toml") << "command = [\"sleep\", \"200\"]\nrestart = \"always\"\n";
  auto r = d.ctl({"reload"});
  CHECK(r.code == 125);
  CHECK(r.out.find("created new") != std::string::npos);
  CHECK(r.out.find("updated svc") != std::string::npos);
  CHECK(r.err.find("bad.toml:2") != std::string::npos);
  CHECK(r.err.find("restrat") != std::string::npos);
  await_inspect(d, "new", [](const json& x) { return x["State"]["Status"] == "running"; });
  // The changed definition applies at the next start.
  CHECK(inspect(d, "svc")["Config"]["Cmd"][1] == "100");
  d.ok({"restart", "-t", "0", "svc"});
  CHECK(inspect(d, "svc")["Config"]["Cmd"][1] == "200");
  // A deleted file removes its container; SIGHUP reloads like `ctrctl reload`.
  ::unlink((conf / "new.toml").c_str());
  ::kill(d.pid(), SIGHUP);
  for (int i = 0; i < 250 && d.ctl({"inspect", "new"}).code == 0; ++i)
    std::this_thread::sleep_for(20ms);
  CHECK(d.ctl({"inspect", "new"}).code == 125);
}

TEST_CASE("shutdown stops dependents first and waits for a SIGTERM-ignoring container",
          "[supervision]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "base", "--stop-timeout", "1", "sh", "-c",
        "trap '' TERM; while :; do sleep 0.05; done"});
  d.ok({"run", "-d", "--name", "top", "--requires", "base", "sleep", "100"});
  int base = inspect(d, "base")["State"]["Pid"];
  int top = inspect(d, "top")["State"]["Pid"];
  auto t0 = std::chrono::steady_clock::now();
  CHECK(d.terminate() == 0);
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took >= 900ms);  // base needed its stop timeout and SIGKILL
  CHECK(took < 8s);
  CHECK_FALSE(ctrd::test::process_alive(base));
  CHECK_FALSE(ctrd::test::process_alive(top));
  auto log = d.log();
  auto top_died = log.find(" top: died");
  auto base_died = log.find(" base: died");
  REQUIRE(top_died != std::string::npos);
  REQUIRE(base_died != std::string::npos);
  CHECK(top_died < base_died);
  // What the shutdown recorded reached the disk (the store's last group commit): after a
  // restart both are exited with their real exit codes, not "ended while ctrd was down".
  d.start();
  for (auto [n, code] :
       {std::pair<const char*, int>{"base", 137}, {"top", 143}}) {  // SIGKILL, SIGTERM
    auto j = inspect(d, n);
    INFO(n << ": " << j["State"].dump());
    CHECK(j["State"]["Status"] == "exited");
    CHECK(j["State"]["ExitCode"] == code);
    CHECK(j["State"]["Error"].get<std::string>().find("while ctrd was not running") ==
          std::string::npos);
  }
}

TEST_CASE("after a crash and lost processes: always and unless-stopped come back",
          "[supervision]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "us", "--restart", "unless-stopped", "sleep", "100"});
  d.ok({"run", "-d", "--name", "us-stopped", "--restart", "unless-stopped", "sleep", "100"});
  d.ok({"stop", "-t", "0", "us-stopped"});
  d.ok({"run", "-d", "--name", "al", "--restart", "always", "sleep", "100"});
  d.ok({"stop", "-t", "0", "al"});
  d.ok({"run", "-d", "--name", "of", "--restart", "on-failure", "sleep", "100"});
  int us = inspect(d, "us")["State"]["Pid"];
  int of = inspect(d, "of")["State"]["Pid"];
  d.kill9();
  ::kill(us, SIGKILL);  // as after a reboot: the processes are gone
  ::kill(of, SIGKILL);
  std::this_thread::sleep_for(100ms);
  d.start();
  await_inspect(d, "us", [](const json& x) { return x["State"]["Status"] == "running"; });
  await_inspect(d, "al", [](const json& x) { return x["State"]["Status"] == "running"; });
  CHECK(inspect(d, "us-stopped")["State"]["Status"] == "exited");
  CHECK(inspect(d, "of")["State"]["Status"] == "exited");
}

TEST_CASE("an --rm container whose process ended while ctrd was down is removed at recovery",
          "[supervision]") {
  live_daemon d;
  d.ok({"run", "-d", "--rm", "--name", "gone", "sleep", "100"});
  d.ok({"run", "-d", "--rm", "--name", "alive", "sleep", "100"});
  int pid = inspect(d, "gone")["State"]["Pid"];
  d.kill9();
  ::kill(pid, SIGKILL);
  std::this_thread::sleep_for(100ms);
  d.start();
  auto end = std::chrono::steady_clock::now() + 5s;
  while (d.ctl({"inspect", "gone"}).code == 0 && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(20ms);
  CHECK(d.ctl({"inspect", "gone"}).code != 0);
  CHECK(inspect(d, "alive")["State"]["Status"] == "running");  // adopted, not removed
}

TEST_CASE("ps --sync reconciles with the processes that really exist", "[supervision]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "s", "sleep", "100"});
  auto ps = json::parse(d.ok({"ps", "--sync", "--format", "json"}));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0]["State"] == "running");
}

TEST_CASE("init mode: PID 1 in its own namespace reaps orphans and leaves nothing",
          "[supervision]") {
  if (!ctrd::test::pid_namespaces_usable()) return;
  live_daemon d({{"--init"}, {"/usr/bin/unshare", "--pid", "--fork", "--mount-proc"}});
  // The container starts a daemon that escapes its process group (setsid): an orphan that
  // only PID 1 can reap. It dies with its container (the cgroup is killed when the main
  // process ends) and must not stay a zombie.
  auto r = d.ctl({"run", "--rm", "sh", "-c", "setsid sh -c 'sleep 0.3; exit 3' & sleep 0.05"});
  CHECK(r.code == 0);
  std::this_thread::sleep_for(700ms);
  pid_t ctrd_pid = d.ctrd_pid();
  REQUIRE(ctrd_pid > 0);
  int zombies = 0;
  if (DIR* dir = ::opendir("/proc")) {
    while (auto* e = ::readdir(dir)) {
      std::ifstream st(std::string("/proc/") + e->d_name + "/stat");
      std::string line;
      if (!std::getline(st, line)) continue;
      auto p = line.rfind(')');
      if (p == std::string::npos) continue;
      char state = line[p + 2];
      int ppid = std::atoi(line.c_str() + p + 4);
      if (ppid == ctrd_pid && state == 'Z') ++zombies;
    }
    ::closedir(dir);
  }
  CHECK(zombies == 0);
  // The orphan, reaped by ctrd: killed with its container where cgroups exist, else on its own.
  CHECK((d.log().find("(exit 137)") != std::string::npos ||
         d.log().find("(exit 3)") != std::string::npos));
  CHECK(d.terminate() == 0);
}

}  // namespace supervision_test
