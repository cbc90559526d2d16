// `ctrctl completion bash|zsh|fish`: prints the completion script for the shell, generated
// from the verb table (ctl/completion.hpp). main.cpp registers every verb before running it.
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/commands.hpp"
#include "ctl/completion.hpp"
#include "ctl/io.hpp"

namespace ctl {

runner add_completion(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("completion", "Print the shell completion script");
  sub->add_option("SHELL", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  sub->footer(
      "Load it in the current shell:\n"
      "  bash: source <(ctrctl completion bash)\n"
      "  zsh:  source <(ctrctl completion zsh)\n"
      "  fish: ctrctl completion fish | source\n"
      "or install it: ctrctl completion bash > /etc/bash_completion.d/ctrctl");
  const CLI::App* root = &app;
  return [shell, root](context&) {
    out(completion_script(completion_tree(*root), *shell));
    return 0;
  };
}

}  // namespace ctl
