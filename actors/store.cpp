#include "actors/store.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/spawn_options.hpp>
#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "messages/atoms.hpp"

namespace ctrd {
namespace {

template <class F>
caf::result<bool> guarded(F&& f) {
  try {
    f();
    return true;
  } catch (const ctrd::error& e) {
    spdlog::error("store: {}", e.what());
    return make_caf_error(e.code(), e.what());
  }
}

caf::behavior store_actor(caf::event_based_actor*, std::shared_ptr<state_store> db) {
  return {
      [=](put_atom, const container_config& c, const container_status& s) {
        return guarded([&] { db->put_container(c, s); });
      },
      [=](put_atom, const std::string& id, const container_status& s) {
        // Fire-and-forget from container actors: failures are logged, not returned.
        (void)guarded([&] { db->put_status(id, s); });
      },
      [=](erase_atom, const std::string& id, bool durable) {
        return guarded([&] { db->erase(id, durable); });
      },
      [=](load_atom) { return db->load_all(); },
  };
}

}  // namespace

caf::actor spawn_store(caf::actor_system& sys, std::shared_ptr<state_store> db) {
  return sys.spawn<caf::detached>(store_actor, std::move(db));
}

}  // namespace ctrd
