// The container actor's runtime side: cgroup, overlay, namespaces and root around each
// run, the freezer, OOM detection and stats. See container_impl.hpp.
#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/container_impl.hpp"
#include "core/container_update.hpp"
#include "runtime/etc_files.hpp"
#include "runtime/proc.hpp"

namespace ctrd::ctr {
namespace {

cgroup::limits limits_of(const isolation_spec& iso) {
  cgroup::limits l;
  l.memory_bytes = iso.memory;
  if (iso.cpus > 0)
    l.cpu_quota_us = static_cast<uint64_t>(iso.cpus * static_cast<double>(l.cpu_period_us));
  l.cpu_shares = iso.cpu_shares;
  l.pids_max = iso.pids_limit;
  return l;
}

bool cgroups_usable(const state& s) {
  return s.deps.cgroups && s.deps.cgroups->kind() != cgroup::layout::none;
}

/// The host's memory, shown as the limit of a container without one (as podman does).
uint64_t host_memory() {
  static const uint64_t total = [] {
    std::ifstream in("/proc/meminfo");
    std::string key;
    uint64_t kb = 0;
    while (in >> key >> kb) {
      if (key == "MemTotal:") return kb * 1024;
      in.ignore(1 << 10, '\n');
    }
    return uint64_t{0};
  }();
  return total;
}

/// Writes the container's identity files into its directory and adds their bind mounts to
/// `iso` (rootfs containers without a user namespace; destinations the user bound
/// himself, or an /etc the root lacks, are left alone).
void add_etc_files(const state& s, const std::string& root, isolation_spec& iso) {
  if (iso.rootfs.empty() || root.empty() || s.cfg.security.private_user()) return;
  try {
    auto root_fd = fs::open_root(root);
    fs::open_in_root(root_fd.get(), "/etc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  } catch (const error&) {
    return;  // no /etc to bind into
  }
  // On bridge networks: its own address for its name, aardvark-dns as its nameserver.
  auto hostname = container_hostname(iso, s.cfg.name);
  auto add_hosts = iso.add_hosts;
  auto dns = iso.dns;
  auto search = iso.dns_search;
  for (const auto& e : s.st.networks) {
    if (&e == &s.st.networks.front() && !e.ip.empty()) add_hosts.push_back(hostname + ":" + e.ip);
    if (iso.dns.empty())
      for (const auto& d : e.dns_servers)
        if (std::find(dns.begin(), dns.end(), d) == dns.end()) dns.push_back(d);
    if (iso.dns_search.empty())
      for (const auto& d : e.dns_search)
        if (std::find(search.begin(), search.end(), d) == search.end()) search.push_back(d);
  }
  auto paths = write_etc_files(s.dir() + "/etc", hostname, add_hosts, dns, search);
  const char* const targets[] = {"/etc/hosts", "/etc/resolv.conf", "/etc/hostname"};
  for (std::size_t i = 0; i < paths.size(); ++i) {
    bool taken = false;
    for (const auto& m : iso.mounts) taken = taken || m.destination == targets[i];
    for (const auto& t : iso.tmpfs) taken = taken || t.destination == targets[i];
    if (!taken) iso.mounts.push_back(bind_mount{paths[i], targets[i], false});
  }
}

}  // namespace

void acquire_root(actor_t* self) {
  auto& s = self->state;
  if (s.cfg.isolation.rootfs_overlay)
    mount_overlay(s.cfg.isolation.rootfs, s.overlay_dir("upper"), s.overlay_dir("work"),
                  s.overlay_dir("merged"));
}

void release_root(actor_t* self) {
  auto& s = self->state;
  if (!s.cfg.isolation.rootfs_overlay || s.has_process() || s.st.mount_count > 0 ||
      s.root_users > 0)
    return;
  unmount_overlay(s.overlay_dir("merged"));
}

fs::unique_fd open_container_root(actor_t* self) {
  auto& s = self->state;
  if (s.has_process()) {
    auto path = "/proc/" + std::to_string(s.st.pid) + "/root";
    int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) return fs::unique_fd(fd);
  }
  auto root = s.root_path();
  return fs::open_root(root.empty() ? "/" : root);
}

void prepare_run(actor_t* self, spawn_spec& spec, child_isolation& iso) {
  auto& s = self->state;
  const auto& is = s.cfg.isolation;
  auto devices = container_devices(s.cfg.security, is);  // stat of the host nodes, now
  if (cgroups_usable(s)) {
    auto lim = limits_of(is);
    add_confinement_limits(lim, s.cfg.security, is, devices);
    s.cg = s.deps.cgroups->create(s.cfg.id, lim);
  } else if (is.has_limits()) {
    throw error(ec::invalid_argument, "resource limits need cgroups, which are not usable here");
  }
  auto root = s.root_path();
  if (!root.empty()) acquire_root(self);
  // Its own /etc/hosts, /etc/resolv.conf and /etc/hostname (etc_files.hpp), bound over
  // the rootfs's: the rootfs itself is never written.
  container_config run_cfg = s.cfg;
  add_etc_files(s, root, run_cfg.isolation);
  iso = prepare_isolation(run_cfg.isolation, root, s.cfg.name);
  s.userns = make_userns_plan(run_cfg, s.dir());
  add_userns(s.userns, 0, iso.userns, iso.clone_flags);
  prepare_hardening(iso.hardening, is, s.cfg.security, s.cg, devices);
  fs::unique_fd root_fd;
  if (!root.empty()) root_fd = fs::open_root(root);
  spec = make_spawn_spec(s.cfg, s.cfg.command, root_fd ? root_fd.get() : -1);
  confine(self, s.cfg, spec);
  spec.cgroup_dir = s.cg.clone_dir();
  // A user namespace gets an overlay of idmapped layers: the plain one is not kept mounted
  // beside it unless someone uses it (ctrctl mount, a file job).
  if (s.userns.any() && is.rootfs_overlay && s.st.mount_count == 0 && s.root_users == 0)
    unmount_overlay(root);
  if (iso.any()) spec.isolation = &iso;
}

namespace {

/// Rewrites the limits of a running container's cgroup from its definition. Throws.
void apply_live_limits(actor_t* self) {
  auto& s = self->state;
  const auto& is = s.cfg.isolation;
  if (!s.has_process()) return;  // the next start creates the cgroup with them
  if (!s.cg.valid()) {
    if (is.has_limits())
      throw error(ec::invalid_argument,
                  "container " + s.cfg.name +
                      " runs without a cgroup: resource limits apply from its next start");
    return;
  }
  auto lim = limits_of(is);
  add_confinement_limits(lim, s.cfg.security, is, container_devices(s.cfg.security, is));
  auto g = s.deps.cgroups->create(s.cfg.id, lim);  // the same group, its limits rewritten
  // A limit that needs a controller group it had none in (v1 on a hybrid host): the tasks
  // join the new group.
  if (g.dirs().size() != s.cg.dirs().size())
    for (pid_t pid : s.cg.pids()) g.add(pid);
  s.cg = std::move(g);
}

}  // namespace

caf::result<json> update_definition(actor_t* self, const json& changes) {
  auto& s = self->state;
  if (!s.cfg.source.empty())
    return make_caf_error(ec::invalid_argument, "container " + s.cfg.name +
                                                    " comes from the service file " + s.cfg.source +
                                                    ": change the file and run `ctrctl reload`");
  container_config prev = s.cfg;
  try {
    s.cfg = apply_update(s.cfg, changes);
    bool resources = changes.is_object() && changes.size() > changes.count("restart");
    if (resources && s.cfg.isolation.has_limits() && !cgroups_usable(s))
      throw error(ec::invalid_argument, "resource limits need cgroups, which are not usable here");
    apply_live_limits(self);
  } catch (const error& e) {
    bool changed = to_json(s.cfg) != to_json(prev);
    s.cfg = std::move(prev);
    if (changed) {
      try {
        apply_live_limits(self);
      } catch (const error& again) {
        spdlog::warn("container {}: cannot restore its limits: {}", s.cfg.name, again.what());
      }
    }
    return make_caf_error(e.code(), e.what());
  }
  persist_config(self);
  emit_event(self, "update");
  return reply(json{{"id", s.cfg.id}});
}

void join_cgroup(actor_t* self, const held_child& child) {
  auto& s = self->state;
  if (s.cg.valid()) s.cg.add(child.pid, child.in_cgroup);
}

void kill_cgroup(actor_t* self) {
  auto& s = self->state;
  if (!s.cg.valid()) return;
  try {
    s.cg.kill_all(SIGKILL);
  } catch (const error& e) {
    spdlog::warn("container {}: cannot kill every process of its cgroup: {}", s.cfg.name, e.what());
  }
}

void finish_run(actor_t* self) {
  auto& s = self->state;
  if (s.cg.valid()) {
    s.st.oom_killed = s.cg.oom_kills() > 0;
    if (s.st.oom_killed) {
      spdlog::info("container {}: a process was killed by the kernel for lack of memory",
                   s.cfg.name);
      emit_event(self, "oom");
    }
    // A removal that fails (out of descriptors) is retried later: the run ends anyway.
    retire_cgroup(self, std::move(s.cg));
    s.cg = cgroup::group{};
  }
  release_root(self);
}

void freeze(actor_t* self) {
  auto& s = self->state;
  if (!s.cg.valid())
    throw error(ec::invalid_state,
                "pause needs the cgroup freezer: " +
                    std::string(cgroups_usable(s) ? "the container has no cgroup"
                                                  : "cgroups are not usable here"));
  s.cg.freeze();
}

void thaw(actor_t* self) {
  auto& s = self->state;
  if (s.cg.valid()) s.cg.thaw();
}

json stats_sample(actor_t* self) {
  auto& s = self->state;
  cgroup::stats v;
  if (s.cg.valid() && s.has_process()) v = s.cg.read_stats();
  return json{{"id", s.cfg.id},
              {"name", s.cfg.name},
              {"state", to_string(s.st.state)},
              {"read_ns", proc::now_ns()},
              {"started_ns", s.st.started_ns},
              {"cpu_ns", v.cpu_ns},
              {"memory_bytes", v.memory_bytes},
              {"memory_limit", v.memory_limit ? v.memory_limit : host_memory()},
              {"pids", v.pids},
              {"block_read", v.block_read},
              {"block_write", v.block_write}};
}

}  // namespace ctrd::ctr
