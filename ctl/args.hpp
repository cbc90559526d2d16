// Splitting a command line where a positional starts a container command: everything from
// the first positional on (`run --rm sh -c 'echo hi' -x`), or after a lone "--", belongs to
// the container, even if it looks like a flag. The split uses the CLI11 option definitions
// themselves to know which flags take a value.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace ctl {

/// Where the flags of `app` end in args[from..] and where the first positional begins.
struct arg_split {
  std::size_t flags_end;   ///< one past the last flag (or value) token
  std::size_t positional;  ///< index of the first positional (args.size() if none)
};

/// Scans args[from..] against the options of `app`: tokens starting with '-' are options
/// (a value-taking option without "=value"/attached value consumes the next token too); the
/// first other token, or the token after "--", is the first positional. Unknown options are
/// skipped as flags (CLI11 reports them later).
arg_split split_args(const CLI::App& app, const std::vector<std::string>& args, std::size_t from);

}  // namespace ctl
