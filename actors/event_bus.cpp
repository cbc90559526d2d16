#include "actors/event_bus.hpp"

#include <chrono>
#include <vector>
#include "actors/guard.hpp"

#include <spdlog/spdlog.h>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/atoms.hpp"
#include "actors/caf_error.hpp"
#include "runtime/event_log.hpp"
#include "runtime/proc.hpp"

namespace ctrd {
namespace {

struct subscriber {
  event_sink_actor session;
  uint32_t msgid;
  event_filter filter;
  std::string until;  // "" = open-ended
  caf::typed_response_promise<bool> rp;
};

struct bus_state {
  static inline const char* name = "event_bus";
  std::unique_ptr<event_log> log;
  std::vector<subscriber> subs;
};

// A class of its own, not an alias (docs/architecture.md, "Short type names").
using bus_base = event_bus_actor::stateful_base<bus_state>;
struct bus_self final : bus_base {
  using bus_base::bus_base;
};
using bus_t = bus_self*;

void end_expired(bus_t self) {
  auto now = proc::rfc3339(proc::now_ns());
  auto& subs = self->state.subs;
  for (auto it = subs.begin(); it != subs.end();) {
    if (!it->until.empty() && it->until < now) {
      it->rp.deliver(true);
      it = subs.erase(it);
    } else {
      ++it;
    }
  }
}

event_bus_actor::behavior_type bus(bus_t self, std::string root) {
  self->state.log = std::make_unique<event_log>(root);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& subs = self->state.subs;
    for (auto it = subs.begin(); it != subs.end();)
      it = it->session.address() == dm.source ? subs.erase(it) : it + 1;
  });
  return guarded_typed_behavior<event_bus_actor>(
      self,
      [=](event_atom, const json& ev) {
        auto& s = self->state;
        if (s.log->append(ev) == append_result::failed_first)
          spdlog::warn("events history {}: {} (further failures are counted, not logged)",
                       s.log->path(), s.log->last_error());
        for (auto& sub : s.subs)
          if (sub.filter.matches(ev)) self->send(sub.session, event_atom::value, sub.msgid, ev);
      },
      [=](subscribe_atom, event_sink_actor session, uint32_t msgid, const event_filter& f,
          int64_t since_ns, int64_t until_ns, bool stream) -> caf::result<bool> {
        auto since = since_ns > 0 ? proc::rfc3339(since_ns) : std::string();
        auto until = until_ns > 0 ? proc::rfc3339(until_ns) : std::string();
        self->state.log->read(f, since, until, [&](const json& ev) {
          self->send(session, event_atom::value, msgid, ev);
          return true;
        });
        auto now = proc::rfc3339(proc::now_ns());
        if (!stream || (!until.empty() && until < now)) return true;
        auto rp = self->make_response_promise<bool>();
        self->monitor(session);
        self->state.subs.push_back(subscriber{session, msgid, f, until, rp});
        if (until_ns > 0)
          self->delayed_send(self, std::chrono::nanoseconds(until_ns - proc::now_ns() + 1000000),
                             expire_atom::value);
        return rp;
      },
      [=](expire_atom) { end_expired(self); });
}

}  // namespace

event_bus_actor spawn_event_bus(caf::actor_system& sys, const std::string& root) {
  return sys.spawn<caf::detached>(bus, root);
}

}  // namespace ctrd
