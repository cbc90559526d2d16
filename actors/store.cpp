#include "actors/store.hpp"

#include <spdlog/spdlog.h>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include "actors/guard.hpp"

#include "actors/atoms.hpp"
#include "actors/caf_error.hpp"

namespace ctrd {
namespace {

/// Group commit: every change is staged; a flush message sent to itself when the first one
/// arrives commits all changes received until then in one batch (one fsync for all the
/// creates and removals that queued up during the previous one).
struct store_state {
  std::shared_ptr<state_store> db;
  std::vector<caf::typed_response_promise<bool>> waiting;  // answered after the commit
  bool flush_sent = false;
};

// A class of its own, not an alias (docs/architecture.md, "Short type names").
using store_base = store_actor::stateful_base<store_state>;
struct store_self final : store_base {
  using store_base::store_base;
};
using store_t = store_self*;

/// Stages a change with `stage` and, for a request, returns the promise answered after the
/// commit. Staging errors (encoding) are answered at once.
template <class F>
caf::result<bool> staged(store_t self, F&& stage, bool answer) {
  auto& s = self->state;
  try {
    stage(*s.db);
  } catch (const ctrd::error& e) {
    spdlog::error("store: {}", e.what());
    return make_caf_error(e.code(), e.what());
  }
  if (!s.flush_sent) {
    s.flush_sent = true;
    self->send(self, flush_atom::value);
  }
  if (!answer) return true;
  auto rp = self->make_response_promise<bool>();
  s.waiting.push_back(rp);
  return rp;
}

void flush(store_t self) {
  auto& s = self->state;
  s.flush_sent = false;
  auto waiting = std::move(s.waiting);
  s.waiting.clear();
  try {
    s.db->commit();
    for (auto& rp : waiting) rp.deliver(true);
  } catch (const ctrd::error& e) {
    spdlog::error("store: {}", e.what());
    for (auto& rp : waiting) rp.deliver(make_caf_error(e.code(), e.what()));
  }
}

store_actor::behavior_type store(store_t self, std::shared_ptr<state_store> db) {
  self->state.db = std::move(db);
  return guarded_typed_behavior<store_actor>(
      self,
      [=](put_container_atom, const container_config& c, const container_status& s) {
        return staged(
            self, [&](state_store& d) { d.stage_container(c, s); }, true);
      },
      [=](put_status_atom, const std::string& id, const container_status& s) {
        // Fire-and-forget from container actors: failures are logged, not returned.
        (void)staged(
            self, [&](state_store& d) { d.stage_status(id, s); }, false);
      },
      [=](erase_atom, const std::string& id, bool durable) {
        return staged(
            self, [&](state_store& d) { d.stage_erase(id, durable); }, true);
      },
      [=](flush_atom) { flush(self); },
      [=](load_atom) {
        flush(self);
        return self->state.db->load_all();
      },
      [=](load_atom, const std::string& id) {
        flush(self);
        return self->state.db->load(id);
      },
      [=](put_record_atom, const std::string& key, const json& value, bool durable) {
        return staged(
            self, [&](state_store& d) { d.stage_record(key, value, durable); }, true);
      },
      [=](erase_record_atom, const std::string& key) {
        return staged(
            self, [&](state_store& d) { d.stage_erase_record(key); }, true);
      },
      [=](load_records_atom, const std::string& prefix) {
        flush(self);
        std::vector<std::string> problems;
        auto out = self->state.db->load_records(prefix, problems);
        for (const auto& p : problems) spdlog::warn("store: {}", p);
        return out;
      });
}

}  // namespace

store_actor spawn_store(caf::actor_system& sys, std::shared_ptr<state_store> db, spawn_mode mode) {
  if (mode == spawn_mode::scheduled) return sys.spawn(store, std::move(db));
  return sys.spawn<caf::detached>(store, std::move(db));
}

}  // namespace ctrd
