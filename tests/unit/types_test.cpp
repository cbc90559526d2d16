// Parsers and validators shared by ctrd and ctrctl: signals, restart policies, configs,
// states, the registry's name/id/prefix resolution.
#include <catch2/catch.hpp>

#include <csignal>

#include "core/registry.hpp"
#include "messages/container_config.hpp"
#include "messages/container_state.hpp"
#include "messages/container_status.hpp"
#include "messages/error.hpp"
#include "messages/signals.hpp"

namespace types_test {

using namespace ctrd;

TEST_CASE("signals parse by name, short name, number and real-time offset", "[types]") {
  CHECK(parse_signal("SIGTERM") == SIGTERM);
  CHECK(parse_signal("term") == SIGTERM);
  CHECK(parse_signal("9") == SIGKILL);
  CHECK(parse_signal("HUP") == SIGHUP);
  CHECK(parse_signal("RTMIN+3") == SIGRTMIN + 3);
  CHECK(parse_signal("SIGRTMAX-1") == SIGRTMAX - 1);
  for (const char* bad : {"", "0", "65", "SIGNOPE", "RTMIN+99", "-1", "9x", "99999999999"})
    CHECK_THROWS_AS(parse_signal(bad), ctrd::error);
  CHECK(signal_name(SIGTERM) == "SIGTERM");
  CHECK(signal_name(SIGRTMIN + 3) == "SIGRTMIN+3");
}

TEST_CASE("restart policies parse as podman's --restart", "[types]") {
  CHECK(parse_restart_policy("").kind == restart_kind::no);
  CHECK(parse_restart_policy("never").kind == restart_kind::no);
  CHECK(parse_restart_policy("always").kind == restart_kind::always);
  CHECK(parse_restart_policy("unless-stopped").kind == restart_kind::unless_stopped);
  auto p = parse_restart_policy("on-failure:3");
  CHECK(p.kind == restart_kind::on_failure);
  CHECK(p.max_retries == 3);
  CHECK(restart_string(p) == "on-failure:3");
  for (const char* bad : {"sometimes", "always:3", "on-failure:", "on-failure:-1", "on-failure:x"})
    CHECK_THROWS_AS(parse_restart_policy(bad), ctrd::error);
}

TEST_CASE("container definitions are validated with clear errors", "[types]") {
  auto ok = config_from_json(json{{"command", {"true"}}, {"name", "web-1.a_b"}});
  CHECK_NOTHROW(validate(ok));
  auto expect_invalid = [](const json& j) {
    try {
      validate(config_from_json(j));
    } catch (const ctrd::error& e) {
      CHECK(e.code() == ec::invalid_argument);
      return std::string(e.what());
    }
    FAIL("accepted " << j.dump());
    return std::string();
  };
  CHECK(expect_invalid(json{{"command", json::array()}}).find("no command") != std::string::npos);
  CHECK(expect_invalid(json{{"command", {"true"}}, {"name", "-bad"}})
            .find("invalid container name") != std::string::npos);
  CHECK(expect_invalid(json{{"command", {"true"}}, {"env", {"=x"}}}).find("KEY=VALUE") !=
        std::string::npos);
  CHECK(expect_invalid(json{{"command", {"true"}}, {"workdir", "rel"}}).find("absolute") !=
        std::string::npos);
  CHECK(expect_invalid(json{{"command", {"true"}}, {"user", "bob"}}).find("UID") !=
        std::string::npos);
  CHECK(expect_invalid(json{{"command", {"true"}}, {"auto_remove", true}, {"restart", "always"}})
            .find("--rm") != std::string::npos);
  CHECK(expect_invalid(json{{"command", "true"}}).find("\"command\"") != std::string::npos);
  CHECK(expect_invalid(json{{"command", {"true"}}, {"stop_timeout", -1}}).find("stop_timeout") !=
        std::string::npos);
  CHECK(expect_invalid(json{{"command", {"true"}}, {"stop_signal", "BOGUS"}}).find("BOGUS") !=
        std::string::npos);
}

TEST_CASE("configs and statuses survive their json form", "[types]") {
  container_config c;
  c.id = std::string(64, 'a');
  c.name = "n";
  c.command = {"sh", "-c", "exit 3"};
  c.env = {"A=1"};
  c.labels = {{"k", "v"}};
  c.stop_signal = SIGINT;
  c.stop_timeout = 0;
  c.restart = parse_restart_policy("on-failure:2");
  c.created_ns = 12345;
  auto back = config_from_json(to_json(c));
  CHECK(to_json(back) == to_json(c));
  container_status s;
  s.state = container_state::exited;
  s.exit_code = 137;
  s.has_exited = true;
  s.error = "x";
  s.restart_count = 4;
  s.stopped_by_user = true;
  CHECK(to_json(status_from_json(to_json(s))) == to_json(s));
  CHECK_THROWS_AS(status_from_json(json{{"state", 99}}), ctrd::error);
}

TEST_CASE("state names follow podman, including the created/initialized trap", "[types]") {
  CHECK(std::string(to_string(container_state::configured)) == "created");
  CHECK(std::string(to_string(container_state::created)) == "initialized");
  CHECK(parse_container_state("configured") == container_state::configured);
  CHECK(parse_container_state("initialized") == container_state::created);
  CHECK(parse_container_state("stopping") == container_state::stopping);
  CHECK_FALSE(parse_container_state("bogus").has_value());
}

TEST_CASE("registry resolves names, full ids and unique prefixes", "[types]") {
  registry r;
  r.add("abc123", "web");
  r.add("abd456", "db");
  r.add("ff0000", "abc");  // a name that looks like an id prefix wins, as in podman
  CHECK(r.resolve("web") == "abc123");
  CHECK(r.resolve("abc123") == "abc123");
  CHECK(r.resolve("abd") == "abd456");
  CHECK(r.resolve("abc") == "ff0000");
  CHECK(r.resolve("ff") == "ff0000");
  try {
    r.resolve("ab");
    FAIL("ambiguous prefix accepted");
  } catch (const ctrd::error& e) {
    CHECK(e.code() == ec::ambiguous_id);
  }
  try {
    r.resolve("zz");
    FAIL("unknown name accepted");
  } catch (const ctrd::error& e) {
    CHECK(e.code() == ec::no_such_container);
    CHECK(std::string(e.what()).find("\"zz\"") != std::string::npos);
  }
  r.remove("abc123");
  CHECK_FALSE(r.has_name("web"));
  CHECK(r.resolve("ab") == "abd456");
  auto id = generate_id();
  CHECK(id.size() == 64);
  CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  auto name = generate_name([&](const std::string& n) { return r.has_name(n); });
  CHECK(valid_container_name(name));
}

TEST_CASE("every error code has a stable name and podman exit code", "[types]") {
  for (int i = 0; i <= static_cast<int>(ec::removed); ++i)
    CHECK(std::string(to_string(static_cast<ec>(i))) != "unknown");
  CHECK(exit_code_for(ec::command_not_found) == 127);
  CHECK(exit_code_for(ec::cannot_invoke) == 126);
  CHECK(exit_code_for(ec::no_such_container) == 125);
}

TEST_CASE("every error code up to last_code has a name and an exit code", "[types]") {
  for (int c = 1; c <= static_cast<int>(ctrd::last_code); ++c) {
    auto code = static_cast<ctrd::ec>(c);
    CHECK(std::string(ctrd::to_string(code)) != "unknown");
    auto exit = ctrd::exit_code_for(code);
    CHECK((exit == 125 || exit == 126 || exit == 127 || (code == ec::network_in_use && exit == 2)));
  }
  CHECK(std::string(ctrd::to_string(
            static_cast<ctrd::ec>(static_cast<int>(ctrd::last_code) + 1))) == "unknown");
}

}  // namespace types_test
