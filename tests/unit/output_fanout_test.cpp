// The container actor's output fan-out (actors/output_fanout.hpp) with a recording sink:
// replay queueing, back-pressure and dropped-output accounting, ends of subscriptions.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/output_fanout.hpp"

namespace output_fanout_test {

namespace {

struct fake_client {
  int id = 0;
  std::vector<std::string>* answers = nullptr;
  int key() const { return id; }
};

using fanout = ctrd::ctr::output_fanout<fake_client>;

/// Records every message the fan-out sends ("<client>:<kind>:<payload>").
struct recorder {
  std::vector<std::string> sent;
  fanout::sink sink() {
    fanout::sink s;
    s.chunk = [this](fanout::subscriber& sub, uint64_t, int stream, const std::string& data) {
      sent.push_back(std::to_string(sub.client.id) + ":out" + std::to_string(stream) + ":" + data);
    };
    s.record = [this](fanout::subscriber& sub, uint64_t, int, std::string text, std::string,
                      bool partial) {
      sent.push_back(std::to_string(sub.client.id) + ":rec:" + text + (partial ? "~" : ""));
    };
    s.dropped = [this](fanout::subscriber& sub, uint64_t n) {
      sent.push_back(std::to_string(sub.client.id) + ":dropped:" + std::to_string(n));
    };
    return s;
  }
};

}  // namespace

TEST_CASE("output fan-out: live output reaches every subscriber", "[output_fanout]") {
  recorder r;
  fanout f;
  f.set_sink(r.sink());
  f.add({1}, 10);
  f.add({2}, 20);
  f.forward(1, "hello", 1);
  CHECK(r.sent == std::vector<std::string>{"1:out1:hello", "2:out1:hello"});
  CHECK(f.find(1, 10)->inflight == 5);
  f.taken(1, 10, 5);
  CHECK(f.find(1, 10)->inflight == 0);
}

TEST_CASE("output fan-out: a replaying subscriber gets queued output after its history",
          "[output_fanout]") {
  recorder r;
  fanout f;
  f.set_sink(r.sink());
  f.add({1}, 10).replaying = true;
  f.forward(1, "a", 1);
  f.forward(2, "b", 1);
  CHECK(r.sent.empty());
  f.replayed(1, 10, [](fake_client&) { FAIL("a subscriber is not answered at replay end"); });
  CHECK(r.sent == std::vector<std::string>{"1:out1:a", "1:out2:b"});
  f.forward(1, "c", 1);
  CHECK(r.sent.back() == "1:out1:c");
}

TEST_CASE("output fan-out: the replay queue is bounded", "[output_fanout]") {
  recorder r;
  fanout f;
  f.set_sink(r.sink());
  f.add({1}, 10).replaying = true;
  std::string big(ctrd::ctr::replay_queue_cap, 'x');
  f.forward(1, big, 1);
  f.forward(1, "over", 1);  // over the cap: not queued
  CHECK(f.find(1, 10)->queued.size() == 1);
}

TEST_CASE("output fan-out: a slow client's output is dropped, counted and reported",
          "[output_fanout]") {
  recorder r;
  fanout f;
  f.set_sink(r.sink());
  f.add({1}, 10);
  std::string chunk(ctrd::ctr::sub_inflight_cap + 1, 'x');
  f.forward(1, chunk, 1);  // in flight: over the cap now
  f.forward(1, "lost1", 1);
  f.forward(1, "lost22", 1);
  CHECK(r.sent.size() == 1);
  CHECK(f.find(1, 10)->dropped == 11);
  f.taken(1, 10, chunk.size());  // the session took it: the notice goes out
  CHECK(r.sent.back() == "1:dropped:11");
  CHECK(f.find(1, 10)->inflight == 1);
  CHECK(f.find(1, 10)->dropped == 0);
  f.taken(1, 10, 1);
  f.forward(1, "again", 1);
  CHECK(r.sent.back() == "1:out1:again");
}

TEST_CASE("output fan-out: timestamped subscribers get one record per line", "[output_fanout]") {
  recorder r;
  fanout f;
  f.set_sink(r.sink());
  f.add({1}, 10).timestamps = true;
  f.forward(1, "one\ntwo\nthr", 1000000000);
  CHECK(r.sent == std::vector<std::string>{"1:rec:one", "1:rec:two", "1:rec:thr~"});
  CHECK(f.find(1, 10)->inflight == 12);
}

TEST_CASE("output fan-out: logs -f --since in the future skips earlier output", "[output_fanout]") {
  recorder r;
  fanout f;
  f.set_sink(r.sink());
  f.add({1}, 10).live_since_ns = 100;
  f.forward(1, "early", 50);
  f.forward(1, "late", 150);
  f.forward(1, "later", 120);  // once live, always live
  CHECK(r.sent == std::vector<std::string>{"1:out1:late", "1:out1:later"});
}

TEST_CASE("output fan-out: ends of subscriptions", "[output_fanout]") {
  recorder r;
  fanout f;
  f.set_sink(r.sink());
  std::vector<int> answered;
  auto answer = [&](fake_client& c) { answered.push_back(c.id); };
  f.add({1}, 10);
  f.add({2}, 20).follow = true;
  f.add({3}, 30);
  f.add_reader({4}, 40);
  SECTION("detach answers one") {
    CHECK(f.detach(3, 30, answer));
    CHECK_FALSE(f.detach(3, 30, answer));
    CHECK(answered == std::vector<int>{3});
    CHECK(f.subscriber_count() == 2);
  }
  SECTION("the exit ends attached clients, followers stay") {
    f.end_attached(answer);
    CHECK(answered == std::vector<int>{1, 3});
    CHECK(f.subscriber_count() == 1);
    f.end_all(answer);
    CHECK(answered == std::vector<int>{1, 3, 2});
    CHECK(f.subscriber_count() == 0);
  }
  SECTION("a reader is answered when its history is sent") {
    f.replayed(4, 40, answer);
    CHECK(answered == std::vector<int>{4});
    CHECK(f.reader_count() == 0);
  }
  SECTION("a gone session is forgotten unanswered") {
    f.forget(4);
    f.forget(2);
    CHECK(answered.empty());
    CHECK(f.reader_count() == 0);
    CHECK(f.subscriber_count() == 2);
  }
  SECTION("an attached start that failed is taken back") {
    f.add({5}, 50);
    f.drop_last();
    CHECK(f.find(5, 50) == nullptr);
  }
}

}  // namespace output_fanout_test
