#include "ctl/create_flags.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <CLI/CLI.hpp>

#include "ctl/size_units.hpp"
#include "ctl/stream_flags.hpp"
#include "messages/container_config.hpp"
#include "messages/duration.hpp"
#include "messages/error.hpp"
#include "messages/limits.hpp"
#include "messages/refuse.hpp"
#include "messages/restart_policy.hpp"
#include "messages/signals.hpp"

extern char** environ;

namespace ctl {
namespace {

bool has_space(const std::string& s) {
  return s.find_first_of(" \t\n\r\v\f") != std::string::npos;
}

// A non-negative integer flag (at most 9 digits); `what` names it in the message.
uint64_t count_flag(const std::string& t, const char* what) {
  if (t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos)
    ctrd::throw_invalid("invalid " + std::string(what) + " \"" + t +
                        "\": must be a non-negative integer");
  return std::stoull(t);
}

bool iequals(const std::string& a, const char* b) {
  std::size_t i = 0;
  for (; i < a.size() && b[i] != 0; ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return i == a.size() && b[i] == 0;
}

}  // namespace

void add_create_flags(CLI::App& cmd, create_options& o) {
  cmd.add_option("--name", o.name, "Assign a name to the container");
  cmd.add_option("--restart", o.restart,
                 "Restart policy: no, on-failure[:N], always, unless-stopped");
  cmd.add_option("--stop-signal", o.stop_signal, "Signal to stop the container (default SIGTERM)");
  cmd.add_option("--stop-timeout", o.stop_timeout,
                 "Seconds to wait before killing the container on stop (default 10)");
  cmd.add_option("-e,--env", o.env, "Set an environment variable: K=V, K (from ctrctl's), PREFIX*")
      ->allow_extra_args(false);
  cmd.add_option("--env-file", o.env_files, "Read environment variables from a file")
      ->allow_extra_args(false);
  cmd.add_option("-w,--workdir", o.workdir, "Working directory inside the container (absolute)");
  cmd.add_option("-u,--user", o.user,
                 "Run as USER[:GROUP] (names from the container's /etc/passwd and /etc/group, "
                 "or numeric ids)");
  cmd.add_option("-l,--label", o.labels, "Set a label K=V")->allow_extra_args(false);
  cmd.add_flag("--rm", o.rm, "Remove the container once it has exited");
  cmd.add_option("--requires", o.requires_,
                 "Containers that must be up (ready) before this one starts: NAME[,NAME]")
      ->allow_extra_args(false);
  cmd.add_option("--restart-delay", o.restart_delay,
                 "Delay before the first policy restart, doubling after each (default 100ms)");
  cmd.add_option("--restart-max-delay", o.restart_max_delay,
                 "Longest delay between policy restarts (default 1m)");
  cmd.add_option("--restart-reset", o.restart_reset,
                 "A run this long resets the restart delay (default 10s)");
  cmd.add_option("--restart-limit", o.restart_limit,
                 "Policy restarts allowed within --restart-window before giving up "
                 "(default 10; 0 = no limit)");
  cmd.add_option("--restart-window", o.restart_window, "The --restart-limit window (default 1m)");
  cmd.add_option("--health-cmd", o.health_cmd,
                 "Health check command, run by /bin/sh -c ('none': no check)");
  cmd.add_option("--health-interval", o.health_interval,
                 "Time between health checks (default 30s; 'disable': no check)");
  cmd.add_option("--health-timeout", o.health_timeout,
                 "Longest a health check may run (default 30s)");
  cmd.add_option("--health-retries", o.health_retries,
                 "Consecutive failures before unhealthy (default 3)");
  cmd.add_option("--health-start-period", o.health_start_period,
                 "Failures this soon after start do not count (default 0s)");
  cmd.add_option("--health-on-failure", o.health_on_failure,
                 "Action when unhealthy: none (default), kill, restart, stop");
  cmd.add_flag("--no-healthcheck", o.no_healthcheck, "Disable the health check");
  cmd.add_option("--sdnotify", o.sdnotify,
                 "container: the container signals readiness (READY=1 on $NOTIFY_SOCKET); "
                 "ignore (default): ready once started");
  cmd.add_flag("-i,--interactive", o.interactive, "Keep the container's stdin open");
  cmd.add_flag("-t,--tty", o.tty, "Allocate a pseudo-terminal for the container");
  cmd.add_option("--rootfs", o.rootfs,
                 "Host directory used as the container's root file system (DIR:O: overlay)");
  cmd.add_flag("--rootfs-overlay", o.rootfs_overlay,
               "Keep the rootfs read-only and write to the container's own upper layer");
  cmd.add_flag("--read-only", o.read_only, "Mount the container's root read-only");
  cmd.add_option("-v,--volume", o.volumes, "Bind mount HOST:CTR[:ro|rw] (needs --rootfs)")
      ->allow_extra_args(false);
  cmd.add_option("--hostname", o.hostname, "Host name inside the container");
  cmd.add_option("--pid", o.pid, "PID namespace: private or host");
  cmd.add_option("--ipc", o.ipc, "IPC namespace: private or host");
  cmd.add_option("--uts", o.uts, "UTS namespace: private or host");
  cmd.add_option("-m,--memory", o.memory, "Memory limit (b, k, m, g; e.g. 64m; at least 6m)");
  cmd.add_option("--cpus", o.cpus, "Number of CPUs (e.g. 0.5)");
  cmd.add_option("-c,--cpu-shares", o.cpu_shares, "CPU shares, relative weight (2..262144)");
  cmd.add_option("--pids-limit", o.pids_limit, "Most tasks the container may have (-1: unlimited)");
  cmd.add_option("--ulimit", o.ulimits,
                 "Resource limit of the container's processes: type=soft[:hard] (nofile, nproc, "
                 "core, ...; -1: unlimited)")
      ->allow_extra_args(false);
  cmd.add_option("--oom-score-adj", o.oom_score_adj,
                 "The container's oom_score_adj, -1000..1000 (default 0)");
  cmd.add_option("--log-driver", o.log_driver,
                 "Where the output is kept: k8s-file (ctrd's log file, the default), journald "
                 "(the systemd journal), none (only attached clients see it)")
      ->check(CLI::IsMember({"k8s-file", "journald", "none"}));
  cmd.add_option("--log-opt", o.log_opts,
                 "Logging option: max-size=SIZE (rotate above SIZE bytes, k/m/g suffixes; 0 = "
                 "never), max-file=N (rotated files kept)")
      ->allow_extra_args(false);
  add_security_flags(cmd, o);
  add_run_flags(cmd, o);
  add_network_flags(cmd, o);
}

uint64_t duration_flag_ms(const std::string& text) {
  uint64_t ms = ctrd::parse_duration_ms(text);
  if (ms > ctrd::limits::max_duration_ms)
    ctrd::throw_invalid("invalid duration \"" + text +
                        "\": the longest accepted is 30 days (720h)");
  return ms;
}

std::vector<std::string> split_requires(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::size_t pos = 0;
    for (;;) {
      auto comma = v.find(',', pos);
      std::string name =
          v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (!ctrd::valid_container_name(name))
        ctrd::throw_invalid("invalid required container name \"" + name + "\" in --requires \"" +
                            v + "\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
      bool dup = false;
      for (const auto& o : out) dup = dup || o == name;
      if (!dup) out.push_back(std::move(name));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  return out;
}

std::vector<std::string> process_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
  return out;
}

std::vector<std::string> expand_env_entry(const std::string& entry,
                                          const std::vector<std::string>& host_env) {
  auto eq = entry.find('=');
  std::string name = entry.substr(0, eq);
  if (name.empty())
    ctrd::throw_invalid("invalid environment variable \"" + entry + "\": empty name");
  if (has_space(name))
    ctrd::throw_invalid("invalid environment variable \"" + entry +
                        "\": name contains white space");
  if (eq != std::string::npos) return {entry};
  std::vector<std::string> out;
  if (name.back() == '*') {
    std::string prefix = name.substr(0, name.size() - 1);
    for (const auto& h : host_env) {
      auto heq = h.find('=');
      if (heq != std::string::npos && h.compare(0, prefix.size(), prefix) == 0 &&
          heq >= prefix.size())
        out.push_back(h);
    }
    return out;
  }
  for (const auto& h : host_env)
    if (h.size() > name.size() && h[name.size()] == '=' && h.compare(0, name.size(), name) == 0)
      out.push_back(h);  // the last definition wins in merge_env
  return out;
}

std::vector<std::string> parse_env_file(const std::string& text, const std::string& source,
                                        const std::vector<std::string>& host_env) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  std::size_t lineno = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() + 1 : nl + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    line.erase(0, first);
    try {
      for (auto& e : expand_env_entry(line, host_env)) out.push_back(std::move(e));
    } catch (const ctrd::error& e) {
      ctrd::throw_invalid(source + ":" + std::to_string(lineno) + ": " + e.what());
    }
  }
  return out;
}

std::vector<std::string> read_env_file(const std::string& path,
                                       const std::vector<std::string>& host_env) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) ctrd::throw_invalid("cannot read env file " + path + ": " + std::strerror(errno));
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      text.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      ctrd::throw_invalid("cannot read env file " + path + ": " + std::strerror(e));
    }
    break;
  }
  ::close(fd);
  return parse_env_file(text, path, host_env);
}

std::vector<std::string> merge_env(const std::vector<std::string>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) {
    std::string key = e.substr(0, e.find('='));
    bool replaced = false;
    for (auto& o : out) {
      if (o.compare(0, key.size(), key) == 0 && o.size() > key.size() && o[key.size()] == '=') {
        o = e;
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(e);
  }
  return out;
}

std::string absolute_path(const std::string& path, const std::string& cwd) {
  std::string joined = !path.empty() && path[0] == '/' ? path : cwd + "/" + path;
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (pos <= joined.size()) {
    auto slash = joined.find('/', pos);
    std::string part =
        joined.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    pos = slash == std::string::npos ? joined.size() + 1 : slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(std::move(part));
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::string current_directory() {
  std::vector<char> buf(4096);
  while (::getcwd(buf.data(), buf.size()) == nullptr) {
    if (errno != ERANGE)
      throw ctrd::error(
          ctrd::ec::internal,
          std::string("cannot determine the working directory: ") + std::strerror(errno));
    buf.resize(buf.size() * 2);
  }
  return buf.data();
}

volume_spec parse_volume(const std::string& text, const std::string& cwd) {
  auto bad = [&](const std::string& why) {
    ctrd::throw_invalid("invalid volume \"" + text + "\": " + why);
  };
  std::vector<std::string> parts;
  std::size_t pos = 0;
  for (;;) {
    auto colon = text.find(':', pos);
    parts.push_back(text.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos));
    if (colon == std::string::npos) break;
    pos = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) bad("use HOST:CTR[:ro|rw]");
  volume_spec v;
  const std::string& host_path = parts[0];
  if (host_path.empty()) bad("empty host path");
  if (host_path[0] != '/' && host_path[0] != '.')
    bad("the host path must be absolute or start with \".\" (named volumes are not supported)");
  if (parts[1].empty() || parts[1][0] != '/')
    bad("container path \"" + parts[1] + "\" must be absolute");
  v.source = absolute_path(host_path, cwd);
  v.destination = absolute_path(parts[1], "/");
  if (parts.size() == 3) {
    bool ro = false, rw = false;
    std::size_t p = 0;
    const std::string& opts = parts[2];
    for (;;) {
      auto comma = opts.find(',', p);
      std::string opt = opts.substr(p, comma == std::string::npos ? std::string::npos : comma - p);
      if (opt == "ro")
        ro = true;
      else if (opt == "rw")
        rw = true;
      else
        bad("unknown option \"" + opt + "\": ctrd supports ro and rw");
      if (comma == std::string::npos) break;
      p = comma + 1;
    }
    if (ro && rw) bad("ro and rw are mutually exclusive");
    v.read_only = ro;
  }
  return v;
}

double parse_cpus(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  double v = text.empty() || std::isspace(static_cast<unsigned char>(text[0])) != 0
                 ? -1
                 : std::strtod(text.c_str(), &end);
  if (end == nullptr || *end != 0 || errno != 0 || !std::isfinite(v) || v <= 0 ||
      text.find_first_of("xXpPeEnN") != std::string::npos)
    ctrd::throw_invalid("invalid cpus \"" + text +
                        "\": must be a number greater than 0 (e.g. 0.5)");
  if (v < 0.01)
    ctrd::throw_invalid("invalid cpus \"" + text +
                        "\": the smallest CPU limit is 0.01 (1 ms per 100 ms)");
  return v;
}

int64_t parse_memory_limit(const std::string& text) {
  int64_t v = parse_ram_size(text);
  if (v != 0 && v < 6 * 1024 * 1024)
    ctrd::throw_invalid("invalid memory \"" + text + "\": the minimum memory limit allowed is 6MB");
  return v;
}

uint64_t parse_cpu_shares(const std::string& text) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    ctrd::throw_invalid("invalid cpu shares \"" + text + "\": must be a non-negative integer");
  uint64_t v = std::stoull(text);
  if (v != 0 && (v < 2 || v > 262144))
    ctrd::throw_invalid("invalid cpu shares \"" + text +
                        "\": must be between 2 and 262144 (0: the default)");
  return v;
}

int64_t parse_pids_limit(const std::string& text) {
  if (text == "-1") return 0;
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    ctrd::throw_invalid("invalid pids limit \"" + text +
                        "\": must be a positive integer, or -1 or 0 for no limit");
  return std::stoll(text);
}

namespace {

// "private" or "host" for --pid/--ipc/--uts.
void namespace_mode(const std::string& value, const char* flag, const char* a, const char* b,
                    const char* key, json& def) {
  if (value.empty()) return;
  if (value != a && value != b)
    ctrd::throw_invalid(std::string("invalid ") + flag + " \"" + value + "\": ctrd supports " + a +
                        " and " + b);
  def[key] = value;
}

// What stat(2) says about a host path, for messages: "" when it is a directory.
std::string directory_problem(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::strerror(errno);
  if (!S_ISDIR(st.st_mode)) return "not a directory";
  return {};
}

// Host name rule: as container names (the default host name is the name), at most 64 bytes.
bool valid_hostname(const std::string& h) {
  return !h.empty() && h.size() <= 64 && ctrd::valid_container_name(h);
}

// Adds the isolation and resource keys (see build_definition()).
void apply_isolation(const create_options& o, const std::string& cwd_in, json& def) {
  std::string cwd = cwd_in;
  auto dir = [&]() -> const std::string& {
    if (cwd.empty()) cwd = current_directory();
    return cwd;
  };
  bool overlay = o.rootfs_overlay;
  if (!o.rootfs.empty()) {
    std::string r = o.rootfs;
    if (r.size() > 2 && r.compare(r.size() - 2, 2, ":O") == 0 && !directory_problem(r).empty()) {
      r.resize(r.size() - 2);  // podman's --rootfs DIR:O
      overlay = true;
    }
    std::string abs = absolute_path(r, r[0] == '/' ? "/" : dir());
    std::string problem = directory_problem(abs);
    if (!problem.empty())
      ctrd::throw_invalid("invalid rootfs \"" + o.rootfs + "\": " + abs + ": " + problem);
    def["rootfs"] = abs;
  } else if (overlay) {
    ctrd::throw_invalid("--rootfs-overlay needs --rootfs");
  }
  if (overlay) def["rootfs_overlay"] = true;
  if (o.read_only) def["read_only"] = true;
  if (!o.volumes.empty()) {
    if (o.rootfs.empty())
      ctrd::throw_invalid(
          "--volume needs --rootfs (without it the container sees the host's files)");
    json mounts = json::array();
    std::vector<std::string> seen;
    for (const auto& text : o.volumes) {
      volume_spec v = parse_volume(text, text[0] == '/' ? std::string("/") : dir());
      struct stat st {};
      if (::stat(v.source.c_str(), &st) != 0)
        ctrd::throw_invalid("invalid volume \"" + text + "\": host path " + v.source + ": " +
                            std::strerror(errno));
      for (const auto& d : seen)
        if (d == v.destination) ctrd::throw_invalid("duplicate mount destination " + v.destination);
      seen.push_back(v.destination);
      mounts.push_back(
          json{{"source", v.source}, {"destination", v.destination}, {"read_only", v.read_only}});
    }
    def["mounts"] = std::move(mounts);
  }
  if (!o.hostname.empty()) {
    if (!valid_hostname(o.hostname))
      ctrd::throw_invalid("invalid hostname \"" + o.hostname +
                          "\": use at most 64 characters [a-zA-Z0-9][a-zA-Z0-9_.-]*");
    if (o.uts == "host")
      ctrd::throw_invalid("cannot set hostname when running in the host UTS namespace");
    def["hostname"] = o.hostname;
  }
  namespace_mode(o.pid, "pid namespace", "private", "host", "pid", def);
  namespace_mode(o.ipc, "ipc namespace", "private", "host", "ipc", def);
  namespace_mode(o.uts, "uts namespace", "private", "host", "uts", def);
  apply_network(o, def);
  if (!o.memory.empty()) def["memory"] = static_cast<uint64_t>(parse_memory_limit(o.memory));
  if (!o.cpus.empty()) def["cpus"] = parse_cpus(o.cpus);
  if (!o.cpu_shares.empty()) def["cpu_shares"] = parse_cpu_shares(o.cpu_shares);
  if (!o.pids_limit.empty()) def["pids_limit"] = parse_pids_limit(o.pids_limit);
  if (!o.ulimits.empty()) {
    json list = json::array();
    for (const auto& u : o.ulimits) list.push_back(ctrd::format_ulimit(ctrd::parse_ulimit(u)));
    def["ulimits"] = std::move(list);
  }
  if (!o.oom_score_adj.empty()) {
    const auto& t = o.oom_score_adj;
    std::size_t used = 0;
    long v = 0;
    try {
      v = std::stol(t, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != t.size() || t.empty() || v < -1000 || v > 1000)
      ctrd::throw_invalid("invalid --oom-score-adj \"" + t +
                          "\": must be an integer from -1000 to 1000");
    def["oom_score_adj"] = v;
  }
}

}  // namespace

json build_definition(const create_options& o, const std::vector<std::string>& host_env,
                      const std::string& cwd) {
  json def = json::object();
  def["command"] = o.command;
  if (!o.name.empty()) {
    if (!ctrd::valid_container_name(o.name))
      ctrd::throw_invalid("invalid container name \"" + o.name +
                          "\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
    def["name"] = o.name;
  }
  std::vector<std::string> env;
  for (const auto& f : o.env_files)
    for (auto& e : read_env_file(f, host_env)) env.push_back(std::move(e));
  for (const auto& entry : o.env)
    for (auto& e : expand_env_entry(entry, host_env)) env.push_back(std::move(e));
  if (!env.empty()) def["env"] = merge_env(env);
  if (!o.workdir.empty()) def["workdir"] = o.workdir;
  if (!o.user.empty()) def["user"] = o.user;
  if (!o.labels.empty()) {
    json labels = json::object();
    for (const auto& l : o.labels) {
      auto eq = l.find('=');
      std::string key = l.substr(0, eq);
      if (key.empty()) ctrd::throw_invalid("invalid label \"" + l + "\": empty key");
      labels[key] = eq == std::string::npos ? std::string() : l.substr(eq + 1);
    }
    def["labels"] = std::move(labels);
  }
  if (!o.stop_signal.empty())
    def["stop_signal"] = ctrd::signal_name(ctrd::parse_signal(o.stop_signal));
  if (!o.stop_timeout.empty()) {
    const auto& t = o.stop_timeout;
    if (t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos)
      ctrd::throw_invalid("invalid stop timeout \"" + t +
                          "\": must be a non-negative number of seconds");
    def["stop_timeout"] = std::stoul(t);
  }
  if (!o.restart.empty()) {
    auto p = ctrd::parse_restart_policy(o.restart);
    def["restart"] = ctrd::restart_string(p);
  }
  if (o.rm) def["auto_remove"] = true;
  if (!o.requires_.empty()) def["requires"] = split_requires(o.requires_);
  auto duration = [&](const std::string& text, const char* key, json& target) {
    if (!text.empty()) target[key] = duration_flag_ms(text);
  };
  duration(o.restart_delay, "restart_delay_ms", def);
  duration(o.restart_max_delay, "restart_max_delay_ms", def);
  duration(o.restart_reset, "restart_reset_ms", def);
  duration(o.restart_window, "restart_window_ms", def);
  if (!o.restart_limit.empty()) def["restart_limit"] = count_flag(o.restart_limit, "restart limit");

  // Health check: every flag is checked; the keys are sent only when there is a check.
  json health = json::object();
  bool interval_disabled = o.health_interval == "disable";
  if (!interval_disabled) duration(o.health_interval, "health_interval_ms", health);
  duration(o.health_timeout, "health_timeout_ms", health);
  duration(o.health_start_period, "health_start_period_ms", health);
  if (!o.health_retries.empty()) {
    uint64_t n = count_flag(o.health_retries, "health retries");
    if (n == 0)
      ctrd::throw_invalid("invalid health retries \"" + o.health_retries +
                          "\": must be greater than 0");
    health["health_retries"] = n;
  }
  if (health.contains("health_timeout_ms") && health["health_timeout_ms"] == 0)
    ctrd::throw_invalid("invalid health timeout \"" + o.health_timeout +
                        "\": must be greater than 0");
  ctrd::health_action action = ctrd::parse_health_action(o.health_on_failure);
  if (!o.health_on_failure.empty()) health["health_on_failure"] = ctrd::to_string(action);
  bool has_check = !o.health_cmd.empty() && !iequals(o.health_cmd, "none") && !interval_disabled &&
                   !o.no_healthcheck;
  if (has_check) {
    def["health_cmd"] = json::array({"/bin/sh", "-c", o.health_cmd});
    def.update(health);
  } else if (action != ctrd::health_action::none) {
    ctrd::throw_invalid(std::string("cannot set the health-on-failure action to ") +
                        ctrd::to_string(action) + " without a health check");
  }

  if (!o.sdnotify.empty()) {
    if (o.sdnotify == "container")
      def["sdnotify"] = true;
    else if (o.sdnotify == "ignore")
      def["sdnotify"] = false;
    else
      ctrd::throw_invalid("invalid sdnotify mode \"" + o.sdnotify +
                          "\": must be container or ignore");
  }
  if (o.interactive) def["interactive"] = true;
  if (o.tty) def["tty"] = true;
  apply_log_opts(o.log_opts, def);
  if (!o.log_driver.empty()) def["log_driver"] = o.log_driver;
  apply_isolation(o, cwd, def);
  apply_security(o, cwd, def);
  apply_run_flags(o, cwd, def);
  ctrd::validate(ctrd::config_from_json(def));
  return def;
}

}  // namespace ctl
