// Shell completion (ctl/completion.hpp): the tree follows the CLI11 definitions of the
// verbs; each shell's script names every command and flag.
#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

#include "ctl/commands.hpp"
#include "ctl/completion.hpp"
#include "messages/error.hpp"

namespace ctl_completion_test {

using namespace ctl;

namespace {

const completion_node* find(const std::vector<completion_node>& t, const std::string& path) {
  for (const auto& n : t)
    if (n.path == path) return &n;
  return nullptr;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("completion: the tree follows the verbs' definitions", "[completion]") {
  CLI::App app{"ctrctl"};
  app.add_option("--socket", "socket");
  add_ps(app);
  add_stop(app);
  add_generate(app);
  add_create(app);
  add_artifact(app);
  auto tree = completion_tree(app);
  const auto* root = find(tree, "");
  REQUIRE(root != nullptr);
  CHECK(has(root->children, "ps"));
  CHECK(has(root->children, "generate"));
  CHECK(has(root->valued, "--socket"));
  const auto* ps = find(tree, "ps");
  REQUIRE(ps != nullptr);
  CHECK(has(ps->flags, "-a"));
  CHECK(has(ps->flags, "--all"));
  CHECK_FALSE(has(ps->valued, "--all"));
  CHECK(has(ps->valued, "--format"));
  CHECK(find(tree, "stop")->args == "containers");
  CHECK(find(tree, "create")->args == "command");
  const auto* svc = find(tree, "generate service");
  REQUIRE(svc != nullptr);
  CHECK(svc->args == "containers");
  CHECK(has(svc->flags, "--files"));
  CHECK(has(find(tree, "generate")->children, "service"));
  CHECK(find(tree, "artifact add") != nullptr);
}

TEST_CASE("completion: scripts for bash, zsh and fish", "[completion]") {
  CLI::App app{"ctrctl"};
  add_ps(app);
  add_generate(app);
  auto tree = completion_tree(app);
  auto bash = completion_script(tree, "bash");
  CHECK(bash.find("complete -F _ctrctl ctrctl") != std::string::npos);
  CHECK(bash.find("generate_service) echo") != std::string::npos);
  auto zsh = completion_script(tree, "zsh");
  CHECK(zsh.rfind("#compdef ctrctl", 0) == 0);
  auto fish = completion_script(tree, "fish");
  CHECK(fish.find("complete -c ctrctl -n '__fish_seen_subcommand_from ps' -s a -l all") !=
        std::string::npos);
  CHECK(fish.find("-a 'service'") != std::string::npos);
  CHECK_THROWS_AS(completion_script(tree, "tcsh"), ctrd::error);
}

}  // namespace ctl_completion_test
