// ctrd's command line (docs/ctrd.md).
#pragma once

#include <string>

namespace ctrd {

struct daemon_options {
  std::string root;    ///< state root (LevelDB in <root>/state, containers in <root>/containers)
  std::string socket;  ///< control socket path
  std::string log_level = "info";
  std::string config_dir;  ///< service files; default /etc/ctrd/containers.d ("" after --no-config)
  bool init = false;       ///< run as PID 1 (init mode)
  std::string log_max_size = "10m";   ///< default container log size before rotation
  uint32_t log_max_files = 5;         ///< default rotated log files kept
  std::string socket_group = "ctrd";  ///< group (name or gid) allowed to use the socket; "" = none
  bool socket_group_given = false;    ///< set explicitly (a missing group is then an error)
};

/// Parses argv. Prints help/errors itself; returns false with `exit_code` set when the
/// process should exit (0 after --help, 2 for a usage error).
bool parse_daemon_options(int argc, char** argv, daemon_options& out, int& exit_code);

}  // namespace ctrd
