#include "supervisor/supervisor.hpp"

#include <csignal>
#include <unistd.h>
#include <unordered_map>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/container.hpp"
#include "actors/proc.hpp"
#include "actors/spawner.hpp"
#include "messages/atoms.hpp"
#include "supervisor/registry.hpp"

namespace ctrd {
namespace {

struct entry {
  caf::actor actor;
  json summary;
};

struct sup_state {
  static inline const char* name = "supervisor";
  registry reg;
  std::unordered_map<std::string, entry> entries;
  container_deps deps;
  bool shutting_down = false;
  size_t shutdown_pending = 0;
  std::vector<caf::typed_response_promise<json>> shutdown_waiters;
};

using actor_t = caf::stateful_actor<sup_state>;

bool env_has(const container_config& c, const std::string& key) {
  for (const auto& e : c.env)
    if (e.compare(0, key.size() + 1, key + "=") == 0) return true;
  return false;
}

void add_container(actor_t* self, stored_container rec, bool recovering) {
  auto& s = self->state;
  auto id = rec.config.id;
  auto summary = json::object();
  s.reg.add(id, rec.config.name);
  auto a = spawn_container(self->system(), std::move(rec), s.deps, recovering);
  self->monitor(a);
  s.entries[id] = entry{a, summary};
}

void finish_shutdown(actor_t* self) {
  auto& s = self->state;
  if (s.shutdown_pending > 0) return;
  spdlog::info("all containers stopped, ctrd exits");
  for (auto& w : s.shutdown_waiters) w.deliver(json{{"stopped", true}});
  s.shutdown_waiters.clear();
  self->quit();
}

void begin_shutdown(actor_t* self) {
  auto& s = self->state;
  if (s.shutting_down) return;
  s.shutting_down = true;
  spdlog::info("shutting down: stopping {} containers", s.entries.size());
  for (auto& [id, e] : s.entries) {
    auto st = e.summary.value("state", std::string("created"));
    if (st == "created" || st == "exited") continue;
    ++s.shutdown_pending;
    self->request(e.actor, caf::infinite, stop_atom::value, int64_t{-1}, false)
        .then([=](const json&) { --self->state.shutdown_pending; finish_shutdown(self); },
              [=](caf::error&) { --self->state.shutdown_pending; finish_shutdown(self); });
  }
  finish_shutdown(self);
}

caf::result<json> create(actor_t* self, const json& params) {
  auto& s = self->state;
  if (s.shutting_down) return make_caf_error(ec::shutting_down, "ctrd is shutting down");
  container_config cfg;
  try {
    cfg = config_from_json(params);
    validate(cfg);
  } catch (const ctrd::error& e) {
    return make_caf_error(e.code(), e.what());
  }
  if (cfg.name.empty()) {
    cfg.name = generate_name([&](const std::string& n) { return s.reg.has_name(n); });
  } else if (s.reg.has_name(cfg.name)) {
    return make_caf_error(ec::name_in_use,
                          "the container name \"" + cfg.name + "\" is already in use by " +
                              s.reg.id_of_name(cfg.name) +
                              ". You have to remove that container to be able to reuse that name: "
                              "that name is already in use");
  }
  do {
    cfg.id = generate_id();
  } while (s.reg.has_id(cfg.id) || s.reg.has_name(cfg.id));
  cfg.created_ns = proc::now_ns();
  apply_create_defaults(cfg);
  // Reserve name and id now: a concurrent create must not take them while the write is in flight.
  s.reg.add(cfg.id, cfg.name);
  auto rp = self->make_response_promise<json>();
  container_status st;
  self->request(s.deps.store, caf::infinite, put_atom::value, cfg, st)
      .then(
          [=](bool) mutable {
            auto& ss = self->state;
            ss.reg.remove(cfg.id);
            add_container(self, stored_container{cfg, st}, false);
            spdlog::info("created container {} {}", cfg.id.substr(0, 12), cfg.name);
            rp.deliver(json{{"id", cfg.id}, {"name", cfg.name}});
          },
          [=](caf::error& err) mutable {
            self->state.reg.remove(cfg.id);
            rp.deliver(err);
          });
  return rp;
}

caf::behavior supervisor_actor(actor_t* self, container_deps deps, load_result loaded) {
  auto& s = self->state;
  s.deps = std::move(deps);
  s.deps.supervisor = caf::actor_cast<caf::actor>(self);
  for (const auto& p : loaded.problems) spdlog::error("state: {}", p);
  for (auto& rec : loaded.containers) {
    if (s.reg.has_name(rec.config.name) || s.reg.has_id(rec.config.id)) {
      spdlog::error("state: container {} duplicates name {}; skipped", rec.config.id, rec.config.name);
      continue;
    }
    add_container(self, std::move(rec), true);
  }
  spdlog::info("recovered {} containers", s.entries.size());
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& ss = self->state;
    for (auto it = ss.entries.begin(); it != ss.entries.end(); ++it) {
      if (it->second.actor.address() != dm.source) continue;
      if (dm.reason)
        spdlog::critical("container actor {} failed: {}", it->first, caf::to_string(dm.reason));
      ss.reg.remove(it->first);
      ss.entries.erase(it);
      break;
    }
  });
  return {
      [=](create_atom, const json& params) { return create(self, params); },
      [=](resolve_atom, const std::string& ref) -> caf::result<caf::actor> {
        auto& ss = self->state;
        try {
          auto id = ss.reg.resolve(ref);
          auto it = ss.entries.find(id);
          if (it == ss.entries.end())
            return make_caf_error(ec::no_such_container, "container \"" + ref + "\" is still being created");
          return it->second.actor;
        } catch (const ctrd::error& e) {
          return make_caf_error(e.code(), e.what());
        }
      },
      [=](list_atom, bool all) {
        json out = json::array();
        for (auto& [id, e] : self->state.entries) {
          if (e.summary.empty()) continue;
          if (!all) {
            auto st = e.summary["state"].get<std::string>();
            if (st != "running" && st != "paused" && st != "stopping") continue;
          }
          out.push_back(e.summary);
        }
        return out;
      },
      [=](status_atom, const std::string& id, json& summary) {
        auto it = self->state.entries.find(id);
        if (it != self->state.entries.end()) it->second.summary = std::move(summary);
      },
      [=](gone_atom, const std::string& id) {
        auto& ss = self->state;
        ss.reg.remove(id);
        ss.entries.erase(id);
      },
      [=](signal_atom, int signo) {
        if (signo == SIGHUP) {
          spdlog::info("SIGHUP received: nothing to reload yet");
          return;
        }
        spdlog::info("signal {} received", signo);
        begin_shutdown(self);
      },
      [=](shutdown_atom) {
        auto rp = self->make_response_promise<json>();
        self->state.shutdown_waiters.push_back(rp);
        begin_shutdown(self);
        return rp;
      },
  };
}

}  // namespace

void apply_create_defaults(container_config& c) {
  if (!env_has(c, "PATH")) c.env.push_back(std::string("PATH=") + default_path);
  if (!env_has(c, "HOME")) {
    uint32_t uid = geteuid(), gid = 0;
    bool has_gid = false;
    if (!c.user.empty()) parse_user(c.user, uid, gid, has_gid);
    c.env.push_back(uid == 0 ? "HOME=/root" : "HOME=/");
  }
  if (!env_has(c, "container")) c.env.push_back("container=ctrd");
}

caf::actor spawn_supervisor(caf::actor_system& sys, caf::actor store, host_loop* host,
                            std::string containers_dir, load_result loaded) {
  container_deps deps;
  deps.store = std::move(store);
  deps.host = host;
  deps.containers_dir = std::move(containers_dir);
  return sys.spawn(supervisor_actor, std::move(deps), std::move(loaded));
}

}  // namespace ctrd
