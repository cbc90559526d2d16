// The supervisor's restart of a failed container actor (OTP's restart of a child): when a
// container actor ends abnormally (an exception escaped it, or it exited with an error),
// the supervisor loads the container's record from the store and spawns a new actor for it
// in recovery mode, the same path as ctrd's start-up recovery (recover_record, then the
// actor's recovery: a live process is adopted, a dead one recorded as exited, a removal
// finished). A container whose actor keeps failing is given up (logged) after
// respawn_limit failures within respawn_window: it is then forgotten as before.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/container_handover.hpp"
#include "actors/host.hpp"
#include "actors/store.hpp"
#include "runtime/proc.hpp"
#include "supervisor/supervisor_impl.hpp"

namespace ctrd::sup {
namespace {

constexpr std::size_t respawn_limit = 3;
constexpr int64_t respawn_window_ns = 60'000'000'000;

/// Forgets a container whose actor cannot be respawned (the behaviour before respawns).
void forget(actor_t* self, const std::string& id) {
  auto& s = self->state;
  drop_handed_pipes(id);  // nobody reads them any more
  s.reg.remove(id);
  s.entries.erase(id);
  s.respawns.erase(id);
  advance_jobs(self);
}

}  // namespace

bool respawn_container(actor_t* self, const std::string& id, const caf::error& reason) {
  auto& s = self->state;
  if (s.shutting_down) {  // the shutdown waits for nothing from it
    drop_handed_pipes(id);
    return false;
  }
  auto now = proc::boot_ns();
  auto& times = s.respawns[id];
  times.erase(std::remove_if(times.begin(), times.end(),
                             [&](int64_t t) { return now - t > respawn_window_ns; }),
              times.end());
  if (times.size() >= respawn_limit) {
    spdlog::critical("container {}: its actor failed {} times within {} s; not respawned",
                     id.substr(0, 12), times.size() + 1, respawn_window_ns / 1'000'000'000);
    s.respawns.erase(id);
    drop_handed_pipes(id);
    return false;
  }
  times.push_back(now);
  spdlog::error("container {}: its actor failed ({}); respawning it from the store",
                id.substr(0, 12), caf::to_string(reason));
  // Until the new actor runs, requests reach the ended one and get an error back.
  // A keyed load: the record of this container only, not every record.
  self->request(s.deps.store, caf::infinite, load_atom::value, id)
      .then(
          [=](load_result& loaded) {
            auto& ss = self->state;
            auto it = ss.entries.find(id);
            if (it == ss.entries.end()) return;  // forgotten meanwhile
            for (const auto& p : loaded.problems)
              spdlog::error("container {}: {}", id.substr(0, 12), p);
            for (auto& rec : loaded.containers) {
              if (rec.config.id != id) continue;
              // What the processes left, as at start-up.
              recover_record(rec, ss.deps.host != nullptr && ss.deps.host->holder_may_owe_exits());
              auto name = rec.config.name;
              auto a = spawn_container(self->system(), std::move(rec), ss.deps, true);
              self->monitor(a);
              it->second.actor = a;
              spdlog::info("container {} {}: respawned in recovery mode", id.substr(0, 12), name);
              advance_jobs(self);
              return;
            }
            spdlog::error("container {}: no record in the store; forgotten", id.substr(0, 12));
            forget(self, id);
          },
          [=](caf::error& err) {
            spdlog::error("container {}: cannot load its record ({}); forgotten", id.substr(0, 12),
                          from_caf_error(err).second);
            forget(self, id);
          });
  return true;
}

}  // namespace ctrd::sup
