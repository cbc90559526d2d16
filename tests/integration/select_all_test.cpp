// Issue 14's selection and exit codes, end to end through the real ctrctl against a real
// ctrd: -a/--all on stop, kill, restart, rm, pause, unpause (podman's states and output),
// logs of several containers (-n/--names, -f), podman's exit codes of rm and exec, and
// `ctrctl container VERB` as an alias of every container verb.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/daemon.hpp"

namespace select_all_test {

using ctrd::test::await_inspect;
using ctrd::test::inspect;
using ctrd::test::live_daemon;
using ctrd::test::run_process;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string id_of(const live_daemon& d, const std::string& name) {
  return inspect(d, name)["Id"].get<std::string>();
}

/// The lines of `text`, sorted.
std::vector<std::string> sorted_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::string status(const live_daemon& d, const std::string& name) {
  return inspect(d, name)["State"]["Status"].get<std::string>();
}

}  // namespace

TEST_CASE("the all flag selects the containers each verb takes and prints their ids",
          "[select_all]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "a", "sleep", "100"});
  d.ok({"run", "-d", "--name", "b", "sleep", "100"});
  d.ok({"create", "--name", "c", "sleep", "100"});
  auto a = id_of(d, "a"), b = id_of(d, "b"), c = id_of(d, "c");

  // pause/unpause --all: the running / the paused ones.
  CHECK(sorted_lines(d.ok({"pause", "--all"})) == sorted({a, b}));
  CHECK(status(d, "a") == "paused");
  CHECK(sorted_lines(d.ok({"unpause", "-a"})) == sorted({a, b}));
  CHECK(d.ok({"unpause", "-a"}).empty());  // nothing paused: nothing to do, exit 0
  CHECK(status(d, "b") == "running");

  // kill --all: the running ones; c (never started) is skipped.
  CHECK(sorted_lines(d.ok({"kill", "-a"})) == sorted({a, b}));
  await_inspect(d, "a", [](const json& x) { return x["State"]["Status"] == "exited"; });
  await_inspect(d, "b", [](const json& x) { return x["State"]["Status"] == "exited"; });

  // restart --all: every container.
  CHECK(sorted_lines(d.ok({"restart", "-a", "-t", "0"})) == sorted({a, b, c}));
  for (const char* n : {"a", "b", "c"}) CHECK(status(d, n) == "running");

  // stop --all: every container, also those already stopped.
  d.ok({"stop", "-t", "0", "c"});
  CHECK(sorted_lines(d.ok({"stop", "-a", "-t", "0"})) == sorted({a, b, c}));
  for (const char* n : {"a", "b", "c"}) CHECK(status(d, n) == "exited");

  // rm --all without -f: a running one stays with podman's error and exit 2.
  d.ok({"start", "a"});
  auto rm = d.ctl({"rm", "-a"});
  CHECK(rm.code == 2);
  CHECK(sorted_lines(rm.out) == sorted({b, c}));
  CHECK(rm.err.find("cannot remove container " + a +
                    " as it is running - running or paused containers cannot be removed "
                    "without force: container state improper") != std::string::npos);
  // -f removes running ones too.
  CHECK(d.ok({"rm", "-a", "-f"}) == a);
  CHECK(d.ok({"ps", "-a", "-q"}).empty());
  CHECK(d.ok({"stop", "-a"}).empty());  // no containers: nothing printed, exit 0

  // --all with names, or neither: refused before anything is done.
  d.ok({"create", "--name", "e", "true"});
  for (const char* verb : {"stop", "kill", "restart", "rm", "pause", "unpause"}) {
    INFO(verb);
    auto both = d.ctl({verb, "-a", "e"});
    CHECK(both.code == 125);
    CHECK(both.err.find("--all and containers cannot be used together") != std::string::npos);
    auto none = d.ctl({verb});
    CHECK(none.code == 125);
    CHECK(none.err.find("you must provide at least one name or id") != std::string::npos);
  }
  CHECK(status(d, "e") == "created");
}

TEST_CASE("rm and exec exit codes are podman's", "[select_all]") {
  live_daemon d;
  auto missing = d.ctl({"rm", "nope"});
  CHECK(missing.code == 1);
  CHECK(missing.err.find("nope") != std::string::npos);
  auto forced = d.ctl({"rm", "-f", "nope"});
  CHECK(forced.code == 0);
  CHECK(forced.out.empty());
  CHECK(forced.err.empty());
  d.ok({"run", "-d", "--name", "up", "sleep", "100"});
  auto running = d.ctl({"rm", "up"});
  CHECK(running.code == 2);
  CHECK(running.err.find("running or paused containers cannot be removed without force: "
                         "container state improper") != std::string::npos);
  auto both = d.ctl({"rm", "up", "nope"});  // a missing one wins: 1
  CHECK(both.code == 1);
  d.ok({"create", "--name", "down", "true"});
  auto exec = d.ctl({"exec", "down", "true"});
  CHECK(exec.code == 125);
  CHECK(exec.err.find("can only create exec sessions on running containers: container state "
                      "improper") != std::string::npos);
}

TEST_CASE("logs of several containers prefix each line with the short id or the name",
          "[select_all]") {
  live_daemon d;
  d.ok({"run", "--name", "one", "sh", "-c", "echo a; echo b"});
  d.ok({"run", "--name", "two", "sh", "-c", "echo c"});
  auto one = id_of(d, "one").substr(0, 12), two = id_of(d, "two").substr(0, 12);
  CHECK(d.ctl({"logs", "one", "two"}).out == one + " a\n" + one + " b\n" + two + " c\n");
  CHECK(d.ctl({"logs", "-n", "one", "two"}).out == "one a\none b\ntwo c\n");
  CHECK(d.ctl({"logs", "--names", "one"}).out == "a\nb\n");  // one container: no prefix
  auto stamped = d.ctl({"logs", "-n", "-t", "one", "two"}).out;
  CHECK(stamped.rfind("one 20", 0) == 0);  // name, then the time
  CHECK(stamped.find(" c\n") != std::string::npos);
  auto miss = d.ctl({"logs", "one", "nope"});
  CHECK(miss.code == 125);
  CHECK(miss.out.empty());

  // -f follows all of them and returns when every one has exited.
  d.ok({"run", "-d", "--name", "x", "sh", "-c", "sleep 0.5; echo from-x"});
  d.ok({"run", "-d", "--name", "y", "sh", "-c", "sleep 0.8; echo from-y"});
  auto f = run_process({CTRCTL_BIN, "--socket", d.socket(), "logs", "-f", "-n", "x", "y"}, "", 15s);
  CHECK(f.code == 0);
  CHECK(sorted_lines(f.out) == std::vector<std::string>{"x from-x", "y from-y"});
}

TEST_CASE("ctrctl container VERB is every container verb", "[select_all]") {
  live_daemon d;
  d.ok({"container", "create", "--name", "g", "sleep", "100"});
  d.ok({"container", "start", "g"});
  for (const char* list : {"ls", "list", "ps"})
    CHECK(d.ok({"container", list, "-q"}) == id_of(d, "g").substr(0, 12));
  CHECK(json::parse(d.ok({"container", "inspect", "g"}))[0]["Name"] == "g");
  CHECK(d.ok({"container", "stop", "-t", "0", "g"}) == "g");
  CHECK(d.ok({"container", "rm", "g"}) == "g");
  auto help = d.ctl({"container", "--help"});
  CHECK(help.code == 0);
  for (const char* verb : {"create", "rm", "logs", "exec", "inspect"})
    CHECK(help.out.find(std::string("  ") + verb) != std::string::npos);
  CHECK(help.out.find("shutdown") == std::string::npos);  // not a container verb
  auto rm_help = d.ctl({"container", "rm", "--help"});
  CHECK(rm_help.code == 0);
  CHECK(rm_help.out.find("--all") != std::string::npos);
  auto host = d.ctl({"container", "shutdown"});
  CHECK(host.code == 125);
  CHECK(host.err.find("unrecognized command 'ctrctl container shutdown'") != std::string::npos);
  auto bare = d.ctl({"container"});
  CHECK(bare.code == 125);
  CHECK(bare.err.find("missing command 'ctrctl container COMMAND'") != std::string::npos);
}

}  // namespace select_all_test
