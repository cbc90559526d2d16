// The event bus's subscriptions (`events` requests): which session gets which new events,
// and the live events held for a subscription whose history is still being sent. A
// subscription starts "replaying": a reader sends its history at the client's pace
// (actors/paced_sender.hpp) while new events that match are queued here; the reader then
// takes the queue (replayed()) and sends it the same way, until the queue is empty at
// that moment: the subscription is live from then on (new events go straight to the
// session), or, without `stream` or past its `until`, answered and ended. So every event
// reaches the client once, in order, and a client that does not read costs at most
// event_queue_cap events here (beyond, they are dropped and counted).
//
// CAF-free: `Client` (the session and the request's promise, in the bus) has key() (the
// session's identity); messages leave through the `sink` the owner installs. Unit tests:
// tests/unit/event_subscriptions_test.cpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/event_log.hpp"

namespace ctrd {

/// Most live events held for one subscription while its history is being sent.
constexpr std::size_t event_queue_cap = 4096;

template <class Client>
class event_subscriptions {
 public:
  using key_type = decltype(std::declval<const Client&>().key());

  /// One `events` request.
  struct subscription {
    uint64_t id = 0;
    Client client;
    uint32_t msgid = 0;
    event_filter filter;
    std::string until;         ///< RFC 3339; "" = open-ended
    bool stream = false;       ///< gets new events (else ends once its history is sent)
    bool replaying = true;     ///< its history is being sent: new events are queued
    std::vector<json> queued;  ///< new events held meanwhile (at most event_queue_cap)
    uint64_t dropped = 0;      ///< new events dropped because the queue was full
  };

  /// How messages reach a subscription's session.
  struct sink {
    /// A new event for a live subscription.
    std::function<void(subscription&, const json& event)> event;
    /// `n` events were dropped for it (told once its history is sent).
    std::function<void(subscription&, uint64_t n)> dropped;
    /// The subscription is over: `ok` false if its history could not be sent.
    std::function<void(subscription&, bool ok)> end;
  };

  void set_sink(sink s) { sink_ = std::move(s); }

  /// Adds a subscription whose history is about to be sent; returns its id. With `stream`,
  /// it gets the new events matching `f` until `until` ("" = until its session goes).
  uint64_t add(Client c, uint32_t msgid, event_filter f, std::string until, bool stream) {
    subscription s{++last_id_, std::move(c), msgid, std::move(f), std::move(until), stream};
    subs_.push_back(std::move(s));
    return last_id_;
  }

  /// A new event: sent to every live subscription it matches, queued for those whose
  /// history is still being sent (dropped and counted once the queue is full).
  void publish(const json& event) {
    for (auto& s : subs_) {
      if (!s.stream || !s.filter.matches(event)) continue;
      if (!s.replaying) {
        if (sink_.event) sink_.event(s, event);
      } else if (s.queued.size() < event_queue_cap) {
        s.queued.push_back(event);
      } else {
        ++s.dropped;
      }
    }
  }

  /// The reader of subscription `id` sent everything it had (`ok`; false: its session did
  /// not take it, the subscription ends with `end(sub, false)`). Returns the events queued
  /// meanwhile, for the reader to send next (the queue is emptied). None queued: the
  /// replay is over: a drop is told, then the subscription turns live, or, without
  /// `stream` or with its `until` before `now` (RFC 3339), ends with `end(sub, true)`.
  /// An unknown id (its session went away) gets none.
  std::vector<json> replayed(uint64_t id, bool ok, const std::string& now) {
    auto it = std::find_if(subs_.begin(), subs_.end(), [&](auto& s) { return s.id == id; });
    if (it == subs_.end() || !it->replaying) return {};
    if (!ok) {
      end(it, false);
      return {};
    }
    if (!it->queued.empty()) return std::exchange(it->queued, {});
    it->replaying = false;
    if (it->dropped > 0 && sink_.dropped) sink_.dropped(*it, std::exchange(it->dropped, 0));
    if (!it->stream || past(*it, now)) end(it, true);
    return {};
  }

  /// Ends the live subscriptions whose `until` is before `now` (RFC 3339); those still
  /// sending their history end when it is sent.
  void expire(const std::string& now) {
    for (auto it = subs_.begin(); it != subs_.end();) {
      if (!it->replaying && past(*it, now))
        it = end(it, true);
      else
        ++it;
    }
  }

  /// A session is gone: its subscriptions are forgotten unanswered.
  void forget(const key_type& who) {
    subs_.erase(std::remove_if(subs_.begin(), subs_.end(),
                               [&](const subscription& s) { return s.client.key() == who; }),
                subs_.end());
  }

  std::size_t size() const { return subs_.size(); }

 private:
  using iterator = typename std::vector<subscription>::iterator;

  static bool past(const subscription& s, const std::string& now) {
    return !s.until.empty() && s.until < now;
  }

  iterator end(iterator it, bool ok) {
    if (sink_.end) sink_.end(*it, ok);
    return subs_.erase(it);
  }

  std::vector<subscription> subs_;
  uint64_t last_id_ = 0;
  sink sink_;
};

}  // namespace ctrd
