#include "supervisor/supervisor.hpp"

#include <unistd.h>
#include <csignal>
#include "actors/guard.hpp"

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/host.hpp"
#include "actors/network.hpp"
#include "core/restart_policy.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/confinement.hpp"
#include "runtime/container_view.hpp"
#include "runtime/disk_space.hpp"
#include "runtime/isolation.hpp"
#include "runtime/proc.hpp"
#include "runtime/rootfs_owner.hpp"
#include "runtime/spawner.hpp"
#include "supervisor/supervisor_impl.hpp"

namespace ctrd {
namespace sup {
namespace {

bool env_has(const container_config& c, const std::string& key) {
  for (const auto& e : c.env)
    if (e.compare(0, key.size() + 1, key + "=") == 0) return true;
  return false;
}

void add_container(actor_t* self, stored_container rec, bool recovering) {
  auto& s = self->state;
  auto id = rec.config.id;
  s.reg.add(id, rec.config.name);
  // The replica starts from the (reconciled: recover_record) record, so `list` is right
  // before the actor runs.
  auto summary = make_summary(rec.config, rec.status);
  track_userns(self, rec.config);
  auto a = spawn_container(self->system(), std::move(rec), s.deps, recovering);
  self->monitor(a);
  auto& e = s.entries[id];
  e.actor = a;
  e.summary = std::move(summary);
}

caf::error error_of(const ctrd::error& e) {
  return make_caf_error(e.code(), e.what());
}

/// Refuses requirements that do not exist and cycles through the new container.
void check_requirements(actor_t* self, const container_config& cfg) {
  for (const auto& r : cfg.requires_)
    if (!self->state.reg.has_name(r))
      throw error(ec::invalid_argument,
                  "container " + cfg.name + " requires " + r + ", which does not exist");
  if (cfg.requires_.empty()) return;  // no cycle can pass through it: skip the O(n) graph
  auto g = current_graph(self);
  g[cfg.name] = cfg.requires_;
  if (auto cyc = deps::find_cycle(g); !cyc.empty())
    throw error(ec::invalid_argument, "dependency cycle: " + deps::cycle_text(cyc));
}

/// The entry of a name, id or unique id prefix (one lookup); throws ctrd::error.
std::pair<const std::string, entry>& resolve_entry(actor_t* self, const std::string& ref) {
  auto& s = self->state;
  auto it = s.entries.find(s.reg.resolve(ref));
  if (it == s.entries.end())
    throw error(ec::no_such_container, "container \"" + ref + "\" is still being created");
  return *it;
}

/// Whether container_actor answers the message `Ts...` with json (checked at compile time,
/// as a typed send checks it: CAF 0.17's delegate does not).
template <class... Ts>
constexpr bool container_answers_json = std::is_same_v<
    typename caf::response_type_unbox<
        caf::signatures_of_t<container_actor>,
        caf::detail::type_list<caf::detail::implicit_conversions_t<std::decay_t<Ts>>...>>::type,
    caf::detail::type_list<json>>;

/// Resolves `ref` once, lets `before(id, entry)` refuse the request (a non-empty error) or
/// prepare it, then delegates `xs...` to the container, which answers. A request of its
/// own is delegated through the typed handle; a session's request (one caf::message,
/// forward_atom) through its untyped view (CAF 0.17 cannot check an opaque message).
template <class Before, class... Ts>
caf::result<json> delegate_checked(actor_t* self, const std::string& ref, Before before,
                                   Ts&&... xs) {
  std::pair<const std::string, entry>* found = nullptr;
  try {
    found = &resolve_entry(self, ref);
  } catch (const ctrd::error& e) {
    return error_of(e);
  }
  if (caf::error refused = before(found->first, found->second)) return refused;
  auto rp = self->make_response_promise<json>();
  if constexpr (sizeof...(Ts) == 1 && (std::is_same_v<std::decay_t<Ts>, caf::message> && ...)) {
    rp.delegate(caf::actor_cast<caf::actor>(found->second.actor), std::forward<Ts>(xs)...);
  } else {
    static_assert(container_answers_json<Ts...>, "the container does not answer this with json");
    rp.delegate(found->second.actor, std::forward<Ts>(xs)...);
  }
  return rp;
}

/// Resolves `ref` once and delegates `xs...` to its container: the container answers.
template <class... Ts>
caf::result<json> delegate_to(actor_t* self, const std::string& ref, Ts&&... xs) {
  return delegate_checked(
      self, ref, [](const std::string&, const entry&) { return caf::error{}; },
      std::forward<Ts>(xs)...);
}

caf::result<json> remove(actor_t* self, const std::string& ref, bool force) {
  auto refuse = [=](const std::string& id, const entry& e) -> caf::error {
    const auto& name = e.summary.name;
    auto dependents = deps::dependents(current_graph(self), name);
    if (dependents.empty()) return {};
    std::string list;
    for (const auto& d : dependents) list += (list.empty() ? "" : ", ") + d;
    if (!force)
      return make_caf_error(
          ec::invalid_state,
          "container " + id + " has dependent containers which must be removed before it: " + list);
    spdlog::warn("removing {} although {} require it", name, list);
    return {};
  };
  return delegate_checked(self, ref, refuse, remove_atom::value, force);
}

/// podman 4's rename, in any state: the registry takes the new name at once (a create
/// cannot take it meanwhile) and gives it back if the container cannot store it.
caf::result<json> rename(actor_t* self, const std::string& ref, const std::string& name) {
  if (!valid_container_name(name))
    return make_caf_error(ec::invalid_argument,
                          "invalid container name \"" + name +
                              "\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (at most 253 "
                              "characters)");
  auto refuse = [=](const std::string& id, const entry& e) -> caf::error {
    auto& s = self->state;
    const auto& old = e.summary.name;
    if (s.shutting_down) return make_caf_error(ec::shutting_down, "ctrd is shutting down");
    if (s.reg.has_name(name))
      return make_caf_error(ec::name_in_use,
                            "the container name \"" + name + "\" is already in use by " +
                                s.reg.id_of_name(name) +
                                ". You have to remove that container to be able to reuse that "
                                "name: that name is already in use");
    if (!e.summary.source.empty())
      return make_caf_error(ec::invalid_argument,
                            "container " + old + " comes from the service file " +
                                e.summary.source +
                                ", which owns its name: rename the file instead");
    auto dependents = deps::dependents(current_graph(self), old);
    if (!dependents.empty()) {
      std::string list;
      for (const auto& d : dependents) list += (list.empty() ? "" : ", ") + d;
      return make_caf_error(ec::invalid_state, "container " + old + " is required by " + list +
                                                   ": renaming it would break their "
                                                   "--requires; remove them first");
    }
    s.reg.remove(id);
    s.reg.add(id, name);
    return caf::error{};
  };
  std::string id, old;
  try {
    auto& found = resolve_entry(self, ref);
    id = found.first;
    old = found.second.summary.name;
  } catch (const ctrd::error& e) {
    return error_of(e);
  }
  if (old == name) return caf::expected<json>(json{{"id", id}, {"name", name}});  // no change
  if (auto err = refuse(id, self->state.entries.at(id))) return err;
  auto rp = self->make_response_promise<json>();
  self->request(self->state.entries.at(id).actor, caf::infinite, rename_atom::value, name)
      .then([=](json& r) mutable { rp.deliver(std::move(r)); },
            [=](caf::error& err) mutable {
              auto& s = self->state;
              if (s.reg.id_of_name(name) == id && s.entries.count(id) != 0) {
                s.reg.remove(id);
                s.reg.add(id, old);
              }
              rp.deliver(std::move(err));
            });
  return rp;
}

/// podman's restart: refused while a requirement is not running (podman checks the direct
/// dependencies, checkDependenciesAndHandleError; it starts none of them).
caf::result<json> restart(actor_t* self, const std::string& ref, int64_t timeout) {
  auto refuse = [=](const std::string& id, const entry& e) -> caf::error {
    std::string stopped;
    for (const auto& r : e.summary.requires_) {
      auto* d = find_by_name(self, r);
      if (!d || d->summary.state != "running") stopped += (stopped.empty() ? "" : ",") + r;
    }
    if (stopped.empty()) return {};
    return make_caf_error(ec::invalid_state,
                          "some dependencies of container " + id + " are not started: " + stopped);
  };
  return delegate_checked(self, ref, refuse, restart_atom::value, timeout);
}

packed_list list(actor_t* self, bool all) {
  packed_list out;
  for (auto& [id, e] : self->state.entries) {
    if (!all) {
      const auto& st = e.summary.state;
      if (st != "running" && st != "paused" && st != "stopping") continue;
    }
    out.add(e.summary.packed);
  }
  return out;
}

/// Asks every container to reconcile with its process, then answers the list.
caf::result<packed_list> list_synced(actor_t* self, bool all) {
  auto rp = self->make_response_promise<packed_list>();
  auto pending = std::make_shared<size_t>(self->state.entries.size());
  if (*pending == 0) {
    rp.deliver(list(self, all));
    return rp;
  }
  auto one_done = [=]() mutable {
    if (--*pending == 0) rp.deliver(list(self, all));
  };
  for (auto& [id, e] : self->state.entries) {
    auto key = id;
    self->request(e.actor, caf::infinite, sync_atom::value)
        .then(
            [=](container_summary& summary) mutable {
              if (auto it = self->state.entries.find(key); it != self->state.entries.end())
                it->second.summary = std::move(summary);
              one_done();
            },
            [=](caf::error&) mutable { one_done(); });
  }
  return rp;
}

void log_reload(const reload_report& report) {
  for (const auto& n : report.created) spdlog::info("service {}: created", n);
  for (const auto& n : report.updated) spdlog::info("service {}: updated", n);
  for (const auto& n : report.removed) spdlog::info("service {}: removed", n);
  for (const auto& e : report.errors) spdlog::error("service file: {}", to_string(e));
}

supervisor_actor::behavior_type supervisor(actor_t* self, container_deps deps,
                                           supervisor_options opts, load_result loaded) {
  auto& s = self->state;
  s.deps = std::move(deps);
  s.deps.supervisor = container_owner_actor{self};
  s.opts = std::move(opts);
  for (const auto& p : loaded.problems) spdlog::error("state: {}", p);
  std::vector<std::string> boot;
  for (auto& rec : loaded.containers) {
    if (s.reg.has_name(rec.config.name) || s.reg.has_id(rec.config.id)) {
      spdlog::error("state: container {} duplicates name {}; skipped", rec.config.id,
                    rec.config.name);
      continue;
    }
    // What the processes left: boot starts are decided on that.
    recover_record(rec, s.deps.host != nullptr && s.deps.host->holder_may_owe_exits());
    if (restart::should_start_on_boot(rec.config.restart, rec.status))
      boot.push_back(rec.config.name);
    add_container(self, std::move(rec), true);
  }
  spdlog::info("recovered {} containers", s.entries.size());
  load_services(self, true, [=](reload_report report, std::vector<std::string> services) {
    log_reload(report);
    std::set<std::string> names(boot.begin(), boot.end());
    names.insert(services.begin(), services.end());
    for (const auto& name : names) start_name_with_deps(self, name, true);
  });
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& ss = self->state;
    for (auto it = ss.entries.begin(); it != ss.entries.end(); ++it) {
      if (it->second.actor.address() != dm.source) continue;
      if (dm.reason) {
        spdlog::critical("container actor {} failed: {}", it->first, caf::to_string(dm.reason));
        if (respawn_container(self, it->first, dm.reason)) return;
      }
      ss.reg.remove(it->first);
      ss.entries.erase(it);
      break;
    }
    advance_jobs(self);
  });
  return guarded_typed_behavior<supervisor_actor>(
      self,
      [=](create_atom, const json& params) -> caf::result<created_container> {
        auto rp = self->make_response_promise<created_container>();
        try {
          auto cfg = config_from_json(params);
          cfg.source.clear();  // only service files set it
          apply_daemon_defaults(self, params, cfg);
          create_container(self, std::move(cfg), [=](caf::expected<created_container> r) mutable {
            if (r)
              rp.deliver(std::move(*r));
            else
              rp.deliver(r.error());
          });
        } catch (const ctrd::error& e) {
          rp.deliver(error_of(e));
        }
        return rp;
      },
      [=](resolve_atom, const std::string& ref) -> caf::result<container_actor> {
        try {
          return resolve_entry(self, ref).second.actor;
        } catch (const ctrd::error& e) {
          return error_of(e);
        }
      },
      [=](start_atom, const std::string& ref, bool attach, caf::actor sub,
          uint32_t msgid) -> caf::result<json> {
        auto rp = self->make_response_promise<json>();
        try {
          auto& [id, e] = resolve_entry(self, ref);
          // An attached start: the session routes the client's stdin and resizes there.
          // (A session's routes hold untyped handles.)
          if (attach && sub)
            caf::anon_send(sub, route_atom::value, msgid, caf::actor_cast<caf::actor>(e.actor));
          start_with_deps(self, id, rp, attach, sub, msgid);
        } catch (const ctrd::error& e) {
          rp.deliver(error_of(e));
        }
        return rp;
      },
      [=](stop_atom, const std::string& ref, int64_t timeout, bool by_user) {
        return delegate_to(self, ref, stop_atom::value, timeout, by_user);
      },
      [=](kill_atom, const std::string& ref, int signo) {
        return delegate_to(self, ref, kill_atom::value, signo);
      },
      [=](restart_atom, const std::string& ref, int64_t timeout) {
        return restart(self, ref, timeout);
      },
      [=](forward_atom, const std::string& ref, const caf::message& request) {
        return delegate_to(self, ref, request);
      },
      [=](forward_atom, const std::string& ref, const caf::message& request, caf::actor sub,
          uint32_t msgid) {
        // The session learns where the client's input for msgid goes before the answer.
        auto route = [=](const std::string&, const entry& e) {
          caf::anon_send(sub, route_atom::value, msgid, caf::actor_cast<caf::actor>(e.actor));
          return caf::error{};
        };
        return delegate_checked(self, ref, route, request);
      },
      [=](remove_atom, const std::string& ref, bool force) { return remove(self, ref, force); },
      [=](network_atom, const std::string& m, const json& p) -> caf::result<json> {
        try {
          return network_call(self, m, p);
        } catch (const ctrd::error& e) {
          return error_of(e);
        }
      },
      [=](rename_atom, const std::string& ref, const std::string& name) {
        return rename(self, ref, name);
      },
      [=](list_atom, bool all, bool sync) -> caf::result<packed_list> {
        if (sync) return list_synced(self, all);
        return list(self, all);
      },
      [=](reload_atom) -> caf::result<reload_report> {
        auto rp = self->make_response_promise<reload_report>();
        load_services(self, false,
                      [=](reload_report report, std::vector<std::string> start) mutable {
                        log_reload(report);
                        for (const auto& name : start) start_name_with_deps(self, name, false);
                        rp.deliver(std::move(report));
                      });
        return rp;
      },
      [=](status_atom, const std::string& id, container_summary& summary) {
        auto it = self->state.entries.find(id);
        if (it == self->state.entries.end()) return;
        it->second.summary = std::move(summary);
        advance_jobs(self);
      },
      [=](gone_atom, const std::string& id) {
        auto& ss = self->state;
        ss.reg.remove(id);
        ss.entries.erase(id);
        ss.userns_slices.erase(id);
        advance_jobs(self);
      },
      [=](signal_atom, int signo) {
        if (signo == SIGHUP) {
          spdlog::info("SIGHUP: reloading service files from {}", self->state.opts.config_dir);
          load_services(self, false, [=](reload_report report, std::vector<std::string> start) {
            log_reload(report);
            for (const auto& name : start) start_name_with_deps(self, name, false);
          });
          return;
        }
        spdlog::info("signal {} received", signo);
        begin_shutdown(self);
      },
      [=](ping_atom) { return true; },  // the watchdog's self-check (service_watchdog.hpp)
      [=](shutdown_atom) -> caf::result<bool> {
        auto rp = self->make_response_promise<bool>();
        self->state.shutdown_waiters.push_back(rp);
        begin_shutdown(self);
        return rp;
      },
      [=](handover_atom, bool upgrade) -> caf::result<bool> {
        auto& st = self->state;
        if (!st.opts.on_handover)
          return make_caf_error(ec::invalid_state,
                                "this daemon runs without ctrd's holder (it was started as "
                                "ctrd-daemon): daemon-reexec needs the holder; restart ctrd "
                                "instead");
        if (s.shutting_down) return make_caf_error(ec::shutting_down, "ctrd is shutting down");
        auto rp = self->make_response_promise<bool>();
        rp.deliver(true);
        hand_over_and_quit(self, upgrade);
        return rp;
      });
}

}  // namespace

void apply_daemon_defaults(actor_t* self, const json& definition, container_config& cfg) {
  const auto& o = self->state.opts;
  if (!definition.contains("log_max_size")) cfg.log_max_size = o.log_max_size;
  if (!definition.contains("log_max_files")) cfg.log_max_files = o.log_max_files;
  // podman's default pids limit, where the host can enforce it (`--pids-limit -1`: none).
  // A host-file-system service on a host whose pids controller is cgroup v1 only would pay
  // a v1 migration at every start and policy restart (it is cloned straight into its
  // cgroup2 group otherwise): half the restart rate measured here, so such services get
  // the limit only when asked (docs/security.md "pids limit").
  const auto* cg = self->state.deps.cgroups;
  bool cheap = !cfg.isolation.rootfs.empty() || (cg && cg->kind() == cgroup::layout::unified);
  if (!definition.contains("pids_limit") && o.default_pids_limit > 0 && cg &&
      cg->has_controller("pids") && cheap)
    cfg.isolation.pids_limit = o.default_pids_limit;
}

entry* find_by_name(actor_t* self, const std::string& name) {
  return find_by_id(self, self->state.reg.id_of_name(name));
}

entry* find_by_id(actor_t* self, const std::string& id) {
  auto it = self->state.entries.find(id);
  return it == self->state.entries.end() ? nullptr : &it->second;
}

deps::graph current_graph(actor_t* self) {
  deps::graph g;
  for (auto& [id, e] : self->state.entries) g[e.summary.name] = e.summary.requires_;
  return g;
}

namespace {
void create_checked(actor_t* self, container_config cfg,
                    std::function<void(caf::expected<created_container>)> done);
}  // namespace

void create_container(actor_t* self, container_config cfg,
                      std::function<void(caf::expected<created_container>)> done) {
  if (!cfg.isolation.bridge_net()) return create_checked(self, std::move(cfg), std::move(done));
  // Its networks must exist (podman refuses an unknown one at create): the network actor
  // knows; then the create goes on.
  auto nets = cfg.isolation.all_networks();
  self->request(self->state.deps.network, caf::infinite, network_atom::value, std::string("exists"),
                json{{"networks", nets}})
      .then([=](json&) mutable { create_checked(self, std::move(cfg), std::move(done)); },
            [=](caf::error& e) { done(e); });
}

namespace {
void create_checked(actor_t* self, container_config cfg,
                    std::function<void(caf::expected<created_container>)> done) {
  auto& s = self->state;
  if (s.shutting_down) return done(make_caf_error(ec::shutting_down, "ctrd is shutting down"));
  try {
    validate(cfg);
    check_host_support(cfg.isolation, s.deps.cgroups);
    // A seccomp profile file is read and compiled now: its errors at create, not at start.
    check_confinement(cfg.security, s.deps.default_caps, filter_cache(s.deps.seccomp));
    check_confinement_support(cfg.security, cfg.isolation, s.deps.cgroups);
    // The reserve keeps room for the state: no new container below it (ec::no_space).
    // The root's, not the logs' (deps.space) when --log-dir is on another file system.
    if (s.opts.space) s.opts.space->check_create();
    if (cfg.name.empty()) {
      cfg.name = generate_name([&](const std::string& n) { return s.reg.has_name(n); });
    } else if (s.reg.has_name(cfg.name)) {
      throw error(ec::name_in_use,
                  "the container name \"" + cfg.name + "\" is already in use by " +
                      s.reg.id_of_name(cfg.name) +
                      ". You have to remove that container to be able to reuse that name: "
                      "that name is already in use");
    }
    check_requirements(self, cfg);
    assign_auto_userns(self, cfg);
  } catch (const ctrd::error& e) {
    return done(error_of(e));
  }
  do {
    cfg.id = generate_id();
  } while (s.reg.has_id(cfg.id) || s.reg.has_name(cfg.id));
  track_userns(self, cfg);  // reserved like name and id while the write is in flight
  cfg.created_ns = proc::now_ns();
  apply_create_defaults(cfg);
  // Reserve name and id now: a concurrent create must not take them while the write is in flight.
  s.reg.add(cfg.id, cfg.name);
  container_status st;
  self->request(s.deps.store, caf::infinite, put_container_atom::value, cfg, st)
      .then(
          [=](bool) {
            self->state.reg.remove(cfg.id);
            add_container(self, stored_container{cfg, st}, false);
            spdlog::info("created container {} {}", cfg.id.substr(0, 12), cfg.name);
            created_container reply{cfg.id, cfg.name, {}};
            if (auto w = rootfs_warning(cfg.isolation.rootfs); !w.empty()) {
              spdlog::warn("container {}: {}", cfg.name, w);
              reply.warnings.push_back(w);
            }
            done(std::move(reply));
          },
          [=](caf::error& err) {
            self->state.reg.remove(cfg.id);
            self->state.userns_slices.erase(cfg.id);
            done(err);
          });
}
}  // namespace

}  // namespace sup

uint64_t parse_size(const std::string& text) {
  auto bad = [&] {
    return error(ec::invalid_argument,
                 "invalid size \"" + text + "\": use bytes or a k, m or g suffix");
  };
  if (text.empty() || text.size() > 20) throw bad();
  std::size_t digits = text.find_first_not_of("0123456789");
  // 0 digits is no number; over 15 is over any limit (and std::stoull's range).
  if (digits == 0 || (digits == std::string::npos ? text.size() : digits) > 15) throw bad();
  uint64_t n = std::stoull(text.substr(0, digits));
  uint64_t mult = 1;
  if (digits != std::string::npos) {
    auto unit = text.substr(digits);
    if (unit == "k" || unit == "K" || unit == "kb" || unit == "KB")
      mult = 1000;
    else if (unit == "m" || unit == "M" || unit == "mb" || unit == "MB")
      mult = 1000 * 1000;
    else if (unit == "g" || unit == "G" || unit == "gb" || unit == "GB")
      mult = 1000 * 1000 * 1000;
    else
      throw bad();
  }
  if (n > (uint64_t{1} << 40) / mult) throw bad();
  return n * mult;
}

void apply_create_defaults(container_config& c) {
  if (!sup::env_has(c, "PATH")) c.env.push_back(std::string("PATH=") + default_path);
  if (!sup::env_has(c, "HOME")) {
    uint32_t uid = geteuid(), gid = 0;
    bool has_gid = false;
    if (!c.user.empty()) parse_user(c.user, uid, gid, has_gid);
    c.env.push_back(uid == 0 ? "HOME=/root" : "HOME=/");
  }
  if (!sup::env_has(c, "container")) c.env.push_back("container=ctrd");
}

supervisor_actor spawn_supervisor(caf::actor_system& sys, store_actor store, event_bus_actor events,
                                  ctrd::host* host, const cgroup::hierarchy* cgroups,
                                  supervisor_options opts, load_result loaded) {
  container_deps deps;
  deps.cgroups = cgroups;
  deps.space = opts.log_space != nullptr ? opts.log_space : opts.space;
  deps.store = std::move(store);
  deps.events = std::move(events);
  deps.host = host;
  deps.containers_dir = opts.containers_dir;
  deps.log_dir = opts.log_dir.empty() ? opts.containers_dir : opts.log_dir;
  deps.run_dir = opts.run_dir;
  deps.default_caps = opts.default_caps;
  deps.seccomp = opts.seccomp;
  deps.network = spawn_network(
      sys, network_deps{deps.store, host,
                        opts.netns_dir.empty() ? opts.containers_dir + "/../netns" : opts.netns_dir,
                        opts.network_config_dir.empty() ? opts.containers_dir + "/../networks"
                                                        : opts.network_config_dir});
  // Its own thread: `ps`, `start` and every other request pass through it, and they must not
  // queue behind container actors busy spawning processes on the scheduler's workers (ps p99
  // under 100 crash loops: 130 ms on the workers, 25-36 ms detached; docs/benchmarks.md).
  // A deterministic test runs it on the test coordinator instead (spawn_mode::scheduled).
  if (opts.mode == spawn_mode::scheduled)
    return sys.spawn(sup::supervisor, std::move(deps), std::move(opts), std::move(loaded));
  return sys.spawn<caf::detached>(sup::supervisor, std::move(deps), std::move(opts),
                                  std::move(loaded));
}

}  // namespace ctrd
