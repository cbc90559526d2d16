// Paths without back-and-forth (issue 12 §5): every request naming a container is resolved
// once, in the supervisor, and goes one way to the container; `restart` checks the
// requirements as podman does (docs/supervision.md). Real ctrd, real ctrctl.
#include <catch2/catch.hpp>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tests/support/daemon.hpp"

namespace paths_test {

using ctrd::test::await_inspect;
using ctrd::test::inspect;
using ctrd::test::live_daemon;
using json = nlohmann::json;

TEST_CASE("restart of a container whose requirement is not running is refused, as podman",
          "[supervision][paths]") {
  live_daemon d;
  d.ok({"create", "--name", "db", "sleep", "100"});
  d.ok({"create", "--name", "app", "--requires", "db", "sh", "-c", "exit 0"});
  d.ok({"start", "app"});  // starts db first
  await_inspect(d, "app", [](const json& x) { return x["State"]["Status"] == "exited"; });
  d.ok({"stop", "-t", "0", "db"});
  auto id = inspect(d, "app")["Id"].get<std::string>();
  // podman: "some dependencies of container <id> are not started: <deps>"; it starts none.
  auto r = d.ctl({"restart", "app"});
  CHECK(r.code == 125);
  CHECK(r.err.find("some dependencies of container " + id + " are not started: db") !=
        std::string::npos);
  CHECK(inspect(d, "db")["State"]["Status"] == "exited");
  CHECK(inspect(d, "app")["State"]["Status"] == "exited");
  // With the requirement running, the restart goes through.
  d.ok({"start", "db"});
  d.ok({"restart", "-t", "0", "app"});
  await_inspect(d, "app", [](const json& x) { return x["State"]["Status"] == "exited"; });
  CHECK(inspect(d, "app")["State"]["ExitCode"] == 0);
  // A running dependent restarts while its requirement runs.
  d.ok({"create", "--name", "web", "--requires", "db", "sleep", "100"});
  d.ok({"start", "web"});
  d.ok({"restart", "-t", "0", "web"});
  CHECK(inspect(d, "web")["State"]["Status"] == "running");
}

TEST_CASE("stop, kill, restart and start -a take a name, an id or an id prefix in one request",
          "[paths]") {
  live_daemon d;
  d.ok({"create", "--name", "one", "sleep", "100"});
  auto id = inspect(d, "one")["Id"].get<std::string>();
  d.ok({"start", id.substr(0, 8)});
  d.ok({"restart", "-t", "0", id});
  CHECK(inspect(d, "one")["State"]["Status"] == "running");
  d.ok({"kill", id.substr(0, 6)});
  await_inspect(d, "one", [](const json& x) { return x["State"]["Status"] == "exited"; });
  d.ok({"start", "one"});
  d.ok({"stop", "-t", "0", id.substr(0, 10)});
  CHECK(inspect(d, "one")["State"]["Status"] == "exited");
  auto missing = d.ctl({"stop", "ghost"});
  CHECK(missing.code == 125);
  CHECK(missing.err.find("ghost") != std::string::npos);
  // An attached start of a container with a requirement: the requirement first, the output
  // and the exit code of the container through the one request.
  d.ok({"create", "--name", "base", "sleep", "100"});
  d.ok({"create", "--name", "talk", "--requires", "base", "sh", "-c", "echo hello; exit 3"});
  auto a = d.ctl({"start", "-a", "talk"});
  CHECK(a.out == "hello\n");
  CHECK(a.code == 3);
  CHECK(inspect(d, "base")["State"]["Status"] == "running");
  // Attached stdin goes to the container although the client sends it right away.
  d.ok({"create", "-i", "--name", "cat", "cat"});
  auto c = d.ctl({"start", "-a", "-i", "cat"}, "ping\n");
  CHECK(c.out == "ping\n");
  CHECK(c.code == 0);
}

TEST_CASE("exec, attach and stats go through the supervisor in one request", "[paths]") {
  live_daemon d;
  d.ok({"run", "-d", "-i", "--name", "box", "cat"});
  auto id = inspect(d, "box")["Id"].get<std::string>();
  // exec by id prefix, with stdin routed to the exec'd process.
  auto e =
      d.ctl({"exec", "-i", id.substr(0, 8), "sh", "-c", "read x; echo got $x; exit 4"}, "hi\n");
  CHECK(e.out == "got hi\n");
  CHECK(e.code == 4);
  CHECK(d.ctl({"exec", "ghost", "true"}).code == 125);
  // attach by name: stdin reaches the container (its log shows it), and the detach keys
  // end the attach through its route.
  auto a = d.ctl({"attach", "box"}, std::string("echoed\n\x10\x11", 9));
  CHECK(a.code == 0);
  bool logged = false;
  for (int i = 0; i < 250 && !logged; ++i) {
    logged = d.ok({"logs", "box"}).find("echoed") != std::string::npos;
    if (!logged) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(logged);
  CHECK(inspect(d, "box")["State"]["Status"] == "running");
  auto st = d.ctl({"stats", "--no-stream", "box"});
  CHECK(st.code == 0);
}

}  // namespace paths_test
