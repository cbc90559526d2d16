// `ctrctl generate service`, `ctrctl completion` and the man pages, through the real ctrctl
// and a real ctrd: a generated service file recreates the container it came from; the
// completion scripts complete commands, flags and container names in a real bash; every
// verb has its man page.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/daemon.hpp"
#include "tests/support/temp_dir.hpp"

namespace generate_completion_test {

using ctrd::test::read_file;

using ctrd::test::live_daemon;
using ctrd::test::run_process;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The settings a service file recreates, from inspect.
json recreated(const json& i) {
  return json{{"Cmd", i["Config"]["Cmd"]},
              {"Env", i["Config"]["Env"]},
              {"Labels", i["Config"]["Labels"]},
              {"WorkingDir", i["Config"]["WorkingDir"]},
              {"StopSignal", i["Config"]["StopSignal"]},
              {"StopTimeout", i["Config"]["StopTimeout"]},
              {"Healthcheck", i["Config"]["Healthcheck"]},
              {"RestartPolicy", i["HostConfig"]["RestartPolicy"]},
              {"RestartBackoff", i["HostConfig"]["RestartBackoff"]},
              {"PidsLimit", i["HostConfig"]["PidsLimit"]},
              {"Memory", i["HostConfig"]["Memory"]}};
}

// Runs a bash completion for the words (the last one is being completed) and returns
// COMPREPLY, one entry per line.
std::string complete(const live_daemon& d, const std::string& words) {
  std::string bin_dir = fs::path(CTRCTL_BIN).parent_path().string();
  std::string script =
      "export PATH=" + bin_dir + ":$PATH CTRD_SOCKET=" + d.socket() +
      "\nsource <(ctrctl completion bash) || exit 3\n"
      "COMP_WORDS=(" +
      words +
      ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
      "_ctrctl\n[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\\n' \"${COMPREPLY[@]}\"\n";
  auto r = run_process({"/bin/bash", "-c", script});
  INFO(r.err);
  REQUIRE(r.code == 0);
  // compgen keeps the order of its word list: sort, so the checks do not depend on it.
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::sort(lines.begin(), lines.end());
  std::string sorted;
  for (const auto& l : lines) sorted += l + "\n";
  return sorted;
}

}  // namespace

TEST_CASE("generate service: the file recreates the container", "[generate]") {
  ctrd::test::temp_dir conf;
  ctrd::test::daemon_options opts;
  opts.args = {"--config-dir", conf.path()};
  live_daemon d(opts);
  d.ok({"create",
        "--name",
        "web",
        "-e",
        "A=1",
        "-e",
        "B=two words",
        "-w",
        "/tmp",
        "--label",
        "tier=front",
        "--restart",
        "on-failure:3",
        "--restart-delay",
        "1500ms",
        "--stop-signal",
        "SIGINT",
        "--stop-timeout",
        "4",
        "--health-cmd",
        "true",
        "--health-interval",
        "5s",
        "-m",
        "64m",
        "--pids-limit",
        "50",
        "sh",
        "-c",
        "echo \"it's\" $A; sleep 100"});
  auto before = recreated(ctrd::test::inspect(d, "web"));

  auto text = d.ok({"generate", "service", "web"});
  CHECK(text.rfind("# web.toml: the service file of container web", 0) == 0);
  CHECK(text.find("command = [\"sh\", \"-c\", \"echo \\\"it's\\\" $A; sleep 100\"]") !=
        std::string::npos);

  // podman generate systemd --new: remove the container, let the file create it again.
  d.ok({"rm", "-f", "web"});
  std::ofstream(conf.path() + "/web.toml") << text;
  CHECK(d.ok({"reload"}) == "created web");
  auto after = ctrd::test::inspect(d, "web");
  CHECK(recreated(after) == before);
  CHECK(after["ServiceFile"] == conf.path() + "/web.toml");

  // --files writes NAME.toml; a second generate of the file-made container is the same file.
  ctrd::test::temp_dir out;
  CHECK(d.ok({"generate", "service", "--files", "--dir", out.path(), "web"}) ==
        out.path() + "/web.toml");
  CHECK(read_file(out.path() + "/web.toml") == text + "\n");  // ok() trims the output

  auto missing = d.ctl({"generate", "service", "nosuch"});
  CHECK(missing.code == 125);
  CHECK(missing.err.find("no such container") != std::string::npos);
  auto bare = d.ctl({"generate"});
  CHECK(bare.code == 125);
}

TEST_CASE("completion: bash completes commands, flags and containers", "[completion]") {
  live_daemon d;
  d.ok({"create", "--name", "alpha", "sleep", "1"});
  d.ok({"create", "--name", "beta", "sleep", "1"});
  CHECK(complete(d, "ctrctl p") == "pause\nport\nps\n");
  CHECK(complete(d, "ctrctl ps --al").find("--all") != std::string::npos);
  CHECK(complete(d, "ctrctl stop -t 5 ''") == "alpha\nbeta\n");
  CHECK(complete(d, "ctrctl generate s") == "service\n");
  CHECK(complete(d, "ctrctl --socket x generate service a") == "alpha\n");
  CHECK(complete(d, "ctrctl completion ''").empty());
  // The container group completes its verbs and their arguments like the plain ones.
  CHECK(complete(d, "ctrctl c").find("container\n") != std::string::npos);
  CHECK(complete(d, "ctrctl container l") == "list\nlogs\nls\n");
  CHECK(complete(d, "ctrctl container rm -f ''") == "alpha\nbeta\n");

  auto bad = d.ctl({"completion", "tcsh"});
  CHECK(bad.code == 125);
  CHECK(bad.err.find("tcsh") != std::string::npos);
}

TEST_CASE("completion: zsh and fish scripts are valid", "[completion]") {
  live_daemon d;
  for (const char* shell : {"zsh", "fish"}) {
    std::string path = std::string("/usr/bin/") + shell;
    if (access(path.c_str(), X_OK) != 0) {
      WARN("skipped: " << path << " is not installed");
      continue;
    }
    auto script = d.ok({"completion", shell});
    ctrd::test::temp_dir dir;
    std::string file = dir.path() + "/ctrctl." + shell;
    std::ofstream(file) << script;
    auto r = run_process({path, "-n", file});
    INFO(shell << ": " << r.err);
    CHECK(r.code == 0);
  }
}

TEST_CASE("man pages: every verb has one, and they render", "[man]") {
  if (access("/usr/bin/go-md2man", X_OK) != 0) {
    WARN("skipped: go-md2man is not installed (scripts/install-deps.sh installs it)");
    return;
  }
  ctrd::test::temp_dir out;
  auto r = run_process({"/usr/bin/python3", std::string(CTRD_SOURCE_DIR) + "/scripts/man-pages.py",
                        std::string(CTRD_SOURCE_DIR) + "/docs", out.path()});
  INFO(r.err);
  REQUIRE(r.code == 0);
  // The verbs as ctrctl lists them (`ctrctl help`: "Subcommands:" then "  NAME  text").
  auto help = run_process({CTRCTL_BIN, "help"});
  std::istringstream lines(help.out);
  std::string line;
  bool in_list = false;
  int verbs = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("Subcommands:", 0) == 0) {
      in_list = true;
      continue;
    }
    if (!in_list || line.size() < 3 || line[0] != ' ') continue;
    std::string verb = line.substr(2, line.find_first_of(" ,", 2) - 2);
    INFO("verb " << verb);
    CHECK(fs::exists(out.path() + "/man1/ctrctl-" + verb + ".1"));
    ++verbs;
  }
  CHECK(verbs > 25);
  for (const char* page : {"man1/ctrctl.1", "man8/ctrd.8", "man5/ctrd-service.5",
                           "man1/ctrctl-healthcheck-run.1", "man1/ctrctl-generate-service.1"}) {
    INFO(page);
    REQUIRE(fs::exists(out.path() + "/" + page));
    auto rendered = run_process({"/usr/bin/man", "--warnings", "-l", out.path() + "/" + page});
    CHECK(rendered.code == 0);
    CHECK(rendered.out.find("NAME") != std::string::npos);
  }
}

}  // namespace generate_completion_test
