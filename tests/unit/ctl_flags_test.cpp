// Unit tests for ctrctl's create flags -> container definition translation: env files, the
// split of a command line into flags and container command, restart and health flags.
// Links ctl_lib.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>

#include <CLI/CLI.hpp>

#include "ctl/args.hpp"
#include "ctl/create_flags.hpp"
#include "ctl/detach_keys.hpp"
#include "ctl/size_units.hpp"
#include "ctl/stats_format.hpp"
#include "ctl/stream_flags.hpp"
#include "messages/duration.hpp"
#include "messages/error.hpp"
#include "tests/support/emulation.hpp"
#include "tests/unit/ctl_flags_support.hpp"

namespace ctl_flags_test {

using ctl::json;
using namespace ctl_test;

TEST_CASE("a bare command gives a minimal definition", "[ctl][flags]") {
  json d = ctl::build_definition(with_command({"sleep", "100"}), host);
  CHECK(d == json{{"command", {"sleep", "100"}}});
}

TEST_CASE("every create flag lands in the definition", "[ctl][flags]") {
  auto o = with_command({"sh", "-c", "echo hi"});
  o.name = "web";
  o.restart = "on-failure:3";
  o.stop_signal = "term";
  o.stop_timeout = "5";
  o.env = {"A=1", "HOME", "UNSET_VAR", "A=2", "LC_*"};
  o.workdir = "/tmp";
  o.user = "1000:100";
  o.labels = {"app=web", "flag"};
  json d = ctl::build_definition(o, host);
  CHECK(d["name"] == "web");
  CHECK(d["restart"] == "on-failure:3");
  CHECK(d["stop_signal"] == "SIGTERM");
  CHECK(d["stop_timeout"] == 5);
  CHECK(d["env"] == json{"A=2", "HOME=/home/u", "LC_ALL=C"});
  CHECK(d["workdir"] == "/tmp");
  CHECK(d["user"] == "1000:100");
  CHECK(d["labels"] == json{{"app", "web"}, {"flag", ""}});
  CHECK_FALSE(d.contains("auto_remove"));
}

TEST_CASE("run --rm sets auto_remove and conflicts with a restart policy", "[ctl][flags]") {
  auto o = with_command({"true"});
  o.rm = true;
  CHECK(ctl::build_definition(o, host)["auto_remove"] == true);
  o.restart = "no";
  CHECK(ctl::build_definition(o, host)["auto_remove"] == true);
  o.restart = "always";
  CHECK(code_of([&] { ctl::build_definition(o, host); }) == ctrd::ec::invalid_argument);
}

TEST_CASE("a user name that the host's passwd does not list is refused locally", "[ctl][flags]") {
  // The name resolves through the host's /etc/passwd, read root-confined (openat2).
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  auto o = with_command({"true"});
  o.user = "no-such-user-ctrd";
  CHECK(code_of([&] { ctl::build_definition(o, host); }) == ctrd::ec::invalid_argument);
}

TEST_CASE("invalid create flags are refused locally", "[ctl][flags]") {
  using ctrd::ec;
  auto bad = [](const std::function<void(ctl::create_options&)>& set) {
    auto o = with_command({"true"});
    set(o);
    return code_of([&] { ctl::build_definition(o, host); });
  };
  CHECK(bad([](auto& o) { o.command.clear(); }) == ec::invalid_argument);
  CHECK(bad([](auto& o) { o.name = "-bad"; }) == ec::invalid_argument);
  CHECK(bad([](auto& o) { o.stop_signal = "BOGUS"; }) == ec::invalid_argument);
  CHECK(bad([](auto& o) { o.stop_timeout = "-1"; }) == ec::invalid_argument);
  CHECK(bad([](auto& o) { o.stop_timeout = "ten"; }) == ec::invalid_argument);
  CHECK(bad([](auto& o) { o.restart = "sometimes"; }) == ec::invalid_argument);
  CHECK(bad([](auto& o) { o.restart = "always:3"; }) == ec::invalid_argument);
  CHECK(bad([](auto& o) { o.env = {"=x"}; }) == ec::invalid_argument);
  CHECK(bad([](auto& o) { o.env = {"A B=1"}; }) == ec::invalid_argument);
  CHECK(bad([](auto& o) { o.workdir = "relative"; }) == ec::invalid_argument);
  CHECK(bad([](auto& o) { o.labels = {"=v"}; }) == ec::invalid_argument);
  CHECK(bad([](auto& o) { o.env_files = {"/nonexistent/env"}; }) == ec::invalid_argument);
}

TEST_CASE("expand_env_entry and merge_env", "[ctl][flags]") {
  CHECK(ctl::expand_env_entry("K=V", host) == std::vector<std::string>{"K=V"});
  CHECK(ctl::expand_env_entry("K=", host) == std::vector<std::string>{"K="});
  CHECK(ctl::expand_env_entry("HOME", host) == std::vector<std::string>{"HOME=/home/u"});
  CHECK(ctl::expand_env_entry("EMPTY", host) == std::vector<std::string>{"EMPTY="});
  CHECK(ctl::expand_env_entry("NOPE", host).empty());
  CHECK(ctl::expand_env_entry("L*", host) == std::vector<std::string>{"LANG=C.UTF-8", "LC_ALL=C"});
  CHECK(ctl::merge_env({"A=1", "B=2", "A=3", "AB=4"}) ==
        std::vector<std::string>{"A=3", "B=2", "AB=4"});
}

TEST_CASE("env files: comments blanks CRLF and host lookups", "[ctl][flags]") {
  std::string text =
      "# a comment\n"
      "\n"
      "A=1\n"
      "   B=two words\r\n"
      "  # indented comment\n"
      "HOME\n"
      "UNSET\n"
      "C=x=y";
  CHECK(ctl::parse_env_file(text, "f", host) ==
        std::vector<std::string>{"A=1", "B=two words", "HOME=/home/u", "C=x=y"});
  try {
    ctl::parse_env_file("A=1\nBAD NAME=1\n", "my.env", host);
    FAIL("no error");
  } catch (const ctrd::error& e) {
    CHECK(std::string(e.what()).find("my.env:2") != std::string::npos);
  }
}

TEST_CASE("read_env_file reads a file and env files come before -e", "[ctl][flags]") {
  std::string path = "/tmp/ctl_flags_test_" + std::to_string(::getpid()) + ".env";
  {
    std::ofstream f(path);
    f << "A=from-file\nB=file\n";
  }
  CHECK(ctl::read_env_file(path, host) == std::vector<std::string>{"A=from-file", "B=file"});
  auto o = with_command({"env"});
  o.env_files = {path};
  o.env = {"A=from-flag"};
  CHECK(ctl::build_definition(o, host)["env"] == json{"A=from-flag", "B=file"});
  std::remove(path.c_str());
  try {
    ctl::read_env_file(path, host);
    FAIL("no error");
  } catch (const ctrd::error& e) {
    CHECK(e.code() == ctrd::ec::invalid_argument);
    CHECK(std::string(e.what()).find(path) != std::string::npos);
  }
}

TEST_CASE("split_args separates create flags from the container command", "[ctl][flags]") {
  CLI::App app;
  ctl::create_options o;
  bool detach = false;
  ctl::add_create_flags(app, o);
  app.add_flag("-d,--detach", detach);
  using v = std::vector<std::string>;
  auto split = [&](const v& args) {
    auto s = ctl::split_args(app, args, 0);
    return std::make_pair(v(args.begin(), args.begin() + s.flags_end),
                          v(args.begin() + s.positional, args.end()));
  };
  CHECK(split({"--rm", "sh", "-c", "echo hi", "-x"}) ==
        std::make_pair(v{"--rm"}, v{"sh", "-c", "echo hi", "-x"}));
  CHECK(
      split({"-e", "A=1", "--name=web", "-eB=2", "--env", "C", "-d", "echo", "--rm"}) ==
      std::make_pair(v{"-e", "A=1", "--name=web", "-eB=2", "--env", "C", "-d"}, v{"echo", "--rm"}));
  CHECK(split({"--rm", "--", "--weird", "x"}) == std::make_pair(v{"--rm"}, v{"--weird", "x"}));
  CHECK(split({"-d", "-w", "/tmp"}) == std::make_pair(v{"-d", "-w", "/tmp"}, v{}));
  CHECK(split({"--bogus", "sh"}) == std::make_pair(v{"--bogus"}, v{"sh"}));
  CHECK(split({}) == std::make_pair(v{}, v{}));
}

TEST_CASE("restart pacing flags are sent in milliseconds", "[ctl][flags]") {
  json d = definition_from({"--restart", "always", "--restart-delay", "250ms",
                            "--restart-max-delay", "2m", "--restart-reset", "30", "--restart-limit",
                            "0", "--restart-window=1m30s"});
  CHECK(d["restart_delay_ms"] == 250);
  CHECK(d["restart_max_delay_ms"] == 120000);
  CHECK(d["restart_reset_ms"] == 30000);  // bare numbers are seconds
  CHECK(d["restart_limit"] == 0);
  CHECK(d["restart_window_ms"] == 90000);
  CHECK(definition_from({"--restart-delay", "0.5"})["restart_delay_ms"] == 500);
  CHECK(definition_from({"--restart-limit", "7"})["restart_limit"] == 7);
  // only what the user set is sent
  json minimal = definition_from({"--restart-delay", "1s"});
  CHECK(minimal == json{{"command", {"true"}}, {"restart_delay_ms", 1000}});
}

TEST_CASE("health flags: shell command durations and on-failure", "[ctl][flags]") {
  json d =
      definition_from({"--health-cmd", "curl -f http://localhost/ || exit 1", "--health-interval",
                       "10s", "--health-timeout", "2s", "--health-retries", "5",
                       "--health-start-period", "1m", "--health-on-failure", "restart"});
  CHECK(d["health_cmd"] == json{"/bin/sh", "-c", "curl -f http://localhost/ || exit 1"});
  CHECK(d["health_interval_ms"] == 10000);
  CHECK(d["health_timeout_ms"] == 2000);
  CHECK(d["health_retries"] == 5);
  CHECK(d["health_start_period_ms"] == 60000);
  CHECK(d["health_on_failure"] == "restart");
  json only_cmd = definition_from({"--health-cmd=true"});
  CHECK(only_cmd == json{{"command", {"true"}}, {"health_cmd", {"/bin/sh", "-c", "true"}}});
}

TEST_CASE("health check disabled: interval disable or cmd none or no-healthcheck", "[ctl][flags]") {
  const json bare = json{{"command", {"true"}}};
  CHECK(definition_from({"--health-cmd", "true", "--health-interval", "disable"}) == bare);
  CHECK(definition_from({"--health-cmd", "none", "--health-retries", "2"}) == bare);
  CHECK(definition_from({"--health-cmd", "NONE"}) == bare);
  CHECK(definition_from({"--health-cmd", "true", "--no-healthcheck"}) == bare);
  // without a command the other health flags are checked but not sent (podman ignores them)
  CHECK(definition_from({"--health-interval", "5s", "--health-timeout", "1s"}) == bare);
  CHECK(definition_from({"--health-on-failure", "none"}) == bare);
  CHECK(message_of([] {
          definition_from({"--health-on-failure", "kill"});
        }) == "cannot set the health-on-failure action to kill without a health check");
  CHECK(code_of([] {
          definition_from({"--health-interval", "bogus"});
        }) == ctrd::ec::invalid_argument);
}

TEST_CASE("requires: repeatable with comma lists split and names validated", "[ctl][flags]") {
  json d = definition_from({"--requires", "db,cache", "--requires=queue", "--requires", "db"});
  CHECK(d["requires"] == json{"db", "cache", "queue"});
  CHECK(ctl::split_requires({"a.b_c-1"}) == std::vector<std::string>{"a.b_c-1"});
  CHECK(code_of([] { ctl::split_requires({"db,"}); }) == ctrd::ec::invalid_argument);
  CHECK(code_of([] { ctl::split_requires({",db"}); }) == ctrd::ec::invalid_argument);
  CHECK(code_of([] { ctl::split_requires({"-db"}); }) == ctrd::ec::invalid_argument);
  CHECK(code_of([] { ctl::split_requires({"d b"}); }) == ctrd::ec::invalid_argument);
  // a container cannot require itself (ctrd::validate)
  CHECK(code_of([] {
          definition_from({"--name", "web", "--requires", "web"});
        }) == ctrd::ec::invalid_argument);
}

TEST_CASE("sdnotify maps to a bool", "[ctl][flags]") {
  CHECK(definition_from({"--sdnotify", "container"})["sdnotify"] == true);
  CHECK(definition_from({"--sdnotify=ignore"})["sdnotify"] == false);
  CHECK(message_of([] {
          definition_from({"--sdnotify", "conmon"});
        }) == "invalid sdnotify mode \"conmon\": must be container or ignore");
}

TEST_CASE("bad durations and counts are refused with the parser's message", "[ctl][flags]") {
  using ctrd::ec;
  std::string parser;
  try {
    ctrd::parse_duration_ms("10x");
  } catch (const ctrd::error& e) {
    parser = e.what();
  }
  REQUIRE_FALSE(parser.empty());
  CHECK(message_of([] { definition_from({"--restart-delay", "10x"}); }) == parser);
  CHECK(message_of([] {
          definition_from({"--health-cmd", "true", "--health-timeout", "10x"});
        }) == parser);
  for (const char* flag :
       {"--restart-delay", "--restart-max-delay", "--restart-reset", "--restart-window",
        "--health-interval", "--health-timeout", "--health-start-period"}) {
    CAPTURE(flag);
    CHECK(code_of([&] { definition_from({std::string(flag) + "=-1s"}); }) == ec::invalid_argument);
    CHECK(code_of([&] { definition_from({flag, "abc"}); }) == ec::invalid_argument);
    CHECK(code_of([&] { definition_from({flag, "1m30"}); }) == ec::invalid_argument);
    CHECK(code_of([&] { definition_from({flag, "721h"}); }) == ec::invalid_argument);
  }
  CHECK(message_of([] {
          definition_from({"--restart-delay", "721h"});
        }) == "invalid duration \"721h\": the longest accepted is 30 days (720h)");
  CHECK(definition_from({"--restart-window", "720h"})["restart_window_ms"] == 720ull * 3600000);
  CHECK(code_of([] { definition_from({"--restart-limit=-1"}); }) == ec::invalid_argument);
  CHECK(code_of([] { definition_from({"--restart-limit", "x"}); }) == ec::invalid_argument);
  CHECK(code_of([] { definition_from({"--health-retries", "0"}); }) == ec::invalid_argument);
  CHECK(code_of([] { definition_from({"--health-retries", "two"}); }) == ec::invalid_argument);
  CHECK(code_of([] {
          definition_from({"--health-cmd", "true", "--health-timeout", "0"});
        }) == ec::invalid_argument);
  CHECK(code_of([] {
          definition_from({"--health-cmd", "true", "--health-interval", "0"});
        }) == ec::invalid_argument);
  CHECK(code_of([] {
          definition_from({"--health-cmd", "true", "--health-on-failure", "panic"});
        }) == ec::invalid_argument);
  // A max delay below the first delay is not an error: the cap never goes below the delay.
  CHECK(code_of([] {
          definition_from({"--restart-delay", "2m", "--restart-max-delay", "1m"});
        }) == ec::none);
}

TEST_CASE("split_args knows the new value-taking create flags", "[ctl][flags]") {
  CLI::App app;
  ctl::create_options o;
  ctl::add_create_flags(app, o);
  std::vector<std::string> args = {
      "--health-cmd", "exit 1",           "--requires", "db", "--sdnotify",
      "container",    "--no-healthcheck", "sleep",      "5"};
  auto s = ctl::split_args(app, args, 0);
  CHECK(s.flags_end == 7);
  CHECK(s.positional == 7);
}

// --- detach keys, stream flags (attach/logs/events/wait), --log-opt, -i/-t ---

}  // namespace ctl_flags_test
