// ctrctl's network side (issue 15): the network ls rows, table and filters, `port`'s lines
// from inspect's NetworkSettings.Ports, ps's PORTS column and json, and the create flags
// --network/--ip/-p/--network-alias.
#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

#include "ctl/commands.hpp"
#include "ctl/completion.hpp"
#include "ctl/create_flags.hpp"
#include "ctl/format.hpp"
#include "ctl/go_template.hpp"
#include "ctl/network_format.hpp"
#include "ctl/ps_filter.hpp"
#include "messages/error.hpp"

namespace ctl_network_test {

using namespace ctl;

namespace {

json network(const std::string& name, char id, json containers = json::object()) {
  return json{{"name", name},
              {"id", std::string(64, id)},
              {"driver", "bridge"},
              {"network_interface", "ctrd1"},
              {"created", "2026-12-05T11:00:00.000000000Z"},
              {"subnets", json::array({{{"subnet", "10.89.0.0/24"}, {"gateway", "10.89.0.1"}}})},
              {"ipv6_enabled", false},
              {"internal", false},
              {"dns_enabled", true},
              {"labels", {{"tier", "front"}, {"env", "prod"}}},
              {"ipam_options", {{"driver", "host-local"}}},
              {"containers", std::move(containers)}};
}

json inspect_with_ports(json ports) {
  return json{{"Id", std::string(64, 'c')},
              {"NetworkSettings", {{"Ports", std::move(ports)}, {"IPAddress", "10.89.0.2"}}}};
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ctrd::error& e) {
    return e.what();
  }
  return "(no error)";
}

json definition(const std::vector<std::string>& args) {
  create_options o;
  CLI::App app;
  add_create_flags(app, o);
  std::vector<std::string> rev(args.rbegin(), args.rend());
  app.parse(rev);
  o.command = {"true"};
  return build_definition(o, {}, "/");
}

}  // namespace

TEST_CASE("network ls: podman's table with go fields and template rows", "[ctl][network]") {
  json list = json::array({network("front", 'a'), network("ctrd", 'b')});
  std::string t =
      render_format(network_template_rows(list, false), network_ls_format, network_headers());
  CHECK(t ==
        "NETWORK ID    NAME        DRIVER\n"
        "aaaaaaaaaaaa  front       bridge\n"
        "bbbbbbbbbbbb  ctrd        bridge\n");
  CHECK(render_format(network_template_rows(list, true), "{{.ID}}", {}) ==
        std::string(64, 'a') + "\n" + std::string(64, 'b') + "\n");
  CHECK(render_format(network_template_rows(list, false), "{{.Name}} {{.Labels}}", {}) ==
        "front env=prod,tier=front\nctrd env=prod,tier=front\n");
  json go = network_go_fields(network("front", 'a'));
  CHECK(go["NetworkInterface"] == "ctrd1");
  CHECK(go["Subnets"][0]["Gateway"] == "10.89.0.1");
  CHECK(go["DNSEnabled"] == true);
  CHECK(render_format(json::array({go}), "{{range .Subnets}}{{.Subnet}}{{end}} {{.Labels.tier}}",
                      {}) == "10.89.0.0/24 front\n");
  CHECK(render_format(json::array(), network_ls_format, network_headers()) ==
        "NETWORK ID  NAME        DRIVER\n");
}

TEST_CASE("network ls filters and prune's choice", "[ctl][network]") {
  json list = json::array({network("front", 'a', {{"c1", json::object()}}), network("back", 'b'),
                           network("ctrd", 'c')});
  list[1]["labels"] = {{"tier", "back"}};
  auto names = [](const json& l) {
    std::string s;
    for (const auto& n : l) s += n["name"].get<std::string>() + " ";
    return s;
  };
  CHECK(names(filter_networks(list, parse_network_filters({"name=^f"}))) == "front ");
  CHECK(names(filter_networks(list, parse_network_filters({"name=front", "name=back"}))) ==
        "front back ");
  CHECK(names(filter_networks(list, parse_network_filters({"id=bbb"}))) == "back ");
  CHECK(names(filter_networks(list, parse_network_filters({"label=tier=front"}))) == "front ctrd ");
  CHECK(names(filter_networks(list, parse_network_filters({"label!=tier=front"}))) == "back ");
  CHECK(names(filter_networks(list, parse_network_filters({"driver=macvlan"}))) == "");
  CHECK(message_of([] { parse_network_filters({"name"}); }) == "invalid filter \"name\"");
  CHECK(message_of([] { parse_network_filters({"until=1h"}); }) == "until is an invalid filter");
  // prune: unused networks only, never the default one
  CHECK(prunable_networks(list, {}) == std::vector<std::string>{"back"});
  CHECK(prunable_networks(list, parse_network_filters({"label=tier=front"})).empty());
}

TEST_CASE("port lines come from inspect's NetworkSettings.Ports", "[ctl][network]") {
  json ports = {{"80/tcp", json::array({{{"HostIp", ""}, {"HostPort", "8080"}}})},
                {"443/tcp", json::array({{{"HostIp", "127.0.0.1"}, {"HostPort", "8443"}}})},
                {"53/udp", json::array({{{"HostIp", ""}, {"HostPort", "5353"}}})},
                {"9000/tcp", nullptr}};
  auto p = published_ports(inspect_with_ports(ports));
  REQUIRE(p.size() == 3);
  bool found = false;
  CHECK(port_lines(p, "", "", found) == std::vector<std::string>{"53/udp -> 0.0.0.0:5353",
                                                                 "80/tcp -> 0.0.0.0:8080",
                                                                 "443/tcp -> 127.0.0.1:8443"});
  CHECK_FALSE(found);
  CHECK(port_lines(p, "80", "", found) == std::vector<std::string>{"0.0.0.0:8080"});
  CHECK(found);
  CHECK(port_lines(p, "443/tcp", "", found) == std::vector<std::string>{"127.0.0.1:8443"});
  CHECK(port_lines(p, "53", "", found).empty());  // tcp by default: 53/udp does not match
  CHECK_FALSE(found);
  CHECK(port_lines(p, "53/udp", "", found) == std::vector<std::string>{"0.0.0.0:5353"});
  CHECK(port_lines(p, "", "cccccccccccc\t", found)[0] == "cccccccccccc\t53/udp -> 0.0.0.0:5353");
  CHECK(published_ports(json::object()).empty());
  json stopped = inspect_with_ports(ports);
  stopped["State"] = {{"Status", "exited"}};
  CHECK(published_ports(stopped).empty());
  stopped["State"]["Status"] = "running";
  CHECK(published_ports(stopped).size() == 3);
  CHECK(published_ports(inspect_with_ports(json::object())).empty());
  CHECK(message_of([] { parse_private_port("http"); }).find("invalid port \"http\"") == 0);
  CHECK(message_of([] { parse_private_port("80/icmp"); }).find("tcp, udp or sctp") !=
        std::string::npos);
  CHECK(message_of([] { parse_private_port("70000"); }).find("invalid port") == 0);
}

TEST_CASE("ps shows PORTS and Networks like podman", "[ctl][network]") {
  json s = {{"id", std::string(64, 'd')},
            {"name", "web"},
            {"command", {"sleep", "1"}},
            {"state", "running"},
            {"created_ns", 1},
            {"started_ns", 1},
            {"ports", {"0.0.0.0:8080->80/tcp", "127.0.0.1:5000-5001->5000-5001/udp"}},
            {"networks", {"front", "back"}}};
  CHECK(ps_ports_text(s) == "0.0.0.0:8080->80/tcp, 127.0.0.1:5000-5001->5000-5001/udp");
  CHECK(ps_networks_text(s) == "front,back");
  std::string t = ps_table(json::array({s}), 2, false);
  CHECK(t.find("RESTARTS    PORTS") != std::string::npos);
  CHECK(t.find("0           0.0.0.0:8080->80/tcp, 127.0.0.1:5000-5001->5000-5001/udp  web\n") !=
        std::string::npos);
  json j = ps_json(json::array({s}), 2);
  CHECK(j[0]["Networks"] == json({"front", "back"}));
  CHECK(j[0]["Ports"] == json::parse(R"([
      {"host_ip": "", "container_port": 80, "host_port": 8080, "range": 1, "protocol": "tcp"},
      {"host_ip": "127.0.0.1", "container_port": 5000, "host_port": 5000, "range": 2,
       "protocol": "udp"}])"));
  json rows = ps_template_rows(json::array({s}), 2, false);
  CHECK(rows[0]["Ports"] == "0.0.0.0:8080->80/tcp, 127.0.0.1:5000-5001->5000-5001/udp");
  CHECK(rows[0]["Networks"] == "front,back");
  json plain = s;
  plain.erase("ports");
  plain.erase("networks");
  CHECK(ps_ports_text(plain).empty());
  CHECK(ps_ports_json(plain) == json::array());
}

TEST_CASE("create flags: --network and --ip and -p and --network-alias", "[ctl][network]") {
  json d =
      definition({"--network", "front", "--ip", "10.89.0.9", "-p", "8080:80", "--publish",
                  "127.0.0.1:53:53/udp", "--network-alias", "web,www", "--network-alias", "w3"});
  CHECK(d["network"] == "front");
  CHECK(d["ip"] == "10.89.0.9");
  CHECK(d["ports"] == json({"8080:80", "127.0.0.1:53:53/udp"}));
  CHECK(d["network_aliases"] == json({"web", "www", "w3"}));
  CHECK(definition({"--net", "bridge", "-p", "80"})["network"] == "bridge");
  CHECK(definition({"--network", "none"})["network"] == "none");
  CHECK_FALSE(definition({})["network"].is_string());

  auto err = [](const std::vector<std::string>& args) {
    return message_of([&] { definition(args); });
  };
  CHECK(err({"-p", "8080:80"}) ==
        "-p/--publish 8080:80 needs a bridge network: the container is on the host network "
        "(add --network bridge or --network NAME)");
  CHECK(err({"--network", "none", "--ip", "10.0.0.2"})
            .find("--ip 10.0.0.2 needs a bridge network: "
                  "the container is on the none") == 0);
  CHECK(err({"--network-alias", "x"}).find("needs a bridge network") != std::string::npos);
  CHECK(err({"--network", "front", "--ip", "fd00::1"}) ==
        "invalid IP address \"fd00::1\" for --ip: ctrd's networks are IPv4");
  json two = definition({"--network", "front,back", "--net", "side", "--network", "back"});
  CHECK(two["network"] == "front");
  CHECK(two["networks"] == json({"back", "side"}));
  CHECK(err({"--network", "host", "--network", "front"}) ==
        "invalid network \"front\" after \"host\": only bridge networks can be combined (host "
        "and none stand alone)");
  CHECK(err({"--network", "front,none"}).find("only bridge networks can be combined") !=
        std::string::npos);
  for (const char* bad :
       {"container:web", "ns:/proc/1/ns/net", "pasta", "slirp4netns", "-x", "a b"})
    CHECK(message_of([&] {
            network_mode(bad);
          }).find("ctrd supports host, none, bridge and the names of its networks") !=
          std::string::npos);
}

TEST_CASE("completion knows the network verbs and offers network names", "[ctl][network]") {
  CLI::App app{"ctrctl"};
  add_network(app);
  add_port(app);
  auto tree = completion_tree(app);
  auto node = [&](const std::string& path) -> const completion_node* {
    for (const auto& n : tree)
      if (n.path == path) return &n;
    return nullptr;
  };
  REQUIRE(node("network") != nullptr);
  for (const char* v : {"create", "ls", "list", "inspect", "rm", "remove", "reload", "connect",
                        "disconnect", "exists", "prune"}) {
    INFO(v);
    CHECK(std::find(node("network")->children.begin(), node("network")->children.end(), v) !=
          node("network")->children.end());
  }
  CHECK(node("network inspect")->args == "networks");
  CHECK(node("network connect")->args == "networks");
  CHECK(node("network reload")->args == "containers");
  CHECK(node("port")->args == "containers");
  std::string bash = completion_script(tree, "bash");
  CHECK(bash.find("_ctrctl_networks()") != std::string::npos);
  CHECK(bash.find("network_inspect) echo 'networks'") != std::string::npos);
  CHECK(completion_script(tree, "fish").find("-a '(__ctrctl_networks)'") != std::string::npos);
}

}  // namespace ctl_network_test
