// The hello handshake's version ranges (messages/handshake.hpp): agreement tables, the
// advice naming which program to upgrade, and ctrd 0.1's refusal rephrased.
#include <catch2/catch.hpp>

#include "messages/error.hpp"
#include "messages/handshake.hpp"

namespace handshake_test {

using namespace ctrd;

TEST_CASE("protocol ranges agree on the newest common version or name who to upgrade",
          "[handshake]") {
  struct row {
    protocol_range client, daemon;
    int version;
    const char* message;
  };
  const row rows[] = {
      {{1, 1}, {1, 1}, 1, ""},
      {{1, 2}, {1, 1}, 1, ""},  // a newer ctrctl with an older ctrd
      {{1, 1}, {1, 2}, 1, ""},  // an older ctrctl with a newer ctrd
      {{1, 3}, {2, 4}, 3, ""},
      {{2, 2}, {1, 3}, 2, ""},
      {{1, 1}, {2, 3}, 0, "ctrctl speaks protocol 1, ctrd speaks 2-3: upgrade ctrctl"},
      {{3, 4}, {1, 2}, 0, "ctrctl speaks protocol 3-4, ctrd speaks 1-2: upgrade ctrd"},
      {{2, 2}, {1, 1}, 0, "ctrctl speaks protocol 2, ctrd speaks 1: upgrade ctrd"},
  };
  for (const auto& r : rows) {
    INFO("client " << r.client.min << "-" << r.client.max << ", daemon " << r.daemon.min << "-"
                   << r.daemon.max);
    auto a = negotiate_protocol(r.client, r.daemon, "ctrctl");
    CHECK(a.version == r.version);
    CHECK(a.message == r.message);
  }
}

TEST_CASE("hello params: version is the oldest, max_version the newest", "[handshake]") {
  auto r = hello_client_range(json{{"version", 1}, {"max_version", 3}});
  CHECK(r.min == 1);
  CHECK(r.max == 3);
  auto old = hello_client_range(json{{"version", 1}, {"client", "ctrctl"}});  // ctrctl 0.1
  CHECK(old.min == 1);
  CHECK(old.max == 1);
  CHECK_THROWS_AS(hello_client_range(json::object()), ctrd::error);
  CHECK_THROWS_AS(hello_client_range(json{{"version", "1"}}), ctrd::error);
  CHECK_THROWS_AS(hello_client_range(json{{"version", 1}, {"max_version", true}}), ctrd::error);
  CHECK(hello_client_name(json{{"client", "my-script"}}) == "my-script");
  CHECK(hello_client_name(json{{"client", 7}}) == "the client");
}

TEST_CASE("ctrctl checks the version ctrd agreed to", "[handshake]") {
  CHECK(check_hello_result(json{{"version", 1}}, {1, 1}, "ctrctl").empty());
  CHECK(check_hello_result(json{{"version", 5}, {"min_version", 5}, {"max_version", 6}}, {1, 2},
                           "ctrctl") ==
        "ctrctl speaks protocol 1-2, ctrd speaks 5-6: upgrade ctrctl");
  CHECK_THAT(check_hello_result(json::object(), {1, 1}, "ctrctl"),
             Catch::Contains("without a protocol version"));
}

TEST_CASE("ctrd 0.1's refusal becomes advice naming who to upgrade", "[handshake]") {
  CHECK(explain_hello_refusal("protocol version mismatch: client speaks 2, ctrd speaks 1", {2, 3},
                              "ctrctl") ==
        "ctrctl speaks protocol 2-3, ctrd speaks 1: upgrade ctrd");
  CHECK(explain_hello_refusal("protocol version mismatch: client speaks 1, ctrd speaks 4", {1, 2},
                              "ctrctl") ==
        "ctrctl speaks protocol 1-2, ctrd speaks 4: upgrade ctrctl");
  CHECK(explain_hello_refusal("permission denied", {1, 1}, "ctrctl") == "permission denied");
}

}  // namespace handshake_test
