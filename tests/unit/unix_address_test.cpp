// runtime/unix_address: the one length check of every unix socket path ctrd and ctrctl use.
#include <string>

#include <catch2/catch.hpp>

#include "runtime/unix_address.hpp"

namespace unix_address_test {

TEST_CASE("a unix socket address takes paths up to sun_path's size less its NUL",
          "[unix_address]") {
  sockaddr_un addr;
  REQUIRE(ctrd::unix_address("/run/ctrd/ctrd.sock", addr));
  CHECK(addr.sun_family == AF_UNIX);
  CHECK(std::string(addr.sun_path) == "/run/ctrd/ctrd.sock");

  std::string longest(ctrd::unix_path_max, 'a');
  REQUIRE(ctrd::unix_address(longest, addr));
  CHECK(std::string(addr.sun_path) == longest);  // NUL-terminated within sun_path

  CHECK_FALSE(ctrd::unix_address(longest + "a", addr));
  CHECK(addr.sun_family == 0);  // cleared: nothing half-filled is used
  CHECK_FALSE(ctrd::unix_address("", addr));
}

}  // namespace unix_address_test
