#include "supervisor/daemon_options.hpp"

#include <algorithm>

#include <CLI/CLI.hpp>

#include "config/paths.hpp"
#include "config/service_file.hpp"
#include "messages/capabilities.hpp"
#include "messages/error.hpp"
#include "supervisor/supervisor.hpp"

namespace ctrd {

uint64_t resolve_space_option(const std::string& flag, const std::string& text, uint64_t fs_size,
                              uint64_t default_value) {
  if (text.empty()) return default_value;
  if (text.back() == '%') {
    auto digits = text.substr(0, text.size() - 1);
    bool ok = !digits.empty() && digits.size() <= 3 &&
              digits.find_first_not_of("0123456789") == std::string::npos;
    uint64_t pct = ok ? std::stoull(digits) : 101;
    if (pct > 100)
      throw error(ec::invalid_argument,
                  flag + ": invalid percentage \"" + text + "\": use 0% to 100%");
    return fs_size / 100 * pct + fs_size % 100 * pct / 100;
  }
  try {
    return parse_size(text);
  } catch (const error& e) {
    throw error(ec::invalid_argument, flag + ": " + e.what() + ", or a percentage (2%)");
  }
}

uint64_t parse_default_capabilities(const std::string& text) {
  std::vector<std::string> names;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto comma = text.find(',', pos);
    auto name = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (!name.empty()) {
      if (normalize_capability(name, "--default-capabilities") == "ALL")
        throw error(ec::invalid_argument,
                    "invalid --default-capabilities \"ALL\": name the capabilities");
      names.push_back(name);
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return parse_capabilities(names, "--default-capabilities");
}

uint64_t default_min_free_space(uint64_t fs_size) {
  return std::max<uint64_t>(8u << 20, fs_size / 50);
}

uint64_t default_log_max_total(uint64_t fs_size) {
  return fs_size / 4;
}

bool parse_daemon_options(int argc, char** argv, daemon_options& out, int& exit_code) {
  CLI::App app{"ctrd: container supervisor daemon (runs in the foreground)"};
  out.root = default_root_dir();
  out.socket = default_socket_path();
  app.add_option("--root", out.root, "state directory (LevelDB, logs)")->capture_default_str();
  app.add_option("--socket", out.socket, "control socket path")->capture_default_str();
  out.config_dir = default_service_dir;
  app.add_option("--config-dir", out.config_dir, "service files (<name>.toml); \"\" for none")
      ->capture_default_str();
  auto* init = app.add_flag("--init", out.init,
                            "run as PID 1: reap every process, stop everything on "
                            "SIGTERM/SIGINT/SIGPWR, then sync and power off (in a PID "
                            "namespace: exit)");
  app.add_flag("--reboot", out.reboot, "with --init: reboot instead of powering off at the end")
      ->needs(init);
  auto* wdog = app.add_option("--watchdog-device", out.watchdog_device,
                              "a hardware watchdog (/dev/watchdog) that ctrd's holder opens and "
                              "pets each time the daemon's self-check passes; a hung daemon lets "
                              "it reset the machine (docs/supervision.md)");
  app.add_option("--watchdog-timeout", out.watchdog_timeout,
                 "with --watchdog-device: its timeout in seconds (1-86400; default: the "
                 "device's own); the self-check runs every half of it")
      ->check(CLI::Range(1, 86400))
      ->needs(wdog);
  app.add_option("--shutdown-timeout", out.shutdown_timeout,
                 "seconds ctrd's daemon has to stop after SIGTERM, SIGINT or SIGPWR (1-86400); "
                 "then ctrd's holder kills it (SIGKILL) and ends its shutdown without it")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  app.add_option("--network-config-dir", out.network_config_dir,
                 "netavark's configuration directory (aardvark-dns's files; docs/network.md)")
      ->capture_default_str();
  app.add_option("--log-dir", out.log_dir,
                 "container logs (DIR/<id>/ctr.log) and the event log (DIR/events.log); e.g. a "
                 "tmpfs, to spare flash (default: in --root)");
  app.add_option("--log-max-size", out.log_max_size,
                 "default size of a container log before rotation (k, m, g: decimal; 0: never)")
      ->capture_default_str();
  app.add_option("--log-max-files", out.log_max_files, "default number of rotated log files kept")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  app.add_option("--min-free-space", out.min_free_space,
                 "free space kept on the file system of --root: below it creates are refused and "
                 "container log writes dropped (size with k, m, g, or N% of the file system; 0: "
                 "none; default: the larger of 8 MiB and 2%)");
  app.add_option("--log-max-total", out.log_max_total,
                 "cap on the bytes of all container logs together: the oldest rotated files of "
                 "the largest logs go first (size or N% of the file system; 0: none; default 25%)");
  std::string caps_text;
  for (const auto& n : capability_names(out.default_capabilities))
    caps_text += (caps_text.empty() ? "" : ",") + n.substr(4);
  app.add_option("--default-capabilities", caps_text,
                 "capabilities every container gets unless --cap-add/--cap-drop change them: "
                 "comma-separated names (CHOWN or CAP_CHOWN), \"\" for none")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            try {
              parse_default_capabilities(text);
              return {};
            } catch (const error& e) {
              return e.what();
            }
          },
          "CAP[,CAP...]"));
  app.add_option("--default-pids-limit", out.default_pids_limit,
                 "most tasks of a container created without --pids-limit, where the host has "
                 "the pids controller (podman's 2048; 0: none)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 30));
  app.add_option("--subid-user", out.subid_user,
                 "--userns auto gives each container 65536 ids of this user's (and group's) "
                 "ranges in the subuid/subgid files")
      ->capture_default_str();
  app.add_option("--subuid-file", out.subuid_file, "subordinate uid ranges for --userns auto")
      ->capture_default_str();
  app.add_option("--subgid-file", out.subgid_file, "subordinate gid ranges for --userns auto")
      ->capture_default_str();
  app.add_option("--log-target", out.log_target,
                 "where ctrd's own log goes: stderr (the console in --init mode, the journal "
                 "under systemd) or kmsg (the kernel's ring buffer, read with dmesg: nothing "
                 "written to flash)")
      ->capture_default_str()
      ->check(CLI::IsMember({"stderr", "kmsg"}));
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
    out.default_capabilities = parse_default_capabilities(caps_text);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    exit_code = rc == 0 ? 0 : 2;
    return false;
  }
  return true;
}

}  // namespace ctrd
