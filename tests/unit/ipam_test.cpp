// IPv4 address management (core/ipam.hpp) as tables: address and CIDR parsing, overlap,
// the free-subnet search (skipping used ones, running out), the lowest free address and the
// checks of a pinned address, with their error codes and messages.
#include <catch2/catch.hpp>

#include "core/ipam.hpp"
#include "messages/error.hpp"

namespace ipam_test {

using namespace ctrd;
using namespace ctrd::ipam;

namespace {

uint32_t ip(const char* text) {
  auto a = parse_ipv4(text);
  REQUIRE(a);
  return *a;
}

template <class F>
std::string error_of(F f, ec code) {
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

TEST_CASE("IPv4 addresses parse strictly and print back", "[ipam]") {
  struct row {
    const char* text;
    uint32_t addr;
  };
  const row ok[] = {{"0.0.0.0", 0},
                    {"10.89.0.2", 0x0a590002},
                    {"255.255.255.255", 0xffffffff},
                    {"192.168.1.10", 0xc0a8010a},
                    {"1.2.3.4", 0x01020304}};
  for (const auto& r : ok) {
    INFO(r.text);
    auto a = parse_ipv4(r.text);
    REQUIRE(a);
    CHECK(*a == r.addr);
    CHECK(format_ipv4(r.addr) == r.text);
  }
  for (const char* bad : {"", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "01.2.3.4",
                          "1.2.3.04", "1..2.3", ".1.2.3", "1.2.3.", "a.b.c.d", "1.2.3.4 ",
                          " 1.2.3.4", "1.2.3.-4", "1.2.3.4/24", "1234.1.1.1", "::1"}) {
    INFO(bad);
    CHECK_FALSE(parse_ipv4(bad));
  }
}

TEST_CASE("subnets parse with the prefix bounds and refuse host bits", "[ipam]") {
  struct row {
    const char* text;
    const char* network;
    int prefix;
    const char* broadcast;
  };
  const row ok[] = {{"10.89.0.0/24", "10.89.0.0", 24, "10.89.0.255"},
                    {"10.88.0.0/16", "10.88.0.0", 16, "10.88.255.255"},
                    {"10.0.0.0/8", "10.0.0.0", 8, "10.255.255.255"},
                    {"192.168.7.4/30", "192.168.7.4", 30, "192.168.7.7"},
                    {"172.16.0.0/12", "172.16.0.0", 12, "172.31.255.255"}};
  for (const auto& r : ok) {
    INFO(r.text);
    subnet4 s = parse_subnet(r.text);
    CHECK(s.network == ip(r.network));
    CHECK(s.prefix == r.prefix);
    CHECK(s.broadcast() == ip(r.broadcast));
    CHECK(s.to_string() == r.text);
    CHECK(default_gateway(s) == s.network + 1);
  }
  struct bad_row {
    const char* text;
    const char* message;
  };
  const bad_row bad[] = {
      {"10.89.0.0", "invalid subnet \"10.89.0.0\": expected an IPv4 CIDR A.B.C.D/N"},
      {"10.89.0/24", "invalid subnet \"10.89.0/24\": \"10.89.0\" is not an IPv4 address"},
      {"fd00::/64", "invalid subnet \"fd00::/64\": \"fd00::\" is not an IPv4 address"},
      {"10.89.0.0/", "invalid subnet \"10.89.0.0/\": the prefix length must be a number 8-30"},
      {"10.89.0.0/x", "invalid subnet \"10.89.0.0/x\": the prefix length must be a number 8-30"},
      {"10.89.0.0/124",
       "invalid subnet \"10.89.0.0/124\": the prefix length must be a number 8-30"},
      {"10.0.0.0/7", "invalid subnet \"10.0.0.0/7\": the prefix length must be 8-30"},
      {"10.89.0.0/31", "invalid subnet \"10.89.0.0/31\": the prefix length must be 8-30"},
      {"10.89.0.5/24",
       "invalid subnet \"10.89.0.5/24\": host bits are set (did you mean 10.89.0.0/24?)"},
      {"10.89.1.0/16",
       "invalid subnet \"10.89.1.0/16\": host bits are set (did you mean 10.89.0.0/16?)"},
  };
  for (const auto& r : bad) {
    INFO(r.text);
    CHECK(error_of([&] { parse_subnet(r.text); }, ec::invalid_argument) == r.message);
  }
}

TEST_CASE("subnets contain addresses and overlap as CIDR blocks do", "[ipam]") {
  subnet4 s = parse_subnet("10.89.4.0/22");
  CHECK(s.mask() == 0xfffffc00);
  CHECK(s.contains(ip("10.89.4.0")));
  CHECK(s.contains(ip("10.89.7.255")));
  CHECK_FALSE(s.contains(ip("10.89.8.0")));
  CHECK_FALSE(s.contains(ip("10.89.3.255")));
  struct row {
    const char* a;
    const char* b;
    bool overlap;
  };
  const row rows[] = {
      {"10.89.0.0/24", "10.89.0.0/24", true},      {"10.89.0.0/24", "10.89.1.0/24", false},
      {"10.89.0.0/16", "10.89.7.0/24", true},      {"10.89.7.0/24", "10.89.0.0/16", true},
      {"10.0.0.0/8", "10.255.255.252/30", true},   {"10.88.0.0/16", "10.89.0.0/16", false},
      {"10.89.0.0/23", "10.89.1.0/24", true},      {"10.89.0.0/23", "10.89.2.0/24", false},
      {"192.168.0.0/30", "192.168.0.4/30", false},
  };
  for (const auto& r : rows) {
    INFO(r.a << " vs " << r.b);
    CHECK(parse_subnet(r.a).overlaps(parse_subnet(r.b)) == r.overlap);
    CHECK(parse_subnet(r.b).overlaps(parse_subnet(r.a)) == r.overlap);
  }
}

TEST_CASE("free_subnet takes the first /24 from 10.89.0.0 that overlaps nothing", "[ipam]") {
  struct row {
    std::vector<const char*> used;
    int prefix;
    const char* want;
  };
  const row rows[] = {
      {{}, 24, "10.89.0.0/24"},
      {{"10.88.0.0/16"}, 24, "10.89.0.0/24"},  // the default network is below the pool
      {{"10.89.0.0/24"}, 24, "10.89.1.0/24"},
      {{"10.89.1.0/24"}, 24, "10.89.0.0/24"},  // a hole is reused
      {{"10.89.0.0/24", "10.89.1.0/24", "10.89.3.0/24"}, 24, "10.89.2.0/24"},
      {{"10.89.0.0/16"}, 24, "10.90.0.0/24"},
      {{"10.89.0.128/25"}, 24, "10.89.1.0/24"},  // partly used counts as used
      {{"10.89.0.0/24", "10.89.1.0/24"}, 23, "10.89.2.0/23"},
      {{"10.89.2.0/24"}, 23, "10.89.0.0/23"},
      {{"10.89.0.0/24"}, 16, "10.90.0.0/16"},
      {{}, 12, "10.96.0.0/12"},  // aligned upwards from 10.89.0.0
      {{"10.0.0.0/9"}, 24, "10.128.0.0/24"},
      {{"192.168.0.0/16", "172.16.0.0/12"}, 24, "10.89.0.0/24"},
      {{"10.89.0.0/16", "10.90.0.0/15", "10.92.0.0/14"}, 24, "10.96.0.0/24"},
      {{"10.89.0.0/16", "10.90.0.0/15", "10.92.0.0/14", "10.96.0.0/11", "10.128.0.0/9"},
       24,
       nullptr},
      {{"10.0.0.0/8"}, 24, nullptr},
      {{"10.255.255.0/24"}, 24, "10.89.0.0/24"},
  };
  for (const auto& r : rows) {
    std::vector<subnet4> used;
    for (const char* u : r.used) used.push_back(parse_subnet(u));
    INFO("used " << r.used.size() << ", prefix " << r.prefix);
    if (r.want) {
      CHECK(free_subnet(used, r.prefix).to_string() == r.want);
    } else {
      CHECK(error_of([&] { free_subnet(used, r.prefix); }, ec::conflict) ==
            "no free /" + std::to_string(r.prefix) +
                " subnet left in 10.89.0.0-10.255.255.255: every one overlaps an existing "
                "network (give --subnet)");
    }
  }
  CHECK(error_of([] { free_subnet({}, 31); }, ec::invalid_argument) ==
        "invalid subnet prefix length 31: must be 8-30");
}

TEST_CASE("free_subnet hands out /24s in order then the last one then none", "[ipam]") {
  std::vector<subnet4> used;
  for (uint32_t i = 0; i < 300; ++i) {
    subnet4 s = free_subnet(used, 24);
    REQUIRE(s.network == ip("10.89.0.0") + 256 * i);
    used.push_back(s);
  }
  CHECK(used.back().to_string() == "10.90.43.0/24");
  // The whole pool as blocks, but for one /24 at its very end, then without it.
  std::vector<subnet4> blocks;
  for (const char* b :
       {"10.89.0.0/16", "10.90.0.0/15", "10.92.0.0/14", "10.96.0.0/11", "10.128.0.0/10",
        "10.192.0.0/11", "10.224.0.0/12", "10.240.0.0/13", "10.248.0.0/14", "10.252.0.0/15",
        "10.254.0.0/16", "10.255.0.0/17", "10.255.128.0/18", "10.255.192.0/19", "10.255.224.0/20",
        "10.255.240.0/21", "10.255.248.0/22", "10.255.252.0/23", "10.255.254.0/24"})
    blocks.push_back(parse_subnet(b));
  CHECK(free_subnet(blocks, 24).to_string() == "10.255.255.0/24");
  CHECK(error_of([&] { free_subnet(blocks, 23); }, ec::conflict) ==
        "no free /23 subnet left in 10.89.0.0-10.255.255.255: every one overlaps an existing "
        "network (give --subnet)");
  blocks.push_back(parse_subnet("10.255.255.0/24"));
  CHECK_THROWS_AS(free_subnet(blocks, 24), ctrd::error);
}

TEST_CASE("allocate gives the lowest free host address", "[ipam]") {
  subnet4 s = parse_subnet("10.89.0.0/24");
  uint32_t gw = default_gateway(s);
  struct row {
    std::vector<const char*> taken;
    const char* gateway;
    const char* want;
  };
  const row rows[] = {
      {{}, "10.89.0.1", "10.89.0.2"},
      {{"10.89.0.2"}, "10.89.0.1", "10.89.0.3"},
      {{"10.89.0.3"}, "10.89.0.1", "10.89.0.2"},
      {{"10.89.0.2", "10.89.0.3", "10.89.0.5"}, "10.89.0.1", "10.89.0.4"},
      {{}, "10.89.0.254", "10.89.0.1"},  // a gateway at the end leaves .1 free
      {{"10.89.0.1"}, "10.89.0.2", "10.89.0.3"},
      {{"10.88.0.2", "10.89.1.2"}, "10.89.0.1", "10.89.0.2"},  // other subnets' entries
  };
  for (const auto& r : rows) {
    std::set<uint32_t> taken;
    for (const char* t : r.taken) taken.insert(ip(t));
    INFO(r.want);
    CHECK(format_ipv4(allocate(s, ip(r.gateway), taken, "n")) == r.want);
  }
  // Filling the subnet: 253 addresses (.2 .. .254), then a conflict naming the network.
  std::set<uint32_t> taken;
  for (int i = 0; i < 253; ++i) {
    uint32_t a = allocate(s, gw, taken, "web");
    REQUIRE(a == s.network + 2 + static_cast<uint32_t>(i));
    taken.insert(a);
  }
  CHECK(error_of([&] { allocate(s, gw, taken, "web"); }, ec::conflict) ==
        "network web has no free address left (10.89.0.0/24)");
  // The smallest subnet: a /30 has two host addresses, one the gateway.
  subnet4 tiny = parse_subnet("192.168.7.4/30");
  CHECK(format_ipv4(allocate(tiny, default_gateway(tiny), {}, "t")) == "192.168.7.6");
  CHECK(error_of([&] { allocate(tiny, default_gateway(tiny), {ip("192.168.7.6")}, "t"); },
                 ec::conflict) == "network t has no free address left (192.168.7.4/30)");
  CHECK_THROWS_AS(allocate(subnet4{ip("10.1.1.0"), 31}, 0, {}, "x"), ctrd::error);
  CHECK_THROWS_AS(allocate(subnet4{ip("10.1.1.1"), 32}, 0, {}, "x"), ctrd::error);
  CHECK_THROWS_AS(allocate(subnet4{ip("255.255.255.255"), 32}, 0, {}, "x"), ctrd::error);
}

TEST_CASE("check_static refuses each kind of bad pinned address", "[ipam]") {
  subnet4 s = parse_subnet("10.89.0.0/24");
  uint32_t gw = default_gateway(s);
  std::set<uint32_t> taken{ip("10.89.0.5")};
  CHECK_NOTHROW(check_static(s, gw, taken, ip("10.89.0.2"), "web"));
  CHECK_NOTHROW(check_static(s, gw, taken, ip("10.89.0.254"), "web"));
  struct row {
    const char* addr;
    ec code;
    const char* message;
  };
  const row rows[] = {
      {"10.89.1.2", ec::invalid_argument,
       "IP address 10.89.1.2 is not in the subnet 10.89.0.0/24 of network web"},
      {"10.89.0.0", ec::invalid_argument,
       "IP address 10.89.0.0 is the network address of 10.89.0.0/24 (network web)"},
      {"10.89.0.255", ec::invalid_argument,
       "IP address 10.89.0.255 is the broadcast address of 10.89.0.0/24 (network web)"},
      {"10.89.0.1", ec::invalid_argument, "IP address 10.89.0.1 is the gateway of network web"},
      {"10.89.0.5", ec::conflict, "IP address 10.89.0.5 is already allocated on network web"},
  };
  for (const auto& r : rows) {
    INFO(r.addr);
    CHECK(error_of([&] { check_static(s, gw, taken, ip(r.addr), "web"); }, r.code) == r.message);
  }
}

}  // namespace ipam_test
