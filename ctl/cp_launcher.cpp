// `ctrctl cp` runs in a separate binary, ctrctl-cp, installed next to ctrctl: only cp needs
// libarchive (the host side of the tar streams), and loading it and its dozen dependencies
// would cost every other ctrctl invocation a few milliseconds at start-up.
#include <unistd.h>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/paths.hpp"
#include "ctl/commands.hpp"
#include "ctl/io.hpp"

namespace ctl {

runner add_cp_launcher(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("cp", "Copy files between a container and the host (runs ctrctl-cp)");
  cmd->allow_extras();
  return [](context&) { return 125; };  // never reached: run_cp_helper() replaces the process
}

int run_cp_helper(const std::vector<std::string>& args) {
  std::string helper = ctrd::own_executable_dir() + "/ctrctl-cp";
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(helper.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(helper.c_str(), argv.data());
  print_error("ctrctl cp needs its helper " + helper + ": " + std::strerror(errno));
  return 125;
}

}  // namespace ctl
