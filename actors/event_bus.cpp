#include "actors/event_bus.hpp"

#include <chrono>
#include <memory>
#include <vector>

#include <spdlog/spdlog.h>
#include <caf/blocking_actor.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/atoms.hpp"
#include "actors/caf_error.hpp"
#include "actors/event_subscriptions.hpp"
#include "actors/guard.hpp"
#include "actors/paced_sender.hpp"
#include "runtime/event_log.hpp"
#include "runtime/proc.hpp"

namespace ctrd {
namespace {

/// Who a subscription answers: its session and its request's promise.
struct sub_client {
  event_sink_actor session;
  caf::typed_response_promise<bool> rp;
  caf::actor_addr key() const { return session.address(); }
};

using subscriptions = event_subscriptions<sub_client>;

struct bus_state {
  static inline const char* name = "event_bus";
  std::unique_ptr<event_log> log;
  subscriptions subs;
};

// A class of its own, not an alias (docs/architecture.md, "Short type names").
using bus_base = event_bus_actor::stateful_base<bus_state>;
struct bus_self final : bus_base {
  using bus_base::bus_base;
};
using bus_t = bus_self*;

/// What a history reader needs besides its snapshot. A struct of its own so that the
/// reader's lambdas have short type names (docs/architecture.md).
struct replay_job {
  event_sink_actor session;
  uint32_t msgid = 0;
  event_filter filter;
  std::string since, until;  // RFC 3339, "" = unbounded
  uint64_t id = 0;           // the subscription's
  event_bus_actor bus;
};

/// Runs on its own thread: sends the stored events of the snapshot that match the request
/// to its session at the client's pace, then the new events the bus queued meanwhile,
/// until the bus has none left (the subscription is then live or over).
void history_reader(caf::blocking_actor* self, std::shared_ptr<log_snapshot> snap, replay_job job) {
  paced_sender<event_sink_actor> out{self, job.session};
  auto send = [&](const json& ev) { return out.deliver(record_atom::value, job.msgid, ev); };
  bool ok = true;
  try {
    read_events(*snap, job.filter, job.since, job.until, send);
  } catch (const std::exception& e) {  // e.g. out of memory: the request ends with an error
    spdlog::error("events history: {}", e.what());
    ok = false;
  }
  snap.reset();  // the history's descriptors are not needed any more
  for (;;) {
    json queued;
    self->request(job.bus, caf::infinite, replayed_atom::value, job.id, ok && !out.gone())
        .receive([&](json& q) { queued = std::move(q); }, [](caf::error&) {});
    if (!ok || out.gone() || !queued.is_array() || queued.empty()) return;
    for (auto& ev : queued)
      if (!send(ev)) break;
  }
}

/// Sends the new events to the live subscriptions and answers the ones that end.
void connect_sink(bus_t self) {
  subscriptions::sink sink;
  sink.event = [self](subscriptions::subscription& s, const json& ev) {
    self->send(s.client.session, event_atom::value, s.msgid, ev);
  };
  sink.dropped = [self](subscriptions::subscription& s, uint64_t n) {
    self->send(s.client.session, event_atom::value, s.msgid, n);
  };
  sink.end = [](subscriptions::subscription& s, bool ok) {
    if (ok)
      s.client.rp.deliver(true);
    else
      s.client.rp.deliver(make_caf_error(ec::internal, "the events history was not sent"));
  };
  self->state.subs.set_sink(std::move(sink));
}

event_bus_actor::behavior_type bus(bus_t self, std::string root) {
  self->state.log = std::make_unique<event_log>(root);
  connect_sink(self);
  self->set_down_handler([=](caf::down_msg& dm) { self->state.subs.forget(dm.source); });
  return guarded_typed_behavior<event_bus_actor>(
      self,
      [=](event_atom, const json& ev) {
        auto& s = self->state;
        if (s.log->append(ev) == append_result::failed_first)
          spdlog::warn("events history {}: {} (further failures are counted, not logged)",
                       s.log->path(), s.log->last_error());
        s.subs.publish(ev);
      },
      [=](subscribe_atom, event_sink_actor session, uint32_t msgid, const event_filter& f,
          int64_t since_ns, int64_t until_ns, bool stream) -> caf::result<bool> {
        auto since = since_ns > 0 ? proc::rfc3339(since_ns) : std::string();
        auto until = until_ns > 0 ? proc::rfc3339(until_ns) : std::string();
        auto now = proc::rfc3339(proc::now_ns());
        bool live = stream && (until.empty() || until >= now);
        // Taken here, between two events: everything published before is in the snapshot,
        // everything after is queued for the subscription (no gap, no duplicate).
        auto snap = std::make_shared<log_snapshot>(self->state.log->snapshot());
        auto rp = self->make_response_promise<bool>();
        self->monitor(session);
        auto id = self->state.subs.add(sub_client{session, rp}, msgid, f, until, live);
        self->system().spawn<caf::detached>(
            history_reader, snap,
            replay_job{session, msgid, f, since, until, id, event_bus_actor{self}});
        if (live && until_ns > 0)
          self->delayed_send(self, std::chrono::nanoseconds(until_ns - proc::now_ns() + 1000000),
                             expire_atom::value);
        return rp;
      },
      [=](replayed_atom, uint64_t id, bool ok) {
        auto queued = self->state.subs.replayed(id, ok, proc::rfc3339(proc::now_ns()));
        return json(std::move(queued));
      },
      [=](expire_atom) { self->state.subs.expire(proc::rfc3339(proc::now_ns())); });
}

}  // namespace

event_bus_actor spawn_event_bus(caf::actor_system& sys, const std::string& root) {
  return sys.spawn<caf::detached>(bus, root);
}

}  // namespace ctrd
