// End to end through the real ctrctl against a real ctrd: Go templates on ps, inspect,
// events, stats and version (the `table` prefix included), and ps's selection flags
// (--filter for every key, --latest, --last, --sort, --size), podman's order and errors.
#include <catch2/catch.hpp>

#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/daemon.hpp"
#include "tests/support/rootfs.hpp"

namespace ps_format_test {

using ctrd::test::live_daemon;
using json = nlohmann::json;

namespace {

// Three containers created in this order: a (running, tier=front, --restart always),
// b (running, tier=back), c (exited with 3, no labels).
void three(live_daemon& d) {
  d.ok(
      {"run", "-d", "--name", "a", "--label", "tier=front", "--restart", "always", "sleep", "100"});
  d.ok({"run", "-d", "--name", "b", "--label", "tier=back", "sleep", "100"});
  CHECK(d.ctl({"run", "--name", "c", "sh", "-c", "exit 3"}).code == 3);
}

std::string names(const live_daemon& d, std::vector<std::string> args) {
  args.insert(args.begin(), "ps");
  args.push_back("--format");
  args.push_back("{{.Names}}");
  return d.ok(args);
}

}  // namespace

TEST_CASE("ps --format runs templates and tables over podman fields oldest first", "[ps-format]") {
  live_daemon d;
  three(d);
  CHECK(names(d, {"-a"}) == "a\nb\nc");
  CHECK(names(d, {}) == "a\nb");
  auto id_a = d.ok({"inspect", "-f", "{{.Id}}", "a"});
  REQUIRE(id_a.size() == 64);

  auto table = d.ok({"ps", "--format", "table {{.ID}}\\t{{.Names}}\\t{{.State}}"});
  std::istringstream lines(table);
  std::string header, first;
  std::getline(lines, header);
  std::getline(lines, first);
  CHECK(header == "CONTAINER ID  NAMES       STATE");
  CHECK(first == id_a.substr(0, 12) + "  a           running");

  CHECK(d.ok({"ps", "-a", "--format", "{{.Names}}={{index .Labels \"tier\"}}"}) ==
        "a=front\nb=back\nc=");
  CHECK(d.ok({"ps", "-a", "--format", "{{if .Exited}}{{.Names}}:{{.ExitCode}}{{end}}"}) ==
        "\n\nc:3");  // a row per container, empty ones included (podman)
  CHECK(d.ok({"ps", "--no-trunc", "--format", "{{.ID}} {{.Names | upper}}", "-f", "name=^a$"}) ==
        id_a + " A");
  CHECK(d.ok({"ps", "-a", "--format", "{{range .}}{{.Names}},{{end}}"}) == "a,b,c,");

  auto j = json::parse(d.ok({"ps", "-a", "--format", "json"}));
  REQUIRE(j.size() == 3);
  CHECK(j[0]["Names"] == json::array({"a"}));
  CHECK(j[0]["Labels"]["tier"] == "front");
  CHECK(j[2]["ExitCode"] == 3);
  CHECK(j[2]["Exited"] == true);
  CHECK(j[0]["Pid"].get<int>() > 0);
  CHECK(j[0]["RestartPolicy"] == "always");
  CHECK(j[0].contains("Mounts"));
  CHECK(j[0].contains("StartedAt"));

  auto bad = d.ctl({"ps", "--format", "{{.Nope}}"});
  CHECK(bad.code == 125);
  CHECK(bad.err.find("template: ps:1:2: executing \"ps\" at <.Nope>: can't evaluate field Nope") !=
        std::string::npos);
  auto syntax = d.ctl({"ps", "--format", "{{if}}"});
  CHECK(syntax.code == 125);
  CHECK(syntax.err.find("missing value for if") != std::string::npos);
}

TEST_CASE("ps --filter covers every key with podman AND and OR rules and errors", "[ps-format]") {
  live_daemon d;
  three(d);
  auto id_b = d.ok({"inspect", "-f", "{{.Id}}", "b"});
  CHECK(names(d, {"-a", "-f", "id=" + id_b.substr(0, 6)}) == "b");
  CHECK(names(d, {"-a", "--filter", "name=^[ab]$"}) == "a\nb");
  CHECK(names(d, {"-a", "-f", "name=a", "-f", "name=c"}) == "a\nc");  // same key: OR
  CHECK(names(d, {"-a", "-f", "label=tier=front"}) == "a");
  CHECK(names(d, {"-a", "-f", "label=tier"}) == "a\nb");
  CHECK(names(d, {"-a", "-f", "label!=tier"}) == "c");
  CHECK(names(d, {"-a", "-f", "label=tier", "-f", "name=b"}) == "b");  // different keys: AND
  CHECK(names(d, {"-f", "status=exited"}) == "c");                     // status implies -a
  CHECK(names(d, {"-f", "status=running"}) == "a\nb");
  CHECK(names(d, {"-a", "-f", "exited=3"}) == "c");
  CHECK(names(d, {"-a", "-f", "exited=0"}).empty());
  CHECK(names(d, {"-a", "-f", "before=b"}) == "a");
  CHECK(names(d, {"-a", "-f", "since=a"}) == "b\nc");
  CHECK(names(d, {"-a", "-f", "restart-policy=always"}) == "a");
  CHECK(names(d, {"-a", "-f", "restart-policy=no"}) == "b\nc");
  CHECK(names(d, {"-a", "-f", "health=healthy"}).empty());
  d.ok({"run", "-d", "--name", "h", "--health-cmd", "true", "--health-interval", "100ms", "sleep",
        "100"});
  d.ok({"wait", "--condition", "healthy", "h"});
  CHECK(names(d, {"-f", "health=healthy"}) == "h");

  struct bad_case {
    const char* filter;
    const char* message;
  };
  for (auto [filter, message] :
       {bad_case{"foo=bar", "foo is an invalid filter"},
        bad_case{"nokey", "invalid filter \"nokey\""},
        bad_case{"status=bogus", "unknown container state: bogus"},
        bad_case{"exited=x", "exited code out of range \"x\""},
        bad_case{"restart-policy=sometimes", "sometimes invalid restart policy"},
        bad_case{"before=ghost", "no container with name or ID \"ghost\" found"}}) {
    auto r = d.ctl({"ps", "-a", "--filter", filter});
    INFO(filter << ": " << r.err);
    CHECK(r.code == 125);
    CHECK(r.err.find(message) != std::string::npos);
  }
}

TEST_CASE("ps --latest --last --sort and --size select and order like podman", "[ps-format]") {
  live_daemon d;
  three(d);
  CHECK(names(d, {"-l"}) == "c");  // the latest of all states
  CHECK(names(d, {"--latest"}) == "c");
  CHECK(names(d, {"-n", "2"}) == "b\nc");
  CHECK(names(d, {"--last", "5"}) == "a\nb\nc");
  CHECK(d.ctl({"ps", "-l", "-n", "1"}).code == 125);
  CHECK(names(d, {"-a", "--sort", "names"}) == "a\nb\nc");
  CHECK(names(d, {"-a", "--sort", "status"}) == "c\na\nb");  // "exited" < "running"
  CHECK(names(d, {"-a", "--sort", "created"}) == "a\nb\nc");
  auto bad = d.ctl({"ps", "--sort", "bogus"});
  CHECK(bad.code == 125);
  CHECK(bad.err.find("invalid option for --sort, options are: command, created, id, image, names, "
                     "runningfor, size, or status") != std::string::npos);
  // Containers on the host's file system have no layer of their own.
  CHECK(d.ok({"ps", "-a", "--size", "--format", "{{.Size}}", "-f", "name=a"}) == "0B (virtual 0B)");
  auto table = d.ok({"ps", "--size"});
  CHECK(table.rfind("CONTAINER ID  COMMAND", 0) == 0);
  CHECK(table.find("SIZE") != std::string::npos);
  auto j = json::parse(d.ok({"ps", "-a", "--size", "--format", "json"}));
  CHECK(j[0]["Size"]["RwSize"] == 0);
  CHECK(d.ctl({"ps", "-q", "--size"}).code == 125);
}

TEST_CASE("ps --size measures an overlay container's upper layer", "[ps-format]") {
  REQUIRE_ROOTFS_SUPPORT();
  live_daemon d;
  auto rootfs = ctrd::test::make_busybox_rootfs(d.dir().path());
  d.ok({"run", "--name", "ov", "--rootfs", rootfs, "--rootfs-overlay", "/bin/sh", "-c",
        "head -c 5000 /dev/zero > /written"});
  auto j = json::parse(d.ok({"ps", "-a", "--size", "--format", "json"}));
  REQUIRE(j.size() == 1);
  CHECK(j[0]["Size"]["RwSize"] == 5000);
  CHECK(j[0]["Size"]["RootFsSize"].get<int64_t>() > 5000);
  CHECK(j[0]["Image"] == rootfs);
  auto size = d.ok({"ps", "-a", "--size", "--format", "{{.Size}}"});
  CHECK(size.rfind("5kB (virtual ", 0) == 0);
}

TEST_CASE("inspect -f and events stats version --format run Go templates", "[ps-format]") {
  live_daemon d;
  auto since = std::to_string(std::time(nullptr) - 1);
  d.ok({"run", "-d", "--name", "web", "--label", "app=shop", "sleep", "100"});
  CHECK(d.ok({"inspect", "-f", "{{.State.Status}}", "web"}) == "running");
  CHECK(d.ok({"inspect", "--format", "{{json .Config.Labels}}", "web"}) == R"({"app":"shop"})");
  CHECK(d.ok({"inspect", "-f", "{{.Name}} {{.Config.Labels.app}} {{.Config.Labels.x}}", "web"}) ==
        "web shop <no value>");
  auto j = json::parse(d.ok({"inspect", "--format", "json", "web"}));
  CHECK(j[0]["Name"] == "web");
  auto bad = d.ctl({"inspect", "-f", "{{.State.Nope}}", "web"});
  CHECK(bad.code == 125);
  CHECK(bad.err.find("template: inspect:1:2: executing \"inspect\" at <.State.Nope>") !=
        std::string::npos);

  auto until = std::to_string(std::time(nullptr) + 2);
  CHECK(d.ok({"events", "--since", since, "--until", until, "--filter", "container=web", "--format",
              "{{.Status}} {{.Name}}"}) == "create web\ninit web\nstart web");

  CHECK(d.ok({"stats", "--no-stream", "--format", "{{.Name}}", "web"}) == "web");
  auto table = d.ok({"stats", "--no-stream", "--format", "table {{.Name}}\\t{{.PIDS}}", "web"});
  CHECK(table.rfind("NAME        PIDS\nweb         1", 0) == 0);

  auto v = json::parse(d.ok({"version", "--format", "json"}));
  CHECK(d.ok({"version", "--format", "{{.Client.Version}}"}) == v["Client"]["Version"]);
  CHECK(v["Server"]["Pid"].get<int>() > 0);
  CHECK(v["Client"]["Name"] == "ctrctl");
}

}  // namespace ps_format_test
