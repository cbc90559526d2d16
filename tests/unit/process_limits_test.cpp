// --ulimit parsing (podman's type=soft[:hard]) and the create keys ulimits / oom_score_adj.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include "messages/container_config.hpp"
#include "messages/error.hpp"
#include "messages/process_limits.hpp"

namespace process_limits_test {

using namespace ctrd;

TEST_CASE("ulimit type=soft[:hard] parses like podman's --ulimit", "[limits]") {
  struct row {
    const char* text;
    int resource;
    uint64_t soft, hard;
  };
  const row good[] = {
      {"nofile=1024", RLIMIT_NOFILE, 1024, 1024},
      {"nofile=1024:2048", RLIMIT_NOFILE, 1024, 2048},
      {"core=0", RLIMIT_CORE, 0, 0},
      {"nproc=-1", RLIMIT_NPROC, RLIM_INFINITY, RLIM_INFINITY},
      {"memlock=64:unlimited", RLIMIT_MEMLOCK, 64, RLIM_INFINITY},
      {"stack=8388608:-1", RLIMIT_STACK, 8388608, RLIM_INFINITY},
  };
  for (const auto& r : good) {
    INFO(r.text);
    auto u = parse_ulimit(r.text);
    CHECK(u.resource == r.resource);
    CHECK(u.soft == r.soft);
    CHECK(u.hard == r.hard);
    CHECK(parse_ulimit(format_ulimit(u)) == u);  // the wire form reads back the same
  }
  const std::pair<const char*, const char*> bad[] = {
      {"nofile", "expected type=soft[:hard]"},
      {"files=10", "unknown type \"files\""},
      {"nofile=ten", "is not a number"},
      {"nofile=", "is not a number"},
      {"nofile=10:5", "soft limit must not be above the hard limit"},
      {"nofile=-1:5", "soft limit must not be above the hard limit"},
      {"nofile=99999999999999999999999", "too large"},
  };
  for (const auto& [text, why] : bad) {
    INFO(text);
    try {
      parse_ulimit(text);
      FAIL("accepted");
    } catch (const error& e) {
      CHECK(e.code() == ec::invalid_argument);
      CHECK(std::string(e.what()).find(why) != std::string::npos);
    }
  }
}

TEST_CASE("ulimits and oom_score_adj travel in a container definition", "[limits]") {
  json def = {
      {"command", {"true"}}, {"ulimits", {"nofile=10:20", "core=0"}}, {"oom_score_adj", -17}};
  auto c = config_from_json(def);
  REQUIRE(c.proc_limits.ulimits.size() == 2);
  CHECK(c.proc_limits.ulimits[0].soft == 10);
  CHECK(c.proc_limits.oom_score_adj == -17);
  auto back = config_from_json(to_json(c));
  CHECK(back.proc_limits.ulimits == c.proc_limits.ulimits);
  CHECK(back.proc_limits.oom_score_adj == -17);
  CHECK(config_from_json(json{{"command", {"true"}}}).proc_limits.oom_score_adj == 0);
  for (const json& v : {json(1001), json(-1001), json("5"), json(1.5)})
    CHECK_THROWS_AS(config_from_json(json{{"command", {"true"}}, {"oom_score_adj", v}}), error);
  CHECK_THROWS_AS(config_from_json(json{{"command", {"true"}}, {"ulimits", "nofile=1"}}), error);
  CHECK_THROWS_AS(config_from_json(json{{"command", {"true"}}, {"ulimits", {"nofile=x"}}}), error);
}

}  // namespace process_limits_test
