// Unit tests for ctrctl's create flags → container definition translation (isolation and
// resource flags included), env files, the split of a command line into flags and container
// command, size units and the `stats` computations and rendering. Links ctl_lib.
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

using ctl::json;

namespace {
const std::vector<std::string> host = {"HOME=/home/u", "LANG=C.UTF-8", "LC_ALL=C", "EMPTY="};

ctl::create_options with_command(std::vector<std::string> cmd) {
  ctl::create_options o;
  o.command = std::move(cmd);
  return o;
}

ctrd::ec code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ctrd::error& e) {
    return e.code();
  }
  return ctrd::ec::none;
}
}  // namespace

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
  CHECK(bad([](auto& o) { o.user = "root"; }) == ec::invalid_argument);
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

namespace {
// Parses `args` as create flags with CLI11 (as ctrctl does), then builds the definition.
json definition_from(const std::vector<std::string>& args) {
  CLI::App app;
  ctl::create_options o;
  ctl::add_create_flags(app, o);
  std::vector<std::string> rev(args.rbegin(), args.rend());
  app.parse(rev);
  o.command = {"true"};
  return ctl::build_definition(o, host);
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ctrd::error& e) {
    return e.what();
  }
  return {};
}
}  // namespace

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

namespace {
// Feeds `input` to a matcher in chunks of `chunk` bytes; returns what was forwarded and
// whether the sequence completed.
std::pair<std::string, bool> run_matcher(const std::string& keys, const std::string& input,
                                         std::size_t chunk) {
  ctl::detach_matcher m(keys);
  std::string out;
  for (std::size_t i = 0; i < input.size(); i += chunk)
    if (m.feed(input.data() + i, std::min(chunk, input.size() - i), out)) return {out, true};
  return {out + m.pending(), false};
}
}  // namespace

TEST_CASE("detach keys parse podman's syntax", "[ctl][detach]") {
  CHECK(ctl::parse_detach_keys("ctrl-p,ctrl-q") == std::string("\x10\x11"));
  CHECK(ctl::parse_detach_keys(ctl::default_detach_keys) == std::string("\x10\x11"));
  CHECK(ctl::parse_detach_keys("CTRL-A,x,Ctrl-Z") == std::string("\x01x\x1a"));
  CHECK(ctl::parse_detach_keys("ctrl-@") == std::string(1, '\0'));
  CHECK(ctl::parse_detach_keys("ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_") ==
        std::string("\x1b\x1c\x1d\x1e\x1f"));
  CHECK(ctl::parse_detach_keys("a") == "a");
  CHECK(ctl::parse_detach_keys("").empty());  // disabled
  for (const char* bad : {"ctrl-", "ctrl-1", "ctrl-pp", "ab", "a,,b", ",", "ctrl-p,", "alt-x"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_detach_keys(bad); }) == ctrd::ec::invalid_argument);
  }
  try {
    ctl::parse_detach_keys("foo");
    FAIL("no throw");
  } catch (const ctrd::error& e) {
    CHECK(std::string(e.what()).rfind("invalid detach keys: ", 0) == 0);
  }
}

TEST_CASE("the detach matcher works byte by byte and on chunks", "[ctl][detach]") {
  const std::string keys = "\x10\x11";
  for (std::size_t chunk : {1u, 2u, 3u, 64u}) {
    INFO("chunk " << chunk);
    auto [out, det] = run_matcher(keys,
                                  "abc\x10\x11"
                                  "def",
                                  chunk);
    CHECK(det);
    CHECK(out == "abc");  // what follows the sequence is dropped
    auto r2 = run_matcher(keys, "ab", chunk);
    CHECK_FALSE(r2.second);
    CHECK(r2.first == "ab");
    // A broken prefix is released before the byte that broke it.
    auto r3 = run_matcher(keys, "a\x10x\x10\x11", chunk);
    CHECK(r3.second);
    CHECK(r3.first == "a\x10x");
    // ctrl-p ctrl-p ctrl-q: the first ctrl-p is released, the rest detaches.
    auto r4 = run_matcher(keys, "\x10\x10\x11", chunk);
    CHECK(r4.second);
    CHECK(r4.first == "\x10");
  }
}

TEST_CASE("the detach matcher holds a partial prefix", "[ctl][detach]") {
  ctl::detach_matcher m("\x10\x11");
  std::string out;
  CHECK_FALSE(m.feed("x\x10", 2, out));
  CHECK(out == "x");  // ctrl-p held back
  CHECK(m.pending() == "\x10");
  CHECK_FALSE(m.feed("y", 1, out));
  CHECK(out == "x\x10y");  // flushed when the sequence broke
  CHECK(m.pending().empty());
}

TEST_CASE("disabled detach keys pass everything through", "[ctl][detach]") {
  ctl::detach_matcher m("");
  std::string out;
  CHECK_FALSE(m.feed("\x10\x11", 2, out));
  CHECK(out == "\x10\x11");
  auto [o2, det] = run_matcher(ctl::parse_detach_keys("a,b,c"), "xabyabc", 1);
  CHECK(det);
  CHECK(o2 == "xaby");
}

TEST_CASE("times parse as podman's --since/--until", "[ctl][time]") {
  const int64_t now = 1800000000LL * 1000000000LL;
  const int64_t base = 1795888800LL * 1000000000LL;  // 2026-11-28T18:00:00Z
  CHECK(ctl::parse_time_ns("2026-11-28T18:00:00Z", now) == base);
  CHECK(ctl::parse_time_ns("2026-11-28T18:00:00.5Z", now) == base + 500000000);
  CHECK(ctl::parse_time_ns("2026-11-28T18:00:00.123456789Z", now) == base + 123456789);
  CHECK(ctl::parse_time_ns("2026-11-28T19:30:00+01:30", now) == base);
  CHECK(ctl::parse_time_ns("2026-11-28T16:00:00.25-02:00", now) == base + 250000000);
  CHECK(ctl::parse_time_ns("1700000000", now) == 1700000000LL * 1000000000LL);
  CHECK(ctl::parse_time_ns("1700000000.25", now) == 1700000000LL * 1000000000LL + 250000000);
  CHECK(ctl::parse_time_ns("10m", now) == now - 600LL * 1000000000LL);
  CHECK(ctl::parse_time_ns("1h30m", now) == now - 5400LL * 1000000000LL);
  CHECK(ctl::parse_time_ns("1.5s", now) == now - 1500000000LL);
  CHECK(ctl::parse_time_ns("250ms", now) == now - 250000000LL);
  // Without an offset: local time (as Go's ParseInLocation with time.Local).
  const char* old_tz = std::getenv("TZ");
  std::string saved_tz = old_tz ? old_tz : "";
  setenv("TZ", "UTC", 1);
  tzset();
  int64_t naive = ctl::parse_time_ns("2026-11-28T18:00:00", now);
  int64_t date = ctl::parse_time_ns("2026-11-28", now);
  setenv("TZ", "Asia/Kolkata", 1);  // +05:30 (falls back to UTC without zoneinfo)
  tzset();
  int64_t shifted = ctl::parse_time_ns("2026-11-28T18:00:00", now);
  if (old_tz)
    setenv("TZ", saved_tz.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
  CHECK(naive == base);
  CHECK(date == base - 18LL * 3600 * 1000000000LL);
  CHECK((shifted == base - 19800LL * 1000000000LL || shifted == base));
  for (const char* bad :
       {"", "yesterday", "10x", "2026-13-01", "2026-02-30T00:00:00Z", "2026-11-28T25:00:00Z",
        "2026-11-28T18:00Z", "1.2.3", "10 m", "2026-11-28T18:00:00+0100", "m", "."}) {
    INFO(bad);
    try {
      ctl::parse_time_ns(bad, now);
      FAIL("no throw");
    } catch (const ctrd::error& e) {
      CHECK(e.code() == ctrd::ec::invalid_argument);
      CHECK(std::string(e.what()).rfind("invalid time \"" + std::string(bad) + "\"", 0) == 0);
    }
  }
}

TEST_CASE("Go durations", "[ctl][time]") {
  int64_t v = 0;
  CHECK(ctl::parse_go_duration_ns("0", v));
  CHECK(v == 0);
  CHECK(ctl::parse_go_duration_ns("1h2m3s4ms5us6ns", v));
  CHECK(v == 3723004005006LL);
  CHECK(ctl::parse_go_duration_ns("-2m", v));
  CHECK(v == -120000000000LL);
  CHECK(ctl::parse_go_duration_ns("3\xc2\xb5s", v));
  CHECK(v == 3000);
  CHECK_FALSE(ctl::parse_go_duration_ns("10", v));
  CHECK_FALSE(ctl::parse_go_duration_ns("", v));
  CHECK_FALSE(ctl::parse_go_duration_ns("5d", v));
  CHECK_FALSE(ctl::parse_go_duration_ns("h", v));
}

TEST_CASE("logs --tail must be a non-negative number", "[ctl][logs]") {
  CHECK(ctl::parse_tail("0") == 0);
  CHECK(ctl::parse_tail("25") == 25);
  for (const char* bad : {"", "-1", "x", "1.5", "+3"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_tail(bad); }) == ctrd::ec::invalid_argument);
  }
}

TEST_CASE("log sizes and --log-opt", "[ctl][flags]") {
  CHECK(ctl::parse_log_size("4096") == 4096);
  CHECK(ctl::parse_log_size("10m") == 10000000);
  CHECK(ctl::parse_log_size("10M") == 10000000);
  CHECK(ctl::parse_log_size("10MB") == 10000000);
  CHECK(ctl::parse_log_size("10mib") == 10000000);  // go-units FromHumanSize: decimal
  CHECK(ctl::parse_log_size("512k") == 512000);
  CHECK(ctl::parse_log_size("1.5g") == 1500000000);
  CHECK(ctl::parse_log_size("0") == 0);
  CHECK(ctl::parse_log_size("7b") == 7);
  for (const char* bad : {"", "m", "10x", "-1", "10mm", "1.", "ten"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_log_size(bad); }) == ctrd::ec::invalid_argument);
  }
  json def = json::object();
  ctl::apply_log_opts({"max-size=10m", "max-file=5"}, def);
  CHECK(def == json{{"log_max_size", 10000000}, {"log_max_files", 5}});
  for (const char* bad : {"max-size", "max-file=-1", "max-file=x", "tag=foo", "max-size=1q"}) {
    INFO(bad);
    json d = json::object();
    CHECK(code_of([&] { ctl::apply_log_opts({bad}, d); }) == ctrd::ec::invalid_argument);
  }
}

TEST_CASE("create -i -t and --log-opt reach the definition", "[ctl][flags]") {
  auto o = with_command({"cat"});
  o.interactive = true;
  o.tty = true;
  o.log_opts = {"max-size=1k", "max-file=0"};
  json d = ctl::build_definition(o, host);
  CHECK(d["interactive"] == true);
  CHECK(d["tty"] == true);
  CHECK(d["log_max_size"] == 1000);
  CHECK(d["log_max_files"] == 0);
  CHECK_FALSE(ctl::build_definition(with_command({"cat"}), host).contains("interactive"));
}

TEST_CASE("wait conditions are validated locally", "[ctl][wait]") {
  CHECK(ctl::parse_wait_conditions({"running"}) == std::vector<std::string>{"running"});
  CHECK(ctl::parse_wait_conditions({"configured", "created", "initialized"}) ==
        std::vector<std::string>{"created", "initialized"});
  CHECK(ctl::parse_wait_conditions({"stopped,exited", "healthy", "unhealthy"}) ==
        std::vector<std::string>{"stopped", "exited", "healthy", "unhealthy"});
  CHECK(ctl::parse_wait_conditions({"paused", "stopping", "removing"}).size() == 3);
  for (const char* bad : {"", "dead", "Running", "running,", "health"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_wait_conditions({bad}); }) == ctrd::ec::invalid_argument);
  }
}

TEST_CASE("event filters", "[ctl][events]") {
  CHECK(ctl::parse_event_filters({}) == json::object());
  CHECK(ctl::parse_event_filters(
            {"container=web", "event=die", "event=start", "type=container", "container=db"}) ==
        json{{"container", {"web", "db"}}, {"event", {"died", "start"}}});
  for (const char* bad : {"container", "container=", "image=x", "type=image", "=x"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_event_filters({bad}); }) == ctrd::ec::invalid_argument);
  }
}

// --- isolation and resource flags (issue 5) ---

namespace {
// A scratch directory removed at the end of the test.
struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/ctl_flags_XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() { std::system(("rm -rf '" + path + "'").c_str()); }
};
}  // namespace

TEST_CASE("memory sizes use podman's binary units", "[ctl][flags][size]") {
  CHECK(ctl::parse_ram_size("64m") == 64 * 1024 * 1024);
  CHECK(ctl::parse_ram_size("64M") == 64 * 1024 * 1024);
  CHECK(ctl::parse_ram_size("64mb") == 64 * 1024 * 1024);
  CHECK(ctl::parse_ram_size("64MiB") == 64 * 1024 * 1024);
  CHECK(ctl::parse_ram_size("1g") == 1024 * 1024 * 1024);
  CHECK(ctl::parse_ram_size("1.5k") == 1536);
  CHECK(ctl::parse_ram_size("4096") == 4096);
  CHECK(ctl::parse_ram_size("4096b") == 4096);
  CHECK(ctl::parse_ram_size("2 m") == 2 * 1024 * 1024);
  CHECK(ctl::parse_ram_size("1t") == 1024ll * 1024 * 1024 * 1024);
  for (const char* bad :
       {"", "m", "64x", "-1", "64mm", "64ki", "1.", ".5m", "64m ", "1bb", "1e3", "99999999999p"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_ram_size(bad); }) == ctrd::ec::invalid_argument);
  }
}

TEST_CASE("memory limit minimum is 6m and 0 means no limit", "[ctl][flags][size]") {
  CHECK(ctl::parse_memory_limit("6m") == 6 * 1024 * 1024);
  CHECK(ctl::parse_memory_limit("0") == 0);
  CHECK(code_of([] { ctl::parse_memory_limit("5m"); }) == ctrd::ec::invalid_argument);
  CHECK(message_of([] {
          ctl::parse_memory_limit("1k");
        }).find("minimum memory limit allowed is 6MB") != std::string::npos);
}

TEST_CASE("cpus cpu-shares and pids-limit are checked", "[ctl][flags]") {
  CHECK(ctl::parse_cpus("0.5") == 0.5);
  CHECK(ctl::parse_cpus("2") == 2.0);
  CHECK(ctl::parse_cpus("0.01") == 0.01);
  for (const char* bad :
       {"", "0", "-1", "0.001", "abc", "1.5x", "inf", "nan", " 1", "1e2", "0x10"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_cpus(bad); }) == ctrd::ec::invalid_argument);
  }
  CHECK(ctl::parse_cpu_shares("1024") == 1024);
  CHECK(ctl::parse_cpu_shares("2") == 2);
  CHECK(ctl::parse_cpu_shares("262144") == 262144);
  CHECK(ctl::parse_cpu_shares("0") == 0);
  for (const char* bad : {"", "1", "262145", "-5", "x"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_cpu_shares(bad); }) == ctrd::ec::invalid_argument);
  }
  CHECK(ctl::parse_pids_limit("-1") == 0);
  CHECK(ctl::parse_pids_limit("0") == 0);
  CHECK(ctl::parse_pids_limit("100") == 100);
  for (const char* bad : {"", "-2", "x", "1.5", "9999999999999999999"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_pids_limit(bad); }) == ctrd::ec::invalid_argument);
  }
}

TEST_CASE("absolute_path joins and cleans lexically", "[ctl][flags]") {
  CHECK(ctl::absolute_path("data", "/home/u") == "/home/u/data");
  CHECK(ctl::absolute_path("./data/", "/home/u") == "/home/u/data");
  CHECK(ctl::absolute_path("../x", "/home/u") == "/home/x");
  CHECK(ctl::absolute_path("../../../x", "/home/u") == "/x");
  CHECK(ctl::absolute_path("/a//b/./c", "/ignored") == "/a/b/c");
  CHECK(ctl::absolute_path(".", "/") == "/");
}

TEST_CASE("volumes parse as HOST:CTR with ro or rw", "[ctl][flags]") {
  auto v = ctl::parse_volume("./data:/srv/data", "/home/u");
  CHECK(v.source == "/home/u/data");
  CHECK(v.destination == "/srv/data");
  CHECK_FALSE(v.read_only);
  v = ctl::parse_volume("/etc/hosts:/etc/hosts:ro", "/home/u");
  CHECK(v.source == "/etc/hosts");
  CHECK(v.read_only);
  CHECK_FALSE(ctl::parse_volume("/a:/b:rw", "/").read_only);
  CHECK(ctl::parse_volume("/a:/b/../c/", "/").destination == "/c");
  for (const char* bad :
       {"/a", "/a:", ":/b", "/a:b", "/a:/b:rx", "/a:/b:ro,rw", "/a:/b:ro:x", "named:/data"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_volume(bad, "/"); }) == ctrd::ec::invalid_argument);
  }
  CHECK(message_of([] { ctl::parse_volume("named:/data", "/"); }).find("named volumes") !=
        std::string::npos);
}

TEST_CASE("isolation flags land in the definition", "[ctl][flags]") {
  temp_dir root;
  temp_dir data;
  auto o = with_command({"sh"});
  o.rootfs = root.path;
  o.read_only = true;
  o.volumes = {data.path + ":/data:ro", "/tmp:/scratch"};
  o.hostname = "box";
  o.pid = "private";
  o.ipc = "host";
  o.uts = "private";
  o.network = "none";
  o.memory = "64m";
  o.cpus = "1.5";
  o.cpu_shares = "512";
  o.pids_limit = "-1";
  json d = ctl::build_definition(o, host, "/");
  CHECK(d["rootfs"] == root.path);
  CHECK_FALSE(d.contains("rootfs_overlay"));
  CHECK(d["read_only"] == true);
  CHECK(d["mounts"] ==
        json::array({json{{"source", data.path}, {"destination", "/data"}, {"read_only", true}},
                     json{{"source", "/tmp"}, {"destination", "/scratch"}, {"read_only", false}}}));
  CHECK(d["hostname"] == "box");
  CHECK(d["pid"] == "private");
  CHECK(d["ipc"] == "host");
  CHECK(d["uts"] == "private");
  CHECK(d["network"] == "none");
  CHECK(d["memory"] == 64 * 1024 * 1024);
  CHECK(d["cpus"] == 1.5);
  CHECK(d["cpu_shares"] == 512);
  CHECK(d["pids_limit"] == 0);
  json bare = ctl::build_definition(with_command({"sh"}), host, "/");
  for (const char* key : {"rootfs", "rootfs_overlay", "read_only", "mounts", "hostname", "pid",
                          "ipc", "uts", "network", "memory", "cpus", "cpu_shares", "pids_limit"}) {
    INFO(key);
    CHECK_FALSE(bare.contains(key));
  }
}

TEST_CASE("relative rootfs and volume paths are made absolute", "[ctl][flags]") {
  temp_dir base;
  REQUIRE(::mkdir((base.path + "/root").c_str(), 0755) == 0);
  REQUIRE(::mkdir((base.path + "/data").c_str(), 0755) == 0);
  auto o = with_command({"sh"});
  o.rootfs = "root";
  o.volumes = {"./data:/data"};
  json d = ctl::build_definition(o, host, base.path);
  CHECK(d["rootfs"] == base.path + "/root");
  CHECK(d["mounts"][0]["source"] == base.path + "/data");
  o.rootfs = "root:O";  // podman's overlay spelling
  d = ctl::build_definition(o, host, base.path);
  CHECK(d["rootfs"] == base.path + "/root");
  CHECK(d["rootfs_overlay"] == true);
  o.rootfs = "root";
  o.rootfs_overlay = true;
  CHECK(ctl::build_definition(o, host, base.path)["rootfs_overlay"] == true);
}

TEST_CASE("bad isolation flags are refused with clear messages", "[ctl][flags]") {
  temp_dir root;
  auto bad = [&](const std::function<void(ctl::create_options&)>& set) {
    auto o = with_command({"true"});
    set(o);
    return message_of([&] { ctl::build_definition(o, host, "/"); });
  };
  auto has = [](const std::string& msg, const char* part) {
    INFO(msg);
    return msg.find(part) != std::string::npos;
  };
  CHECK(has(bad([](auto& o) { o.rootfs = "/nonexistent/rootfs"; }), "invalid rootfs"));
  CHECK(has(bad([](auto& o) { o.rootfs = "/etc/hostname"; }), "not a directory"));
  CHECK(has(bad([](auto& o) { o.rootfs_overlay = true; }), "--rootfs-overlay needs --rootfs"));
  CHECK(has(bad([](auto& o) { o.volumes = {"/tmp:/x"}; }), "--volume needs --rootfs"));
  CHECK(has(bad([&](auto& o) {
              o.rootfs = root.path;
              o.volumes = {"/nonexistent/dir:/x"};
            }),
            "host path /nonexistent/dir"));
  CHECK(has(bad([&](auto& o) {
              o.rootfs = root.path;
              o.volumes = {"/tmp:/x", "/var:/x/"};
            }),
            "duplicate mount destination /x"));
  CHECK(has(bad([](auto& o) { o.hostname = "bad name"; }), "invalid hostname"));
  CHECK(has(bad([](auto& o) { o.hostname = std::string(65, 'a'); }), "invalid hostname"));
  CHECK(has(bad([](auto& o) {
              o.hostname = "box";
              o.uts = "host";
            }),
            "cannot set hostname when running in the host UTS namespace"));
  CHECK(has(bad([](auto& o) { o.pid = "container:web"; }), "invalid pid namespace"));
  CHECK(has(bad([](auto& o) { o.ipc = "shareable"; }), "invalid ipc namespace"));
  CHECK(has(bad([](auto& o) { o.uts = "x"; }), "invalid uts namespace"));
  CHECK(has(bad([](auto& o) { o.network = "bridge"; }), "invalid network"));
  CHECK(has(bad([](auto& o) { o.memory = "lots"; }), "invalid memory size"));
  CHECK(has(bad([](auto& o) { o.memory = "1m"; }), "6MB"));
  CHECK(has(bad([](auto& o) { o.cpus = "0"; }), "invalid cpus"));
  CHECK(has(bad([](auto& o) { o.cpu_shares = "1"; }), "invalid cpu shares"));
  CHECK(has(bad([](auto& o) { o.pids_limit = "-3"; }), "invalid pids limit"));
}

TEST_CASE("CLI11 parses the isolation flags and split_args knows them", "[ctl][flags]") {
  temp_dir root;
  json d = definition_from(
      {"--rootfs",   root.path, "-v",           "/tmp:/t:ro", "--volume", "/var:/v", "--read-only",
       "--hostname", "h",       "--pid",        "host",       "--ipc",    "private", "--uts",
       "private",    "--net",   "none",         "-m",         "128m",     "--cpus",  "0.5",
       "-c",         "100",     "--pids-limit", "50"});
  CHECK(d["mounts"].size() == 2);
  CHECK(d["network"] == "none");
  CHECK(d["memory"] == 128 * 1024 * 1024);
  CHECK(d["cpu_shares"] == 100);
  CHECK(d["pids_limit"] == 50);
  CHECK(definition_from({"--network", "host"})["network"] == "host");

  CLI::App app;
  ctl::create_options o;
  ctl::add_create_flags(app, o);
  std::vector<std::string> args = {"-v",       "/a:/b", "-m",          "64m",
                                   "-c",       "2",     "--read-only", "--rootfs-overlay",
                                   "--rootfs", "/r",    "sh",          "-v"};
  auto s = ctl::split_args(app, args, 0);
  CHECK(s.flags_end == 10);
  CHECK(s.positional == 10);
}

// --- stats: units, CPU %, rendering ---

TEST_CASE("human sizes are go-units HumanSize", "[ctl][stats]") {
  CHECK(ctl::human_size(0) == "0B");
  CHECK(ctl::human_size(999) == "999B");
  CHECK(ctl::human_size(1000) == "1kB");
  CHECK(ctl::human_size(1234) == "1.234kB");
  CHECK(ctl::human_size(123456) == "123.5kB");
  CHECK(ctl::human_size(1500000) == "1.5MB");
  CHECK(ctl::human_size(2e9) == "2GB");
  CHECK(ctl::human_size(8589934592.0) == "8.59GB");
  CHECK(ctl::combine_human(0, 0) == "0B / 0B");
  CHECK(ctl::combine_human(1500000, 2000000000) == "1.5MB / 2GB");
  CHECK(ctl::combine_human(0, 4096) == "0B / 4.096kB");
}

TEST_CASE("Go duration strings", "[ctl][stats]") {
  CHECK(ctl::go_duration(0) == "0s");
  CHECK(ctl::go_duration(12) == "12ns");
  CHECK(ctl::go_duration(1500) == "1.5\xC2\xB5s");
  CHECK(ctl::go_duration(350000000) == "350ms");
  CHECK(ctl::go_duration(1234567) == "1.234567ms");
  CHECK(ctl::go_duration(1234000000) == "1.234s");
  CHECK(ctl::go_duration(90000000000) == "1m30s");
  CHECK(ctl::go_duration(3600000000000) == "1h0m0s");
  CHECK(ctl::go_duration(3723500000000) == "1h2m3.5s");
  CHECK(ctl::go_duration(-2000000000) == "-2s");
}

TEST_CASE("percent strings: two decimals and -- for zero", "[ctl][stats]") {
  CHECK(ctl::percent_string(0) == "--");
  CHECK(ctl::percent_string(12.345) == "12.35%");
  CHECK(ctl::percent_string(0.001) == "0.00%");
  CHECK(ctl::percent_string(150) == "150.00%");
}

TEST_CASE("CPU percent from consecutive samples and the running average", "[ctl][stats]") {
  CHECK(ctl::cpu_percent(500, 1000, 0, 0) == 50.0);
  CHECK(ctl::cpu_percent(100, 1000, 200, 0) == 0.0);      // counter went back: no value
  CHECK(ctl::cpu_percent(100, 1000, 0, 1000) == 0.0);     // no time passed
  CHECK(ctl::cpu_percent(3000, 1000, 1000, 0) == 200.0);  // two CPUs busy: above 100%

  ctl::stats_history h;
  ctl::stats_sample s;
  s.id = std::string(64, 'a');
  s.name = "web";
  s.started_ns = 1000000000;
  s.read_ns = 3000000000;  // 2 s after the start
  s.cpu_ns = 500000000;    // 0.5 s of CPU
  s.memory_bytes = 1500000;
  s.memory_limit = 2000000000;
  s.pids = 3;
  auto r1 = ctl::compute_stats_row(s, h);
  CHECK(r1.cpu_percent == Approx(25.0));
  CHECK(r1.avg_cpu == Approx(25.0));
  CHECK(r1.mem_percent == Approx(0.075));
  s.read_ns = 4000000000;  // 1 s later
  s.cpu_ns = 1500000000;   // 1 s more CPU
  auto r2 = ctl::compute_stats_row(s, h);
  CHECK(r2.cpu_percent == Approx(100.0));
  CHECK(r2.avg_cpu == Approx(62.5));
  s.read_ns = 5000000000;  // idle second
  auto r3 = ctl::compute_stats_row(s, h);
  CHECK(r3.cpu_percent == 0.0);
  CHECK(r3.avg_cpu == Approx(125.0 / 3));
  CHECK(h.by_id.size() == 1);
}

TEST_CASE("stats samples are read from ctrd's maps", "[ctl][stats]") {
  json j = {{"id", "abc"},     {"name", "web"},      {"state", "running"},  {"read_ns", 5},
            {"started_ns", 1}, {"cpu_ns", 7},        {"memory_bytes", 100}, {"memory_limit", 1000},
            {"pids", 2},       {"block_read", 4096}, {"block_write", 8192}};
  auto s = ctl::sample_of(j);
  CHECK(s.id == "abc");
  CHECK(s.read_ns == 5);
  CHECK(s.cpu_ns == 7);
  CHECK(s.memory_limit == 1000);
  CHECK(s.block_write == 8192);
  CHECK(ctl::sample_of(json{{"id", 3}, {"pids", -1}}).pids == 0);
  CHECK(ctl::sample_of(json::array()).id.empty());
}

TEST_CASE("the stats table is podman's", "[ctl][stats]") {
  ctl::stats_row r;
  r.id = "0123456789abcdef0123";
  r.name = "web";
  r.cpu_percent = 12.5;
  r.avg_cpu = 3.25;
  r.mem_usage = 1500000;
  r.mem_limit = 2000000000;
  r.mem_percent = 0.075;
  r.block_read = 4096;
  r.block_write = 0;
  r.pids = 3;
  r.cpu_ns = 1234000000;
  std::string t = ctl::stats_table({r, ctl::idle_stats_row("fedcba9876543210", "db")});
  CHECK(t ==
        "ID            NAME        CPU %       MEM USAGE / LIMIT  MEM %       NET IO      BLOCK IO "
        "     PIDS        CPU TIME    AVG CPU %\n"
        "0123456789ab  web         12.50%      1.5MB / 2GB        0.07%       --          4.096kB "
        "/ 0B  3           1.234s      3.25%\n"
        "fedcba987654  db          --          0B / 0B            --          --          0B / 0B  "
        "     --          0s          --\n");
  std::string j = ctl::stats_json({r});
  CHECK(j ==
        "[\n"
        "    {\n"
        "        \"id\": \"0123456789ab\",\n"
        "        \"name\": \"web\",\n"
        "        \"cpu_time\": \"1.234s\",\n"
        "        \"cpu_percent\": \"12.50%\",\n"
        "        \"avg_cpu\": \"3.25%\",\n"
        "        \"mem_usage\": \"1.5MB / 2GB\",\n"
        "        \"mem_percent\": \"0.07%\",\n"
        "        \"net_io\": \"--\",\n"
        "        \"block_io\": \"4.096kB / 0B\",\n"
        "        \"pids\": \"3\"\n"
        "    }\n"
        "]\n");
  CHECK(ctl::stats_json({}) == "[]\n");
}

TEST_CASE("tab_table pads like Go's tabwriter and artifact ls uses it", "[ctl][stats]") {
  CHECK(ctl::tab_table({{"A", "B"}, {"long-cell-value", "x"}}) ==
        "A                B\nlong-cell-value  x\n");
  json list = json::array(
      {json{{"name", "config.json"}, {"size", 1234}}, json{{"name", "k"}, {"size", 0}}});
  CHECK(ctl::artifact_table(list) == "NAME         SIZE\nconfig.json  1.234kB\nk            0B\n");
}
