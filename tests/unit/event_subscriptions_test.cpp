// The event bus's subscriptions (actors/event_subscriptions.hpp) with a recording sink: new
// events held while a history is sent and handed to its reader, the switch to live with
// no gap or duplicate, the bounded queue and its drop count, ends by stream, until and
// failure.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/event_subscriptions.hpp"

namespace event_subscriptions_test {

namespace {

using ctrd::json;

struct fake_client {
  int id = 0;
  int key() const { return id; }
};

using subs_t = ctrd::event_subscriptions<fake_client>;

/// Records every message the subscriptions send ("<client>:<kind>:<payload>").
struct recorder {
  std::vector<std::string> sent;
  subs_t::sink sink() {
    subs_t::sink s;
    s.event = [this](subs_t::subscription& sub, const json& ev) {
      sent.push_back(std::to_string(sub.client.id) + ":event:" + ev.value("Name", ""));
    };
    s.dropped = [this](subs_t::subscription& sub, uint64_t n) {
      sent.push_back(std::to_string(sub.client.id) + ":dropped:" + std::to_string(n));
    };
    s.end = [this](subs_t::subscription& sub, bool ok) {
      sent.push_back(std::to_string(sub.client.id) + (ok ? ":end" : ":failed"));
    };
    return s;
  }
};

json event(const std::string& name, const std::string& status = "start") {
  return json{{"Type", "container"},
              {"Status", status},
              {"Name", name},
              {"ID", name + "0000"},
              {"Time", "2026-01-01T00:00:00Z"}};
}

std::vector<std::string> names(const std::vector<json>& events) {
  std::vector<std::string> out;
  for (auto& e : events) out.push_back(e.value("Name", ""));
  return out;
}

const std::string now = "2026-01-01T00:00:10Z";

}  // namespace

TEST_CASE("event subscriptions: new events wait for the history, then the subscription is live",
          "[event_subscriptions]") {
  recorder r;
  subs_t subs;
  subs.set_sink(r.sink());
  auto id = subs.add({1}, 7, {}, "", true);
  subs.publish(event("a"));
  subs.publish(event("b"));
  CHECK(r.sent.empty());  // the history is still being sent
  // The reader takes what was queued; what comes meanwhile waits for its next round.
  CHECK(names(subs.replayed(id, true, now)) == std::vector<std::string>{"a", "b"});
  subs.publish(event("c"));
  CHECK(r.sent.empty());
  CHECK(names(subs.replayed(id, true, now)) == std::vector<std::string>{"c"});
  // Nothing queued: live from now on, each new event once.
  CHECK(subs.replayed(id, true, now).empty());
  subs.publish(event("d"));
  CHECK(r.sent == std::vector<std::string>{"1:event:d"});
  CHECK(subs.size() == 1);
}

TEST_CASE("event subscriptions: the queue is bounded and the drop is told once live",
          "[event_subscriptions]") {
  recorder r;
  subs_t subs;
  subs.set_sink(r.sink());
  auto id = subs.add({1}, 7, {}, "", true);
  for (std::size_t i = 0; i < ctrd::event_queue_cap + 5; ++i)
    subs.publish(event("e" + std::to_string(i)));
  auto first = subs.replayed(id, true, now);
  CHECK(first.size() == ctrd::event_queue_cap);
  CHECK(first.front().value("Name", "") == "e0");
  CHECK(r.sent.empty());
  CHECK(subs.replayed(id, true, now).empty());
  CHECK(r.sent == std::vector<std::string>{"1:dropped:5"});
  subs.publish(event("x"));
  CHECK(r.sent.back() == "1:event:x");
}

TEST_CASE("event subscriptions: without stream the history ends the request and nothing is queued",
          "[event_subscriptions]") {
  recorder r;
  subs_t subs;
  subs.set_sink(r.sink());
  auto id = subs.add({1}, 7, {}, "", false);
  subs.publish(event("a"));
  CHECK(subs.replayed(id, true, now).empty());
  CHECK(r.sent == std::vector<std::string>{"1:end"});
  CHECK(subs.size() == 0);
  subs.publish(event("b"));
  CHECK(r.sent.size() == 1);
}

TEST_CASE("event subscriptions: until ends a live stream, and one still replaying once it is sent",
          "[event_subscriptions]") {
  recorder r;
  subs_t subs;
  subs.set_sink(r.sink());
  auto live = subs.add({1}, 7, {}, "2026-01-01T00:00:05Z", true);
  auto replaying = subs.add({2}, 8, {}, "2026-01-01T00:00:05Z", true);
  CHECK(subs.replayed(live, true, "2026-01-01T00:00:01Z").empty());  // live before until
  subs.expire(now);
  CHECK(r.sent == std::vector<std::string>{"1:end"});  // the replaying one is not answered yet
  subs.publish(event("a"));
  CHECK(names(subs.replayed(replaying, true, now)) == std::vector<std::string>{"a"});
  CHECK(subs.replayed(replaying, true, now).empty());
  CHECK(r.sent == std::vector<std::string>{"1:end", "2:end"});
  CHECK(subs.size() == 0);
}

TEST_CASE("event subscriptions: filters, a failed history and a session gone",
          "[event_subscriptions]") {
  recorder r;
  subs_t subs;
  subs.set_sink(r.sink());
  auto web = subs.add({1}, 7, ctrd::parse_event_filter(json{{"container", json::array({"web"})}}),
                      "", true);
  auto other = subs.add({2}, 8, {}, "", true);
  auto third = subs.add({3}, 9, {}, "", true);
  CHECK(subs.replayed(web, true, now).empty());
  CHECK(subs.replayed(other, true, now).empty());
  subs.publish(event("db"));
  subs.publish(event("web"));
  CHECK(r.sent == std::vector<std::string>{"2:event:db", "1:event:web", "2:event:web"});
  r.sent.clear();
  // The session did not take the history: the request ends with an error.
  CHECK(subs.replayed(third, false, now).empty());
  CHECK(r.sent == std::vector<std::string>{"3:failed"});
  subs.forget(1);  // its session went away: forgotten unanswered
  CHECK(subs.size() == 1);
  CHECK(subs.replayed(web, true, now).empty());  // an unknown id gets nothing
  subs.publish(event("web"));
  CHECK(r.sent.back() == "2:event:web");
}

}  // namespace event_subscriptions_test
