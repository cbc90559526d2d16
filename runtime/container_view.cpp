#include "runtime/container_view.hpp"

#include "core/restart_clock.hpp"
#include "messages/duration.hpp"
#include "messages/error.hpp"
#include "messages/network.hpp"
#include "messages/signals.hpp"
#include "runtime/proc.hpp"

namespace ctrd {
namespace {

/// The pending restart as a wall-clock time for users (0: none): now plus what is left.
int64_t next_restart_wall_ns(const container_status& s) {
  return restart::displayed_restart_ns(s, {proc::boot_ns(), proc::now_ns(), proc::boot_id()});
}

}  // namespace

namespace {

/// HostConfig.Ulimits as podman shows them.
json ulimits_view(const process_limits& l) {
  json out = json::array();
  auto value = [](uint64_t v) { return v == ~uint64_t{0} ? int64_t{-1} : static_cast<int64_t>(v); };
  for (const auto& u : l.ulimits) {
    std::string name = "RLIMIT_";
    for (char ch : u.type) name += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
    out.push_back(json{{"Name", name}, {"Soft", value(u.soft)}, {"Hard", value(u.hard)}});
  }
  return out;
}

/// HostConfig.IDMappings as podman shows them ("CONTAINER:HOST:COUNT"; empty without a
/// user namespace).
json id_mappings_view(const security_spec& sec) {
  json uid = json::array(), gid = json::array();
  for (const auto& r : sec.uid_map) uid.push_back(format_id_range(r));
  for (const auto& r : sec.gid_map.empty() ? sec.uid_map : sec.gid_map)
    gid.push_back(format_id_range(r));
  return json{{"UidMap", uid}, {"GidMap", gid}};
}

/// The keys of issue 14's create flags, as podman shows them: Config.Annotations,
/// HostConfig.Tmpfs (destination -> options), ExtraHosts, Dns, DnsSearch, GroupAdd.
void add_run_flags_view(const container_config& c, json& j) {
  j["Config"]["Annotations"] = c.annotations;
  json tmpfs = json::object();
  for (const auto& t : c.isolation.tmpfs) {
    std::string opts = t.read_only ? "ro" : "rw";
    if (t.noexec) opts += ",noexec";
    if (t.nosuid) opts += ",nosuid";
    if (t.nodev) opts += ",nodev";
    if (!t.options.empty()) opts += "," + t.options;
    tmpfs[t.destination] = opts;
  }
  auto& hc = j["HostConfig"];
  hc["Tmpfs"] = std::move(tmpfs);
  hc["ExtraHosts"] = c.isolation.add_hosts;
  hc["Dns"] = c.isolation.dns;
  hc["DnsSearch"] = c.isolation.dns_search;
  json groups = json::array();
  for (auto g : c.group_add) groups.push_back(std::to_string(g));
  hc["GroupAdd"] = std::move(groups);
}

}  // namespace

json inspect_view(const container_config& c, const container_status& s,
                  const std::string& log_path) {
  json args = json::array();
  for (std::size_t i = 1; i < c.command.size(); ++i) args.push_back(c.command[i]);
  json binds = json::array();
  for (const auto& m : c.isolation.mounts)
    binds.push_back(m.source + ":" + m.destination + (m.read_only ? ":ro" : ""));
  const int64_t next_restart = next_restart_wall_ns(s);
  json j = {
      {"Id", c.id},
      {"Name", c.name},
      {"Created", proc::rfc3339(c.created_ns)},
      {"Path", c.command.empty() ? std::string() : c.command[0]},
      {"Args", args},
      {"State",
       {{"Status", to_string(s.state)},
        {"Running", s.state == container_state::running || s.state == container_state::paused ||
                        s.state == container_state::stopping},
        {"Paused", s.state == container_state::paused},
        {"Restarting", false},
        {"OOMKilled", s.oom_killed},
        {"Dead", false},
        {"Pid", s.pid},
        {"ExitCode", s.exit_code},
        {"Error", s.error},
        {"StartedAt", proc::rfc3339(s.started_ns)},
        {"FinishedAt", proc::rfc3339(s.finished_ns)},
        {"Health",
         {{"Status", s.health}, {"FailingStreak", s.failing_streak}, {"Log", json::array()}}},
        {"Ready", s.ready},
        {"RestartReason", s.restart_reason},
        {"NextRestartAt", next_restart ? proc::rfc3339(next_restart) : std::string()}}},
      {"RestartCount", s.restart_count},
      {"Config",
       {{"Cmd", c.command},
        {"Env", c.env},
        {"WorkingDir", c.workdir},
        {"User", c.user},
        {"StopSignal", signal_name(c.stop_signal)},
        {"StopTimeout", c.stop_timeout},
        {"Labels", c.labels},
        {"HealthcheckOnFailureAction", to_string(c.health.on_failure)},
        {"OpenStdin", c.interactive},
        {"Tty", c.tty},
        {"SdNotify", c.sdnotify}}},
      {"HostConfig",
       {{"RestartPolicy",
         {{"Name", c.restart.kind == restart_kind::no ? "" : to_string(c.restart.kind)},
          {"MaximumRetryCount", c.restart.max_retries}}},
        {"AutoRemove", c.auto_remove},
        {"LogConfig",
         {{"Type", c.log_driver}, {"Size", c.log_max_size}, {"MaxFiles", c.log_max_files}}},
        {"RestartBackoff",
         {{"Delay", format_duration_ms(c.backoff.initial_ms)},
          {"MaxDelay", format_duration_ms(c.backoff.max_ms)},
          {"Reset", format_duration_ms(c.backoff.reset_ms)},
          {"Limit", c.backoff.limit},
          {"Window", format_duration_ms(c.backoff.window_ms)}}},
        {"Rootfs", c.isolation.rootfs},
        {"RootfsOverlay", c.isolation.rootfs_overlay},
        {"ReadonlyRootfs", c.isolation.read_only},
        {"Binds", binds},
        {"PidMode", c.isolation.private_pid() ? "private" : "host"},
        {"IpcMode", c.isolation.private_ipc() ? "private" : "host"},
        {"UTSMode", c.isolation.private_uts() ? "private" : "host"},
        {"NetworkMode", c.isolation.private_net()  ? "none"
                        : c.isolation.bridge_net() ? "bridge"
                                                   : "host"},
        {"Hostname", c.isolation.private_uts()
                         ? (c.isolation.hostname.empty() ? c.name : c.isolation.hostname)
                         : ""},
        {"Memory", c.isolation.memory},
        {"NanoCpus", static_cast<int64_t>(c.isolation.cpus * 1e9)},
        {"CpuShares", c.isolation.cpu_shares},
        {"PidsLimit", c.isolation.pids_limit},
        {"UsernsMode", c.security.userns == "auto" ? "auto"
                       : c.security.private_user() ? "private"
                                                   : ""},
        {"IDMappings", id_mappings_view(c.security)},
        {"Ulimits", ulimits_view(c.proc_limits)},
        {"OomScoreAdj", c.proc_limits.oom_score_adj}}},
      {"Dependencies", c.requires_},
      {"ServiceFile", c.source},
      {"LogPath", c.log_driver == "k8s-file" ? log_path : std::string()},
      {"MountCount", s.mount_count},
  };
  if (!c.health.cmd.empty()) {
    constexpr int64_t ns_per_ms = 1000000;
    j["Config"]["Healthcheck"] = {{"Test", c.health.cmd},
                                  {"Interval", int64_t{c.health.interval_ms} * ns_per_ms},
                                  {"Timeout", int64_t{c.health.timeout_ms} * ns_per_ms},
                                  {"StartPeriod", int64_t{c.health.start_period_ms} * ns_per_ms},
                                  {"Retries", c.health.retries}};
  }
  json devices = json::array();  // podman's HostConfig.Devices (--device)
  for (const auto& d : c.security.devices)
    devices.push_back({{"PathOnHost", d.host},
                       {"PathInContainer", d.container.empty() ? d.host : d.container},
                       {"CgroupPermissions", d.permissions}});
  j["HostConfig"]["Devices"] = std::move(devices);
  j["NetworkSettings"] = network_settings_view(c, s);
  add_run_flags_view(c, j);
  return j;
}

json event_view(const container_config& c, const container_status& s, const std::string& status) {
  auto now = proc::now_ns();
  json attrs = {{"name", c.name}};
  for (const auto& [k, v] : c.labels) attrs[k] = v;
  json ev = {{"Type", "container"}, {"Status", status},           {"ID", c.id},
             {"Name", c.name},      {"Time", proc::rfc3339(now)}, {"TimeNano", now},
             {"Attributes", attrs}};
  if (status == "died") ev["ContainerExitCode"] = s.exit_code;
  if (status == "health_status") ev["HealthStatus"] = s.health;
  return ev;
}

json network_settings_view(const container_config& c, const container_status& s) {
  json ports = json::object();  // the configured mappings, running or not (podman)
  for (const auto& text : c.isolation.ports) {
    port_mapping p;
    try {
      p = parse_port_spec(text);
    } catch (const error&) {
      continue;  // validated at create
    }
    for (uint16_t i = 0; i < p.range; ++i)
      ports[std::to_string(p.container_port + i) + "/" + p.protocol].push_back(
          {{"HostIp", p.host_ip}, {"HostPort", std::to_string(p.host_port + i)}});
  }
  json nets = json::object();
  for (const auto& e : s.networks) {
    std::vector<std::string> aliases{c.name};
    aliases.insert(aliases.end(), c.isolation.network_aliases.begin(),
                   c.isolation.network_aliases.end());
    nets[e.network] = {{"NetworkID", e.network},      {"IPAddress", e.ip},
                       {"IPPrefixLen", e.prefix_len}, {"Gateway", e.gateway},
                       {"MacAddress", e.mac},         {"Aliases", aliases}};
  }
  const network_endpoint* first = s.networks.empty() ? nullptr : &s.networks.front();
  return {{"SandboxKey", s.netns},
          {"Ports", ports},
          {"IPAddress", first ? first->ip : ""},
          {"IPPrefixLen", first ? first->prefix_len : 0},
          {"Gateway", first ? first->gateway : ""},
          {"MacAddress", first ? first->mac : ""},
          {"Networks", nets}};
}

std::vector<std::string> port_strings(const isolation_spec& iso) {
  std::vector<std::string> out;
  for (const auto& text : iso.ports) {
    try {
      out.push_back(format_port(parse_port_spec(text)));
    } catch (const error&) {
    }
  }
  return out;
}

json summary_view(const container_config& c, const container_status& s) {
  json mounts = json::array();
  for (const auto& m : c.isolation.mounts)
    mounts.push_back(
        json{{"source", m.source}, {"destination", m.destination}, {"read_only", m.read_only}});
  return json{{"id", c.id},
              {"name", c.name},
              {"command", c.command},
              {"created_ns", c.created_ns},
              {"state", to_string(s.state)},
              {"exit_code", s.exit_code},
              {"started_ns", s.started_ns},
              {"finished_ns", s.finished_ns},
              {"restart_count", s.restart_count},
              {"stop_timeout", c.stop_timeout},
              {"pid", s.pid},
              {"health", s.health},
              {"ready", s.ready},
              {"error", s.error},
              {"requires", c.requires_},
              {"restart", restart_string(c.restart)},
              {"stopped_by_user", s.stopped_by_user},
              {"next_restart_ns", next_restart_wall_ns(s)},
              {"autostart", c.autostart},
              {"source", c.source},
              {"labels", c.labels},
              {"mounts", std::move(mounts)},
              {"rootfs", c.isolation.rootfs},
              {"rootfs_overlay", c.isolation.rootfs_overlay},
              {"auto_remove", c.auto_remove},
              {"ports", port_strings(c.isolation)},
              {"networks", c.isolation.all_networks()}};
}

}  // namespace ctrd
