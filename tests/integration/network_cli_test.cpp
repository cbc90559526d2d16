// ctrctl's network verbs through the real ctrctl against a real ctrd (issue 15): network
// create/ls/inspect/exists/rm/prune, their errors and podman's exit codes, and the create
// flags that need no network set up. Nothing here starts a container on a bridge network:
// creating a network or a container only writes ctrd's store (no interface, address or rule
// exists until a container on it starts), so these tests leave the host's network alone.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/support/daemon.hpp"

namespace network_cli_test {

using ctrd::test::live_daemon;
using ctrd::test::proc_result;
using ctrd::test::run_process;
using json = nlohmann::json;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) out.push_back(l);
  return out;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const auto& l : lines_of(text))
    if (l == line) return true;
  return false;
}

// COMPREPLY of a bash completion of `words` (the last one is being completed), sorted.
std::string complete(const live_daemon& d, const std::string& words) {
  std::string bin_dir = std::filesystem::path(CTRCTL_BIN).parent_path().string();
  auto r = run_process({"/bin/bash", "-c",
                        "export PATH=" + bin_dir + ":$PATH CTRD_SOCKET=" + d.socket() +
                            "\nsource <(ctrctl completion bash) || exit 3\nCOMP_WORDS=(" + words +
                            ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n_ctrctl\n"
                            "[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\\n' \"${COMPREPLY[@]}\"\n"});
  REQUIRE(r.code == 0);
  auto lines = lines_of(r.out);
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("network create and ls and inspect and exists and rm like podman", "[network_cli]") {
  live_daemon d;
  CHECK(d.ok({"network", "create", "--subnet", "10.123.0.0/24", "--label", "tier=front",
              "front"}) == "front");

  auto ls = d.ctl({"network", "ls"});
  INFO(ls.out << ls.err);
  REQUIRE(ls.code == 0);
  auto rows = lines_of(ls.out);
  REQUIRE_FALSE(rows.empty());
  CHECK(std::regex_match(rows[0], std::regex("NETWORK ID +NAME +DRIVER")));
  bool listed = false;
  for (const auto& r : rows)
    listed = listed || std::regex_match(r, std::regex("[0-9a-f]{12}  front +bridge"));
  CHECK(listed);
  CHECK(has_line(d.ok({"network", "list", "-q"}), "front"));
  CHECK(d.ok({"network", "ls", "--filter", "name=^fro", "--format", "{{.Name}} {{.Driver}}"}) ==
        "front bridge");
  CHECK(d.ok({"network", "ls", "--noheading", "--filter", "label=tier=front", "--format",
              "table {{.Name}}"}) == "front");
  json listed_json = json::parse(d.ok({"network", "ls", "--format", "json"}));
  REQUIRE(listed_json.is_array());
  bool in_json = false;
  for (const auto& n : listed_json) in_json = in_json || n.value("name", "") == "front";
  CHECK(in_json);

  json inspected = json::parse(d.ok({"network", "inspect", "front"}));
  REQUIRE(inspected.size() == 1);
  CHECK(inspected[0]["name"] == "front");
  CHECK(inspected[0]["driver"] == "bridge");
  CHECK(inspected[0]["id"].get<std::string>().size() == 64);
  CHECK(inspected[0]["subnets"][0]["subnet"] == "10.123.0.0/24");
  CHECK(inspected[0]["subnets"][0]["gateway"] == "10.123.0.1");
  CHECK(inspected[0]["labels"]["tier"] == "front");
  CHECK(d.ok({"network", "inspect", "-f", "{{.Name}} {{range .Subnets}}{{.Gateway}}{{end}}",
              "front"}) == "front 10.123.0.1");

  CHECK(d.ctl({"network", "exists", "front"}).code == 0);
  auto missing = d.ctl({"network", "exists", "nosuch"});
  CHECK(missing.code == 1);
  CHECK(missing.out.empty());
  CHECK(missing.err.empty());

  auto again = d.ctl({"network", "create", "front"});
  CHECK(again.code == 125);
  CHECK(again.err.find("front") != std::string::npos);
  CHECK(d.ok({"network", "create", "--ignore", "front"}) == "front");

  auto both = d.ctl({"network", "inspect", "front", "nosuch"});
  CHECK(both.code == 125);
  CHECK(json::parse(both.out).size() == 1);
  CHECK(both.err.find("Error: ") == 0);
  CHECK(both.err.find("nosuch") != std::string::npos);

  CHECK(d.ok({"network", "rm", "front"}) == "front");
  CHECK(d.ctl({"network", "exists", "front"}).code == 1);
  auto gone = d.ctl({"network", "rm", "front"});
  CHECK(gone.code == 1);  // podman: a missing network is exit 1
  CHECK(gone.err.find("front") != std::string::npos);
}

TEST_CASE("network create refuses bad names and subnets with clear errors", "[network_cli]") {
  live_daemon d;
  auto bad_subnet = d.ctl({"network", "create", "--subnet", "10.1.2.3/99", "n1"});
  CHECK(bad_subnet.code == 125);
  CHECK(bad_subnet.err.find("10.1.2.3/99") != std::string::npos);

  auto bad_name = d.ctl({"network", "create", "bad name"});
  CHECK(bad_name.code == 125);
  CHECK(bad_name.err.find("bad name") != std::string::npos);
  CHECK(d.ctl({"network", "create", "host"}).code == 125);

  auto no_subnet = d.ctl({"network", "create", "--gateway", "10.5.0.1", "n2"});
  CHECK(no_subnet.code == 125);
  CHECK(no_subnet.err.find("cannot set gateway or range without subnet") != std::string::npos);

  d.ok({"network", "create", "--subnet", "10.124.0.0/16", "wide"});
  auto overlap = d.ctl({"network", "create", "--subnet", "10.124.5.0/24", "narrow"});
  INFO(overlap.err);
  CHECK(overlap.code == 125);
  CHECK(overlap.err.find("10.124.") != std::string::npos);
  CHECK(d.ctl({"network", "exists", "narrow"}).code == 1);
}

TEST_CASE("containers on a network: unknown network and in use and rm -f and ps and port",
          "[network_cli]") {
  live_daemon d;
  auto unknown = d.ctl({"create", "--network", "nosuch", "true"});
  CHECK(unknown.code == 125);
  CHECK(unknown.err.find("nosuch") != std::string::npos);

  auto no_net = d.ctl({"create", "-p", "8080:80", "true"});
  CHECK(no_net.code == 125);
  CHECK(no_net.err.find("needs a bridge network") != std::string::npos);

  d.ok({"network", "create", "--subnet", "10.125.0.0/24", "used"});
  // Created, never started: no interface exists, only the store knows it.
  d.ok({"create", "--name", "web", "--network", "used", "--ip", "10.125.0.7", "-p", "8080:80",
        "--network-alias", "www", "sleep", "100"});
  auto ports = d.ok({"ps", "-a", "--filter", "name=^web$", "--format", "{{.Ports}}|{{.Networks}}"});
  CHECK(ports.find("8080->80/tcp") != std::string::npos);
  CHECK(ports.find("|used") != std::string::npos);

  auto in_use = d.ctl({"network", "rm", "used"});
  CHECK(in_use.code == 2);  // podman: a network in use is exit 2
  CHECK(in_use.err.find("used") != std::string::npos);
  CHECK(d.ctl({"network", "prune", "-f"}).out.find("used") == std::string::npos);

  // Not running: podman's port lists nothing (inspect shows the configured mapping).
  json settings = ctrd::test::inspect(d, "web")["NetworkSettings"];
  CHECK(settings["Ports"]["80/tcp"][0]["HostPort"] == "8080");
  for (auto args : {std::vector<std::string>{"port", "web"}, {"port", "web", "80"}}) {
    auto port = d.ctl(args);
    CHECK(port.code == 0);
    CHECK(port.out.empty());
  }
  CHECK(d.ctl({"port", "web", "http"}).code == 125);

  auto reload = d.ctl({"network", "reload", "nosuch"});
  CHECK(reload.code == 125);
  CHECK(reload.err.find("nosuch") != std::string::npos);

  CHECK(d.ok({"network", "rm", "-f", "used"}) == "used");
  CHECK(d.ctl({"container", "exists", "web"}).code == 1);
  CHECK(d.ctl({"network", "exists", "used"}).code == 1);
}

TEST_CASE("network prune removes the unused networks", "[network_cli]") {
  live_daemon d;
  d.ok({"network", "create", "--subnet", "10.126.0.0/24", "p1"});
  d.ok({"network", "create", "--subnet", "10.127.0.0/24", "--label", "keep=1", "p2"});
  CHECK(d.ok({"network", "prune", "-f", "--filter", "label!=keep"}) == "p1");
  CHECK(d.ctl({"network", "exists", "p1"}).code == 1);
  CHECK(d.ctl({"network", "exists", "p2"}).code == 0);
  auto declined = d.ctl({"network", "prune"}, "n\n");
  CHECK(declined.code == 0);
  CHECK(d.ctl({"network", "exists", "p2"}).code == 0);
}

TEST_CASE("completion offers network names and network verbs", "[network_cli]") {
  live_daemon d;
  d.ok({"network", "create", "--subnet", "10.128.0.0/24", "compnet"});
  d.ok({"create", "--name", "alpha", "sleep", "1"});
  CHECK(complete(d, "ctrctl network co") == "connect\n");
  CHECK(complete(d, "ctrctl network rm com") == "compnet\n");
  CHECK(complete(d, "ctrctl network connect compnet al") == "alpha\n");
}

}  // namespace network_cli_test
