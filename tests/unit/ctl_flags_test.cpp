// Unit tests for ctrctl's create flags → container definition translation, env files, and
// the split of a command line into flags and container command. Links ctl_lib.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "ctl/args.hpp"
#include "ctl/create_flags.hpp"
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
  CHECK(ctl::expand_env_entry("L*", host) ==
        std::vector<std::string>{"LANG=C.UTF-8", "LC_ALL=C"});
  CHECK(ctl::merge_env({"A=1", "B=2", "A=3", "AB=4"}) ==
        std::vector<std::string>{"A=3", "B=2", "AB=4"});
}

TEST_CASE("env files: comments, blanks, CRLF, host lookups", "[ctl][flags]") {
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

TEST_CASE("read_env_file reads a file; env files come before -e", "[ctl][flags]") {
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
  CHECK(split({"-e", "A=1", "--name=web", "-eB=2", "--env", "C", "-d", "echo", "--rm"}) ==
        std::make_pair(v{"-e", "A=1", "--name=web", "-eB=2", "--env", "C", "-d"},
                       v{"echo", "--rm"}));
  CHECK(split({"--rm", "--", "--weird", "x"}) == std::make_pair(v{"--rm"}, v{"--weird", "x"}));
  CHECK(split({"-d", "-w", "/tmp"}) == std::make_pair(v{"-d", "-w", "/tmp"}, v{}));
  CHECK(split({"--bogus", "sh"}) == std::make_pair(v{"--bogus"}, v{"sh"}));
  CHECK(split({}) == std::make_pair(v{}, v{}));
}
