// Capability logic as a table: names, podman's --cap-add/--cap-drop rules, the sets a
// process gets as root or another user, --privileged, and --default-capabilities
// (messages/capabilities.hpp, runtime/confinement.hpp, supervisor/daemon_options.hpp).
#include <catch2/catch.hpp>

#include "messages/capabilities.hpp"
#include "messages/error.hpp"
#include "runtime/confinement.hpp"
#include "supervisor/daemon_options.hpp"

namespace capabilities_test {

using namespace ctrd;

namespace {

constexpr uint64_t bit(int n) {
  return uint64_t{1} << n;
}

security_spec spec(std::vector<std::string> add, std::vector<std::string> drop,
                   bool privileged = false) {
  security_spec s;
  s.cap_add = std::move(add);
  s.cap_drop = std::move(drop);
  s.privileged = privileged;
  return s;
}

}  // namespace

TEST_CASE("capabilities: names both ways", "[caps]") {
  CHECK(capability_number("CAP_SYS_TIME") == 25);
  CHECK(capability_number("sys_time") == 25);
  CHECK(capability_number("NOPE") == -1);
  CHECK(capability_name(13) == "CAP_NET_RAW");
  CHECK(capability_names(default_capabilities) ==
        std::vector<std::string>{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
                                 "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
                                 "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_SETFCAP"});
  CHECK(normalize_capability("all", "--cap-add") == "ALL");
  CHECK_THROWS_WITH(normalize_capability("FLY", "--cap-add"),
                    Catch::Contains("--cap-add \"FLY\": unknown capability"));
}

TEST_CASE("capabilities: podman's add/drop rules for the bounding set", "[caps]") {
  struct row {
    std::vector<std::string> add, drop;
    bool privileged;
    uint64_t expected;
  };
  const uint64_t d = default_capabilities;
  const std::vector<row> table = {
      {{}, {}, false, d},
      {{"CAP_NET_RAW"}, {}, false, d | bit(13)},
      {{}, {"CAP_CHOWN"}, false, d & ~bit(0)},
      {{}, {"ALL"}, false, 0},
      {{"CAP_NET_RAW"}, {"ALL"}, false, bit(13)},
      {{"ALL"}, {}, false, all_capabilities},
      {{"ALL"}, {"CAP_SYS_ADMIN"}, false, all_capabilities & ~bit(21)},
      {{}, {"ALL"}, true, all_capabilities},
  };
  for (const auto& r : table)
    CHECK(container_capabilities(d, r.add, r.drop, r.privileged) == r.expected);
  CHECK_THROWS_WITH(container_capabilities(d, {"CAP_NET_RAW"}, {"CAP_NET_RAW"}, false),
                    Catch::Contains("CAP_NET_RAW cannot be both added and dropped"));
  CHECK_THROWS_WITH(container_capabilities(d, {"ALL"}, {"ALL"}, false),
                    Catch::Contains("--cap-add ALL and --cap-drop ALL"));
}

TEST_CASE("capabilities: the sets of root and of other users", "[caps]") {
  const uint64_t d = default_capabilities;
  auto root = container_sets(spec({}, {}), d, true);
  CHECK(root.bounding == d);
  CHECK(root.permitted == d);
  CHECK(root.effective == d);
  CHECK(root.inheritable == 0);
  CHECK(root.ambient == 0);

  auto user = container_sets(spec({}, {}), d, false);
  CHECK(user.bounding == d);
  CHECK(user.permitted == 0);
  CHECK(user.effective == 0);
  CHECK(user.ambient == 0);

  auto user_raw = container_sets(spec({"CAP_NET_RAW"}, {}), d, false);
  CHECK(user_raw.bounding == (d | bit(13)));
  for (auto s : {user_raw.permitted, user_raw.effective, user_raw.inheritable, user_raw.ambient})
    CHECK(s == bit(13));

  // --privileged: every capability the kernel has, for root and (as podman) other users.
  auto priv = container_sets(spec({}, {}, true), d, false);
  CHECK((priv.bounding & all_capabilities) == all_capabilities);
  CHECK((priv.ambient & all_capabilities) == all_capabilities);

  // A daemon default set of its own.
  auto small = container_sets(spec({"CAP_NET_RAW"}, {}), bit(0) | bit(5), true);
  CHECK(small.effective == (bit(0) | bit(5) | bit(13)));
}

TEST_CASE("capabilities: the seccomp profile a container uses", "[caps]") {
  CHECK(effective_seccomp_profile(spec({}, {})).empty());
  CHECK(effective_seccomp_profile(spec({}, {}, true)) == "unconfined");
  auto s = spec({}, {}, true);
  s.seccomp_profile = "/p.json";
  CHECK(effective_seccomp_profile(s) == "/p.json");  // explicit wins over --privileged
}

TEST_CASE("capabilities: --default-capabilities", "[caps]") {
  CHECK(parse_default_capabilities("") == 0);
  CHECK(parse_default_capabilities("CHOWN,cap_kill") == (bit(0) | bit(5)));
  CHECK(parse_default_capabilities("CHOWN,,KILL,") == (bit(0) | bit(5)));
  CHECK_THROWS_WITH(parse_default_capabilities("CHOWN,FLY"), Catch::Contains("\"FLY\""));
  CHECK_THROWS_WITH(parse_default_capabilities("ALL"), Catch::Contains("name the capabilities"));
  daemon_options o;
  CHECK(o.default_capabilities == default_capabilities);
}

}  // namespace capabilities_test
