// Shell completion for ctrctl, generated from the CLI11 definition of every verb (the same
// table ctrctl parses with), so a new verb or flag completes without editing a script:
// `ctrctl completion bash|zsh|fish`. Commands, subcommands (generate service, ...), flags,
// and positional arguments: container names (from `ctrctl ps -a`) where a verb takes
// CONTAINER, network names (from `ctrctl network ls -q`) for NETWORK, program names for
// create/run/exec's command, file names otherwise.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace ctl {

/// One command of the tree, flattened: `path` is "" for ctrctl itself, "ps",
/// "generate service", ...
struct completion_node {
  std::string path;
  std::string description;
  std::vector<std::string> children;  ///< subcommand names and aliases
  std::vector<std::string> flags;     ///< every flag spelling ("-a", "--all")
  std::vector<std::string> valued;    ///< the spellings that take a value
  std::string args;                   ///< "containers", "networks", "command", "files" or "" (none)
  /// (spellings, description) per flag, for fish and zsh.
  std::vector<std::pair<std::vector<std::string>, std::string>> flag_help;
};

/// The tree below `app` (which has every verb registered), depth first.
std::vector<completion_node> completion_tree(const CLI::App& app);

/// The completion script for `shell` ("bash", "zsh" or "fish"); throws
/// ctrd::error{invalid_argument} for any other shell.
std::string completion_script(const std::vector<completion_node>& tree, const std::string& shell);

}  // namespace ctl
