// netavark's side of a container's networks (runtime/netavark.hpp), without running it:
// the json options (exactly what netavark 1.4 was measured to accept), the argv, the parse
// of what setup prints (netavark 1.4's real output) and the wording of failures.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "messages/error.hpp"
#include "runtime/netavark.hpp"

namespace netavark_test {

using namespace ctrd;

namespace {

const std::string cid(64, 'c');
const std::string nid0(64, 'a');
const std::string nid1(64, 'b');

network_def net(const std::string& name, const std::string& id, const std::string& bridge,
                const std::string& subnet, const std::string& gw) {
  network_def n;
  n.name = name;
  n.id = id;
  n.interface_name = bridge;
  n.subnet = subnet;
  n.gateway = gw;
  return n;
}

// netavark 1.4's stdout of a successful setup, measured in a private namespace.
const char* real_status =
    R"({"ctrd0":{"dns_search_domains":["dns.podman"],"dns_server_ips":["10.99.0.1"],)"
    R"("interfaces":{"eth0":{"mac_address":"0a:b3:6e:17:24:08","subnets":[{"gateway":)"
    R"("10.99.0.1","ipnet":"10.99.0.2/24"}]}}}})";

}  // namespace

TEST_CASE("netavark options for one network are what netavark 1.4 accepted", "[netavark]") {
  netavark::attachment a{
      net("ctrd0", nid0, "ctrd0", "10.99.0.0/24", "10.99.0.1"), "10.99.0.2", "eth0", "", {"web"}};
  json got = netavark::options(cid, "web", {a}, {port_mapping{"", 8080, 80, "tcp", 1}});
  json want = json::parse(R"({"container_id": ")" + cid + R"(", "container_name": "web",
    "networks": {"ctrd0": {"interface_name": "eth0", "static_ips": ["10.99.0.2"],
                           "aliases": ["web"]}},
    "network_info": {"ctrd0": {"dns_enabled": true, "driver": "bridge", "id": ")" +
                          nid0 + R"(", "internal": false, "ipv6_enabled": false,
                               "name": "ctrd0", "network_interface": "ctrd0",
                               "subnets": [{"gateway": "10.99.0.1", "subnet": "10.99.0.0/24"}]}},
    "port_mappings": [{"container_port": 80, "host_ip": "", "host_port": 8080,
                       "protocol": "tcp", "range": 1}]})");
  CHECK(got == want);
  CHECK(got.dump() == want.dump());
}

TEST_CASE("netavark options for two networks with a MAC and no ports or aliases", "[netavark]") {
  network_def n1 = net("back", nid1, "ctrd1", "10.89.1.0/24", "10.89.1.1");
  n1.internal = true;
  n1.dns_enabled = false;
  netavark::attachment a0{net("ctrd0", nid0, "ctrd0", "10.99.0.0/24", "10.99.0.1"),
                          "10.99.0.2",
                          "eth0",
                          "0a:b3:6e:17:24:08",
                          {"web", "www"}};
  netavark::attachment a1{n1, "10.89.1.7", "eth1", "", {}};
  json got = netavark::options(cid, "web", {a0, a1}, {});
  json want = json::parse(R"({"container_id": ")" + cid + R"(", "container_name": "web",
    "networks": {
      "ctrd0": {"interface_name": "eth0", "static_ips": ["10.99.0.2"], "aliases": ["web", "www"],
                "static_mac": "0a:b3:6e:17:24:08"},
      "back": {"interface_name": "eth1", "static_ips": ["10.89.1.7"]}},
    "network_info": {
      "ctrd0": {"dns_enabled": true, "driver": "bridge", "id": ")" +
                          nid0 + R"(", "internal": false, "ipv6_enabled": false,
                "name": "ctrd0", "network_interface": "ctrd0",
                "subnets": [{"gateway": "10.99.0.1", "subnet": "10.99.0.0/24"}]},
      "back": {"dns_enabled": false, "driver": "bridge", "id": ")" +
                          nid1 + R"(", "internal": true, "ipv6_enabled": false,
               "name": "back", "network_interface": "ctrd1",
               "subnets": [{"gateway": "10.89.1.1", "subnet": "10.89.1.0/24"}]}}})");
  CHECK(got == want);
  CHECK_FALSE(got.contains("port_mappings"));

  // Several ports, a range among them, keep their order.
  json ports = netavark::options(
      cid, "web", {a0},
      {parse_port_spec("127.0.0.1:8080-8081:80-81"), parse_port_spec("53/udp")})["port_mappings"];
  CHECK(ports == json::parse(R"([
    {"container_port": 80, "host_ip": "127.0.0.1", "host_port": 8080, "protocol": "tcp",
     "range": 2},
    {"container_port": 53, "host_ip": "", "host_port": 53, "protocol": "udp", "range": 1}])"));
}

TEST_CASE("netavark argv: config dir and aardvark when found and verb and namespace",
          "[netavark]") {
  netavark::binaries b{"/usr/lib/podman/netavark", "/usr/lib/podman/aardvark-dns"};
  CHECK(netavark::argv(b, "/run/ctrd/net", "setup", "/run/ctrd/netns/abc") ==
        std::vector<std::string>{"/usr/lib/podman/netavark", "--config", "/run/ctrd/net",
                                 "--aardvark-binary", "/usr/lib/podman/aardvark-dns", "setup",
                                 "/run/ctrd/netns/abc"});
  b.aardvark.clear();
  CHECK(
      netavark::argv(b, "/cfg", "teardown", "/ns") ==
      std::vector<std::string>{"/usr/lib/podman/netavark", "--config", "/cfg", "teardown", "/ns"});
}

TEST_CASE("netavark binaries come from $CTRD_NETAVARK_DIR or /usr/lib/podman", "[netavark]") {
  char tmpl[] = "/tmp/ctrd-netavark-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  std::string dir = tmpl;
  const char* old = std::getenv("CTRD_NETAVARK_DIR");
  std::string saved = old ? old : "";
  ::setenv("CTRD_NETAVARK_DIR", dir.c_str(), 1);
  CHECK(netavark::find_binaries().netavark.empty());
  CHECK(netavark::find_binaries().aardvark.empty());
  for (const char* name : {"netavark", "aardvark-dns"}) {
    std::ofstream(dir + "/" + name) << "#!/bin/sh\n";
  }
  // Not executable yet: not found.
  CHECK(netavark::find_binaries().netavark.empty());
  ::chmod((dir + "/netavark").c_str(), 0755);
  auto b = netavark::find_binaries();
  CHECK(b.netavark == dir + "/netavark");
  CHECK(b.aardvark.empty());
  ::chmod((dir + "/aardvark-dns").c_str(), 0755);
  CHECK(netavark::find_binaries().aardvark == dir + "/aardvark-dns");
  ::setenv("CTRD_NETAVARK_DIR", "", 1);  // empty: the default
  b = netavark::find_binaries();
  bool installed = ::access("/usr/lib/podman/netavark", X_OK) == 0;
  CHECK(b.netavark == (installed ? "/usr/lib/podman/netavark" : ""));
  if (old)
    ::setenv("CTRD_NETAVARK_DIR", saved.c_str(), 1);
  else
    ::unsetenv("CTRD_NETAVARK_DIR");
  std::remove((dir + "/netavark").c_str());
  std::remove((dir + "/aardvark-dns").c_str());
  ::rmdir(dir.c_str());
}

TEST_CASE("netavark setup's status parses into endpoints", "[netavark]") {
  auto eps = netavark::parse_status(real_status);
  REQUIRE(eps.size() == 1);
  network_endpoint want;
  want.network = "ctrd0";
  want.interface = "eth0";
  want.ip = "10.99.0.2";
  want.prefix_len = 24;
  want.gateway = "10.99.0.1";
  want.mac = "0a:b3:6e:17:24:08";
  want.dns_servers = {"10.99.0.1"};
  want.dns_search = {"dns.podman"};
  CHECK(eps[0] == want);

  // Two networks, one without DNS (no dns keys) and an IPv6 address listed first.
  auto two = netavark::parse_status(
      R"({"b":{"interfaces":{"eth1":{"mac_address":"aa:bb:cc:dd:ee:ff","subnets":[)"
      R"({"ipnet":"fd00::2/64"},{"gateway":"10.89.1.1","ipnet":"10.89.1.7/24"}]}}},)" +
      std::string(real_status).substr(1) + "\n");
  REQUIRE(two.size() == 2);
  CHECK(two[0].network == "b");
  CHECK(two[0].interface == "eth1");
  CHECK(two[0].ip == "10.89.1.7");
  CHECK(two[0].prefix_len == 24);
  CHECK(two[0].gateway == "10.89.1.1");
  CHECK(two[0].dns_servers.empty());
  CHECK(two[0].dns_search.empty());
  CHECK(two[1] == want);

  // An internal network's address has no gateway.
  auto internal = netavark::parse_status(
      R"({"i":{"interfaces":{"eth0":{"mac_address":"m","subnets":[{"ipnet":"10.9.0.2/16"}]}}}})");
  REQUIRE(internal.size() == 1);
  CHECK(internal[0].gateway.empty());
  CHECK(internal[0].prefix_len == 16);
}

TEST_CASE("malformed status text is an internal error quoting it", "[netavark]") {
  struct row {
    const char* text;
    const char* message;
  };
  const row rows[] = {
      {"", "unexpected output of netavark setup (not json): "},
      {"garbage", "unexpected output of netavark setup (not json): garbage"},
      {"[1]", "unexpected output of netavark setup (not a map): [1]"},
      {"{}", "unexpected output of netavark setup (no network): {}"},
      {R"({"n":1})", "unexpected output of netavark setup (network n is not a map): {\"n\":1}"},
      {R"({"n":{}})",
       "unexpected output of netavark setup (network n has no interface): "
       "{\"n\":{}}"},
      {R"({"n":{"interfaces":{}}})",
       "unexpected output of netavark setup (network n has no interface): "
       "{\"n\":{\"interfaces\":{}}}"},
      {R"({"n":{"interfaces":{"eth0":{"mac_address":"m"}}}})",
       "unexpected output of netavark setup (network n has no IPv4 address): "
       "{\"n\":{\"interfaces\":{\"eth0\":{\"mac_address\":\"m\"}}}}"},
      {R"({"n":{"interfaces":{"eth0":{"subnets":[{"ipnet":"10.0.0.2/99"}]}}}})",
       "unexpected output of netavark setup (bad ipnet \"10.0.0.2/99\"): "
       "{\"n\":{\"interfaces\":{\"eth0\":{\"subnets\":[{\"ipnet\":\"10.0.0.2/99\"}]}}}}"},
      {R"({"n":{"interfaces":{"eth0":{"subnets":{}}}}})",
       "unexpected output of netavark setup (subnets is not an array): "
       "{\"n\":{\"interfaces\":{\"eth0\":{\"subnets\":{}}}}}"},
      {R"({"n":{"dns_server_ips":"x","interfaces":{"eth0":{"subnets":[{"ipnet":"1.2.3.4/8"}]}}}})",
       "unexpected output of netavark setup (dns_server_ips is not an array): "
       "{\"n\":{\"dns_server_ips\":\"x\",\"interfaces\":{\"eth0\":{\"subnets\":[{\"ipnet\":"
       "\"1.2.3.4/8\"}]}}}}"},
      {R"({"n":{"interfaces":{"eth0":{"mac_address":7,"subnets":[]}}}})",
       "unexpected output of netavark setup (mac_address is not a string): "
       "{\"n\":{\"interfaces\":{\"eth0\":{\"mac_address\":7,\"subnets\":[]}}}}"},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    try {
      netavark::parse_status(r.text);
      FAIL("no error");
    } catch (const ctrd::error& e) {
      CHECK(e.code() == ec::internal);
      CHECK(std::string(e.what()) == r.message);
    }
  }
  // Long text is cut in the message.
  std::string long_text(1000, 'x');
  try {
    netavark::parse_status(long_text);
    FAIL("no error");
  } catch (const ctrd::error& e) {
    CHECK(std::string(e.what()).size() < 400);
    CHECK(std::string(e.what()).find("...") != std::string::npos);
  }
}

TEST_CASE("a failed netavark run is worded from its error json or its stderr", "[netavark]") {
  const std::string syslog = "failed to connect to syslog: Initialization\n";
  struct row {
    std::string out;
    std::string err;
    int code;
    const char* want;
  };
  const row rows[] = {
      {R"({"error":"create veth pair: interface eth0 already exists on container namespace"})"
       "\n",
       syslog, 1, "create veth pair: interface eth0 already exists on container namespace"},
      {"", syslog + "Error: netns: No such file or directory\n", 1,
       "Error: netns: No such file or directory"},
      {"", "  oops  \n" + syslog + "second line\n", 2, "oops  \nsecond line"},
      {"", syslog, 1, "exit code 1"},
      {"", "", 137, "exit code 137"},
      {R"({"error":""})", syslog, 3, "{\"error\":\"\"}"},
      {"not json\n", "", 4, "not json"},
      {R"({"other":"x"})", "the real reason\n", 1, "the real reason"},
  };
  for (const auto& r : rows) {
    INFO(r.out << " | " << r.err);
    CHECK(netavark::failure_text(r.out, r.err, r.code) == r.want);
  }
}

}  // namespace netavark_test
