// The wire vocabulary of networks (messages/network.hpp): json round-trips of network
// definitions, port mappings and endpoints, podman's -p syntax (valid and invalid, with
// the messages), the ps form of a port, and network names.
#include <catch2/catch.hpp>

#include "messages/error.hpp"
#include "messages/isolation.hpp"
#include "messages/network.hpp"

namespace network_wire_test {

using namespace ctrd;

namespace {

// The message of the ctrd::error `f` throws, checking its code.
template <class F>
std::string error_of(F f, ec code = ec::invalid_argument) {
  try {
    f();
  } catch (const ctrd::error& e) {
    CHECK(e.code() == code);
    return e.what();
  }
  FAIL("no error thrown");
  return {};
}

}  // namespace

TEST_CASE("a network definition round-trips through json", "[network]") {
  network_def n;
  n.name = "web-net";
  n.id = std::string(64, 'a');
  n.interface_name = "ctrd3";
  n.subnet = "10.89.3.0/24";
  n.gateway = "10.89.3.1";
  n.internal = true;
  n.dns_enabled = false;
  n.created_ns = 1795000000123456789;
  n.labels = {{"a", "1"}, {"team", "x"}};
  json j = to_json(n);
  CHECK(j.at("name") == "web-net");
  CHECK(j.at("interface_name") == "ctrd3");
  CHECK(j.at("created_ns") == 1795000000123456789);
  CHECK(network_def_from_json(j) == n);
  CHECK(network_def_from_json(json::parse(j.dump())) == n);

  network_def d;
  d.name = "plain";
  CHECK(network_def_from_json(to_json(d)) == d);
  // Missing keys keep their defaults.
  network_def m = network_def_from_json(json{{"name", "m"}});
  CHECK(m.driver == "bridge");
  CHECK(m.dns_enabled);
  CHECK_FALSE(m.internal);
}

TEST_CASE("malformed network definitions are refused naming the field", "[network]") {
  CHECK(error_of([] { network_def_from_json(json::array()); }) == "network must be a map");
  CHECK(error_of([] {
          network_def_from_json(json{{"name", 3}});
        }) == "network: field \"name\" must be a string");
  CHECK(error_of([] {
          network_def_from_json(json{{"name", "a"}, {"internal", "yes"}});
        }) == "network: field \"internal\" must be a boolean");
  CHECK(error_of([] {
          network_def_from_json(json{{"name", "a"}, {"labels", json{{"k", 1}}}});
        }) == "network: field \"labels\" must be a map of strings");
  CHECK(error_of([] {
          network_def_from_json(json{{"name", "a"}, {"created_ns", 1.5}});
        }) == "network: field \"created_ns\" must be an integer");
  CHECK(error_of([] { network_def_from_json(json::object()); }) ==
        "network: field \"name\" is missing");
}

TEST_CASE("a port mapping round-trips through json", "[network]") {
  port_mapping p{"127.0.0.1", 8080, 80, "udp", 3};
  json j = to_json(p);
  CHECK(j == json{{"host_ip", "127.0.0.1"},
                  {"host_port", 8080},
                  {"container_port", 80},
                  {"protocol", "udp"},
                  {"range", 3}});
  CHECK(port_mapping_from_json(j) == p);
  CHECK(port_mapping_from_json(json::parse(j.dump())) == p);
  port_mapping d;
  d.host_port = 1;
  d.container_port = 1;
  CHECK(port_mapping_from_json(to_json(d)) == d);

  CHECK(error_of([] {
          port_mapping_from_json(json{{"container_port", 0}});
        }) == "port mapping: field \"container_port\" must be in range");
  CHECK(error_of([] {
          port_mapping_from_json(json{{"host_port", 1}});
        }) == "port mapping: field \"container_port\" must be a port 1-65535");
  CHECK(error_of([] {
          port_mapping_from_json(json{{"container_port", 70000}});
        }) == "port mapping: field \"container_port\" must be in range");
  CHECK(error_of([] {
          port_mapping_from_json(json{{"container_port", 80}, {"protocol", "icmp"}});
        }) == "port mapping: field \"protocol\" must be tcp, udp or sctp");
  CHECK(error_of([] {
          port_mapping_from_json(json{{"container_port", 65535}, {"range", 2}});
        }) == "port mapping: field \"range\" must be a count that stays below port 65536");
  CHECK(error_of([] { port_mapping_from_json("80"); }) == "port mapping must be a map");
}

TEST_CASE("a network endpoint round-trips through json", "[network]") {
  network_endpoint e;
  e.network = "ctrd0";
  e.interface = "eth1";
  e.ip = "10.99.0.2";
  e.prefix_len = 24;
  e.gateway = "10.99.0.1";
  e.mac = "0a:b3:6e:17:24:08";
  e.dns_servers = {"10.99.0.1"};
  e.dns_search = {"dns.podman"};
  json j = to_json(e);
  CHECK(j.at("interface") == "eth1");
  CHECK(j.at("prefix_len") == 24);
  CHECK(j.at("dns_search") == json::array({"dns.podman"}));
  CHECK(network_endpoint_from_json(j) == e);
  CHECK(network_endpoint_from_json(json::parse(j.dump())) == e);
  CHECK(network_endpoint_from_json(to_json(network_endpoint{})) == network_endpoint{});
  CHECK(error_of([] {
          network_endpoint_from_json(json{{"dns_servers", "x"}});
        }) == "network endpoint: field \"dns_servers\" must be an array of strings");
  CHECK(error_of([] {
          network_endpoint_from_json(json{{"prefix_len", 33}});
        }) == "network endpoint: field \"prefix_len\" must be in range");
}

TEST_CASE("network requests compare by every field", "[network]") {
  network_request a;
  CHECK(a.empty());
  a.networks = {"n1", "n2"};
  a.static_ip = "10.89.0.7";
  a.ports = {parse_port_spec("8080:80")};
  a.aliases = {"db"};
  CHECK_FALSE(a.empty());
  network_request b = a;
  CHECK(a == b);
  b.aliases.clear();
  CHECK_FALSE(a == b);
  b = a;
  b.ports[0].protocol = "udp";
  CHECK_FALSE(a == b);
  b = a;
  b.static_ip.clear();
  CHECK_FALSE(a == b);
}

TEST_CASE("podman's -p syntax parses into port mappings", "[network]") {
  struct row {
    const char* text;
    port_mapping want;
  };
  const row rows[] = {
      {"80", {"", 80, 80, "tcp", 1}},
      {"8080:80", {"", 8080, 80, "tcp", 1}},
      {"8080:80/tcp", {"", 8080, 80, "tcp", 1}},
      {"8080:80/udp", {"", 8080, 80, "udp", 1}},
      {"5000:5000/sctp", {"", 5000, 5000, "sctp", 1}},
      {"53/udp", {"", 53, 53, "udp", 1}},
      {":80", {"", 80, 80, "tcp", 1}},
      {"127.0.0.1:8080:80", {"127.0.0.1", 8080, 80, "tcp", 1}},
      {"127.0.0.1::80", {"127.0.0.1", 80, 80, "tcp", 1}},
      {"0.0.0.0:8080:80", {"", 8080, 80, "tcp", 1}},
      {"::80", {"", 80, 80, "tcp", 1}},
      {"10.1.2.3:9000-9002:7000-7002/udp", {"10.1.2.3", 9000, 7000, "udp", 3}},
      {"8080-8081:80-81", {"", 8080, 80, "tcp", 2}},
      {"80-81", {"", 80, 80, "tcp", 2}},
      {"7000-7000:8000", {"", 7000, 8000, "tcp", 1}},
      {"1:65535", {"", 1, 65535, "tcp", 1}},
      {"65535", {"", 65535, 65535, "tcp", 1}},
      {"01080:080", {"", 1080, 80, "tcp", 1}},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    port_mapping got = parse_port_spec(r.text);
    CHECK(got == r.want);
    CHECK(port_mapping_from_json(to_json(got)) == got);
  }
}

TEST_CASE("invalid -p values are refused naming the text and the reason", "[network]") {
  struct row {
    const char* text;
    const char* message;
  };
  const row rows[] = {
      {"", "invalid port \"\": empty (expected [[IP:][HOST]:]CTR[/PROTO])"},
      {"80x", "invalid port \"80x\": \"80x\" is not a port number (1-65535)"},
      {"0", "invalid port \"0\": \"0\" is not a port number (1-65535)"},
      {"65536", "invalid port \"65536\": \"65536\" is not a port number (1-65535)"},
      {"123456", "invalid port \"123456\": \"123456\" is not a port number (1-65535)"},
      {"-1", "invalid port \"-1\": \"\" is not a port number (1-65535)"},
      {"8080:", "invalid port \"8080:\": container port is missing"},
      {"8080:80/icmp",
       "invalid port \"8080:80/icmp\": protocol \"icmp\" is not one of tcp, udp, sctp"},
      {"80/", "invalid port \"80/\": protocol \"\" is not one of tcp, udp, sctp"},
      {"80/tcp,udp",
       "invalid port \"80/tcp,udp\": protocol \"tcp,udp\" is not one of tcp, udp, sctp"},
      {"1.2.3.4:5:6:7",
       "invalid port \"1.2.3.4:5:6:7\": too many colons (expected "
       "[[IP:][HOST]:]CTR[/PROTO])"},
      {"1.2.3:80:80", "invalid port \"1.2.3:80:80\": host IP \"1.2.3\" is not an IPv4 address"},
      {"256.0.0.1:80:80",
       "invalid port \"256.0.0.1:80:80\": host IP \"256.0.0.1\" is not an IPv4 address"},
      {"localhost:80:80",
       "invalid port \"localhost:80:80\": host IP \"localhost\" is not an IPv4 address"},
      {"[::1]:8080:80",
       "invalid port \"[::1]:8080:80\": IPv6 host addresses are not supported (IPv4 only)"},
      {"81-80", "invalid port \"81-80\": range \"81-80\" ends before it starts"},
      {"8080-8082:80-81",
       "invalid port \"8080-8082:80-81\": host and container port ranges "
       "have different lengths (3 vs 2)"},
      {"8080:80-81",
       "invalid port \"8080:80-81\": host and container port ranges have "
       "different lengths (1 vs 2)"},
      {"80-x", "invalid port \"80-x\": \"x\" is not a port number (1-65535)"},
      {"x:80", "invalid port \"x:80\": \"x\" is not a port number (1-65535)"},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    CHECK(error_of([&] { parse_port_spec(r.text); }) == r.message);
  }
}

TEST_CASE("ports print in podman's ps form", "[network]") {
  CHECK(format_port({"", 8080, 80, "tcp", 1}) == "0.0.0.0:8080->80/tcp");
  CHECK(format_port({"127.0.0.1", 53, 53, "udp", 1}) == "127.0.0.1:53->53/udp");
  CHECK(format_port({"", 8080, 80, "tcp", 2}) == "0.0.0.0:8080-8081->80-81/tcp");
  CHECK(format_port({"10.0.0.1", 9000, 7000, "sctp", 3}) == "10.0.0.1:9000-9002->7000-7002/sctp");
  CHECK(format_port(parse_port_spec("0.0.0.0:8080-8081:80-81/udp")) ==
        "0.0.0.0:8080-8081->80-81/udp");
}

TEST_CASE("network names follow podman's rules and leave out the modes", "[network]") {
  for (const char* ok : {"a", "web", "web-net", "Web_1.2", "0net", "ctrd", "ctrd0"}) {
    INFO(ok);
    CHECK(valid_network_name(ok));
  }
  CHECK(valid_network_name(std::string(64, 'n')));
  CHECK_FALSE(valid_network_name(std::string(65, 'n')));
  for (const char* bad : {"", "-a", "_a", ".a", "a b", "a/b", "a:b", "é", "host", "none", "bridge",
                          "private", "slirp4netns", "pasta"}) {
    INFO(bad);
    CHECK_FALSE(valid_network_name(bad));
  }
  CHECK(valid_network_name(default_network));
}

TEST_CASE("the network keys of a container definition are checked at create", "[network]") {
  auto check = [](std::vector<std::pair<std::string, json>> keys) -> std::string {
    ctrd::isolation_spec s;
    try {
      for (auto& [k, v] : keys) ctrd::isolation_from_key(s, k, v);
      ctrd::validate(s);
    } catch (const ctrd::error& e) {
      return e.what();
    }
    return "";
  };
  CHECK(check({{"network", "appnet"}, {"ip", "10.89.0.5"}, {"ports", json{"8080:80"}}}) == "");
  ctrd::isolation_spec bridge;
  ctrd::isolation_from_key(bridge, "network", "bridge");
  CHECK(bridge.network == ctrd::default_network);
  CHECK(bridge.all_networks() == std::vector<std::string>{"ctrd"});
  CHECK(check({{"network", "appnet"}, {"ip", "10.89.0"}}).find("invalid IP address") == 0);
  CHECK(check({{"network", "appnet"}, {"ports", json{"80x"}}}).find("80x") != std::string::npos);
  CHECK(check({{"ip", "10.89.0.5"}}).find("need a bridge network") != std::string::npos);
  CHECK(check({{"network", "none"}, {"ports", json{"80:80"}}}).find("\"none\"") !=
        std::string::npos);
  CHECK(check({{"network", "host"}, {"networks", json{"a"}}}).find("extra networks") == 0);
  CHECK(check({{"network", "bad name!"}}).find("network") != std::string::npos);
  ctrd::isolation_spec two;
  ctrd::isolation_from_key(two, "network", "a");
  ctrd::isolation_from_key(two, "networks", json{"b", "a", "bridge"});
  CHECK(two.all_networks() == std::vector<std::string>{"a", "b", "ctrd"});
}

}  // namespace network_wire_test
