// The verbs of ctrctl. Each add_<verb>() registers its CLI11 subcommand (options bound to
// state owned by the returned runner) and returns the function that executes it after
// parsing. main.cpp holds the dispatch table.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace ctl {

/// What the global parse hands to a verb.
struct context {
  std::string socket;                ///< --socket ("" = $CTRD_SOCKET or the default)
  std::string timeout;               ///< --timeout ("" = $CTRCTL_TIMEOUT or 30s; 0 = none)
  std::vector<std::string> command;  ///< container command (create/run; exec: CONTAINER first),
                                     ///< split off before parsing
};

/// Runs a parsed verb; returns the process exit status.
using runner = std::function<int(context&)>;

/// One entry of the dispatch table.
struct verb {
  const char* name;
  const char* alias;  ///< second name (nullptr if none), e.g. "remove" for rm
  runner (*add)(CLI::App& app);
  bool takes_command;  ///< arguments from the first positional on go to context::command
  /// Reachable only as `ctrctl container VERB` (podman's container-only subcommands, e.g.
  /// exists, prune, cleanup); every other container verb works both ways.
  bool container_only = false;
};

runner add_create(CLI::App& app);         ///< cmd_create.cpp
runner add_run(CLI::App& app);            ///< cmd_create.cpp
runner add_init(CLI::App& app);           ///< cmd_lifecycle.cpp
runner add_start(CLI::App& app);          ///< cmd_lifecycle.cpp
runner add_stop(CLI::App& app);           ///< cmd_lifecycle.cpp
runner add_kill(CLI::App& app);           ///< cmd_lifecycle.cpp
runner add_restart(CLI::App& app);        ///< cmd_lifecycle.cpp
runner add_rm(CLI::App& app);             ///< cmd_lifecycle.cpp
runner add_ps(CLI::App& app);             ///< cmd_ps.cpp
runner add_inspect(CLI::App& app);        ///< cmd_inspect.cpp
runner add_wait(CLI::App& app);           ///< cmd_wait.cpp
runner add_logs(CLI::App& app);           ///< cmd_logs.cpp
runner add_attach(CLI::App& app);         ///< cmd_attach.cpp
runner add_events(CLI::App& app);         ///< cmd_events.cpp
runner add_version(CLI::App& app);        ///< cmd_version.cpp
runner add_healthcheck(CLI::App& app);    ///< cmd_healthcheck.cpp
runner add_reload(CLI::App& app);         ///< cmd_daemon.cpp
runner add_shutdown(CLI::App& app);       ///< cmd_daemon.cpp
runner add_daemon_reexec(CLI::App& app);  ///< cmd_daemon.cpp
runner add_pause(CLI::App& app);          ///< cmd_pause.cpp
runner add_unpause(CLI::App& app);        ///< cmd_pause.cpp
runner add_stats(CLI::App& app);          ///< cmd_stats.cpp
runner add_exec(CLI::App& app);           ///< cmd_exec.cpp (takes_command: CONTAINER CMD...)
runner add_mount(CLI::App& app);          ///< cmd_mount.cpp
runner add_unmount(CLI::App& app);        ///< cmd_mount.cpp
runner add_export(CLI::App& app);         ///< cmd_export.cpp
runner add_cp(CLI::App& app);             ///< cmd_cp.cpp, only in ctrctl-cp
/// In ctrctl: a `cp` entry for the help listing; the verb runs ctrctl-cp (cp_launcher.cpp).
runner add_cp_launcher(CLI::App& app);
/// Replaces the process with ctrctl-cp next to this binary; returns 125 if that fails.
int run_cp_helper(const std::vector<std::string>& args);  ///< cmd_cp.cpp
runner add_stat(CLI::App& app);                           ///< cmd_stat.cpp
runner add_artifact(CLI::App& app);                       ///< cmd_artifact.cpp
runner add_top(CLI::App& app);                            ///< cmd_top.cpp
runner add_rename(CLI::App& app);                         ///< cmd_rename.cpp
runner add_update(CLI::App& app);                         ///< cmd_update.cpp
runner add_diff(CLI::App& app);                           ///< cmd_diff.cpp
runner add_exists(CLI::App& app);                         ///< cmd_container.cpp (container-only)
runner add_prune(CLI::App& app);                          ///< cmd_container.cpp (container-only)
runner add_cleanup(CLI::App& app);                        ///< cmd_container.cpp (container-only)
runner add_info(CLI::App& app);                           ///< cmd_info.cpp
runner add_system(CLI::App& app);                         ///< cmd_system.cpp (df, prune, info)
runner add_generate(CLI::App& app);                       ///< cmd_generate.cpp
runner add_completion(CLI::App& app);                     ///< cmd_completion.cpp
runner add_port(CLI::App& app);                           ///< cmd_port.cpp
runner add_network(CLI::App& app);  ///< cmd_network.cpp (create, ls, inspect, rm, ...)

}  // namespace ctl
