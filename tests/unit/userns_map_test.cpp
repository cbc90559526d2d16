// The pure parts of user namespaces: id translation through the maps, the text written to
// /proc/<pid>/uid_map, and the create rules of security_spec (runtime/userns.hpp,
// messages/security.hpp).
#include <catch2/catch.hpp>

#include "messages/error.hpp"
#include "messages/security.hpp"
#include "runtime/userns.hpp"

namespace userns_map_test {

using namespace ctrd;

TEST_CASE("userns: container ids map to host ids through the ranges", "[userns]") {
  const std::vector<id_range> m{{0, 100000, 1000}, {1000, 500000, 10}};
  struct row {
    uint32_t inside;
    bool mapped;
    uint32_t outside;
  };
  for (const auto& r : std::vector<row>{{0, true, 100000},
                                        {999, true, 100999},
                                        {1000, true, 500000},
                                        {1009, true, 500009},
                                        {1010, false, 0},
                                        {4294967294u, false, 0}}) {
    INFO(r.inside);
    uint32_t out = 0;
    CHECK(map_to_host(m, r.inside, out) == r.mapped);
    if (r.mapped) CHECK(out == r.outside);
  }
  CHECK(id_map_text(m) == "0 100000 1000\n1000 500000 10\n");
}

TEST_CASE("userns: the create rules of --uidmap and --userns", "[userns]") {
  isolation_spec iso;
  iso.rootfs = "/r";
  auto check = [&](security_spec s, const std::string& error_part) {
    if (error_part.empty()) {
      CHECK_NOTHROW(validate(s, iso));
      return;
    }
    try {
      validate(s, iso);
      FAIL("accepted, expected: " << error_part);
    } catch (const error& e) {
      CHECK(std::string(e.what()).find(error_part) != std::string::npos);
    }
  };
  security_spec s;
  s.uid_map = {{0, 100000, 65536}};
  check(s, "");
  // What ctrd stores for --userns auto: one range from 0 each.
  s.userns = "auto";
  s.gid_map = {{0, 300000, 65536}};
  check(s, "");
  s.uid_map.push_back({70000, 1, 1});
  check(s, "cannot be combined with --uidmap");
  s = {};
  s.gid_map = {{0, 1, 1}};
  check(s, "--gidmap needs --uidmap");
  s = {};
  s.uid_map = {{0, 100000, 10}};
  iso.pid = "host";
  check(s, "PID namespace of its own");
  iso.pid.clear();
  iso.rootfs.clear();
  check(s, "needs --rootfs");
}

}  // namespace userns_map_test
