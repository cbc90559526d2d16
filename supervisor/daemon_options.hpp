// ctrd's command line (docs/ctrd.md).
#pragma once

#include <cstdint>
#include <string>

namespace ctrd {

struct daemon_options {
  std::string root;    ///< state root (LevelDB in <root>/state, containers in <root>/containers)
  std::string socket;  ///< control socket path
  std::string log_level = "info";
  std::string log_target = "stderr";  ///< ctrd's own log: stderr or kmsg (log_target.hpp)
  std::string config_dir;  ///< service files; default /etc/ctrd/containers.d ("" after --no-config)
  bool init = false;       ///< run as PID 1 (init mode)
  bool reboot = false;     ///< --init: the holder reboots instead of powering off at the end
  /// Container logs (<log_dir>/<id>/ctr.log) and the event log; "" = under --root. A tmpfs
  /// here spares a device's flash (docs/ctrd.md "Flash wear").
  std::string log_dir;
  std::string log_max_size = "10m";   ///< default container log size before rotation
  uint32_t log_max_files = 5;         ///< default rotated log files kept
  std::string socket_group = "ctrd";  ///< group (name or gid) allowed to use the socket; "" = none
  bool socket_group_given = false;    ///< set explicitly (a missing group is then an error)
  std::string min_free_space;  ///< free-space reserve: size, N% of the file system, "" = default
  std::string log_max_total;   ///< cap on all container logs: size, N%, "" = default
  /// --default-capabilities: the bounding set of containers without --cap-add/--cap-drop
  /// (podman's 11 unless given; "" = none).
  uint64_t default_capabilities = 0x800405fbull;
  int64_t default_pids_limit = 2048;  ///< pids limit of containers created without one (0: none)
  std::string subid_user = "ctrd";    ///< --userns auto: whose subordinate ids
  std::string subuid_file = "/etc/subuid";  ///< ... listed in these files
  std::string subgid_file = "/etc/subgid";
  /// netavark's --config: aardvark-dns's files and lock (docs/network.md); on a tmpfs.
  std::string network_config_dir = "/run/ctrd/networks";
  /// --watchdog-device / --watchdog-timeout: read by the holder (holder/hw_watchdog.hpp),
  /// which pets the device after each passing self-check; accepted and checked here.
  std::string watchdog_device;
  int watchdog_timeout = 0;  ///< seconds (0: the device's own)
  /// --shutdown-timeout: read by the holder (holder/stop_deadline.hpp), which kills a daemon
  /// that has not stopped this many seconds after the stop request; accepted and checked here.
  int shutdown_timeout = 90;
};

/// Resolves --min-free-space / --log-max-total against the file system's size `fs_size`:
/// "" gives `default_value`, "N%" N percent of fs_size (0-100), anything else a size as
/// parse_size reads it ("0" disables). Throws ctrd::error{ec::invalid_argument} naming `flag`.
uint64_t resolve_space_option(const std::string& flag, const std::string& text, uint64_t fs_size,
                              uint64_t default_value);

/// Parses --default-capabilities: comma-separated names ("CHOWN", "CAP_CHOWN"), "" for
/// none. Throws ctrd::error{ec::invalid_argument} naming an unknown capability.
uint64_t parse_default_capabilities(const std::string& text);

/// The defaults: the larger of 8 MiB and 2 % of the file system; a quarter of it.
uint64_t default_min_free_space(uint64_t fs_size);
uint64_t default_log_max_total(uint64_t fs_size);

/// Parses argv. Prints help/errors itself; returns false with `exit_code` set when the
/// process should exit (0 after --help, 2 for a usage error).
bool parse_daemon_options(int argc, char** argv, daemon_options& out, int& exit_code);

}  // namespace ctrd
