#include "supervisor/daemon_options.hpp"

#include <CLI/CLI.hpp>

#include "config/paths.hpp"
#include "config/service_file.hpp"

namespace ctrd {

bool parse_daemon_options(int argc, char** argv, daemon_options& out, int& exit_code) {
  CLI::App app{"ctrd: container supervisor daemon (runs in the foreground)"};
  out.root = default_root_dir();
  out.socket = default_socket_path();
  app.add_option("--root", out.root, "state directory (LevelDB, logs)")->capture_default_str();
  app.add_option("--socket", out.socket, "control socket path")->capture_default_str();
  out.config_dir = default_service_dir;
  app.add_option("--config-dir", out.config_dir, "service files (<name>.toml); \"\" for none")
      ->capture_default_str();
  app.add_flag("--init", out.init,
               "run as PID 1: reap every process, stop everything on SIGTERM/SIGINT/SIGPWR");
  app.add_option("--log-max-size", out.log_max_size,
                 "default size of a container log before rotation (k, m, g: decimal; 0: never)")
      ->capture_default_str();
  app.add_option("--log-max-files", out.log_max_files, "default number of rotated log files kept")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  app.add_option("--log-level", out.log_level, "trace, debug, info, warn, error, critical, off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  auto* group =
      app.add_option("--socket-group", out.socket_group,
                     "group (name or gid) whose members may use the control socket; \"\" for "
                     "none (root and ctrd's own user only)")
          ->capture_default_str();
  app.set_version_flag("--version", std::string("ctrd ") + CTRD_VERSION);
  try {
    app.parse(argc, argv);
    out.socket_group_given = group->count() > 0;
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    exit_code = rc == 0 ? 0 : 2;
    return false;
  }
  return true;
}

}  // namespace ctrd
