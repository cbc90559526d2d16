// The events history reaches the client whole (issue: `events --since` with ~9000 events
// dropped some, "... events dropped (client too slow)"): the history is sent at the pace
// the client reads (actors/paced_sender.hpp). ~10000 real events (a `kill` event per
// harmless SIGCONT, pipelined on one connection), then ctrctl prints every stored one in
// order; a client that stalls gets every stored event and the new ones after them, once
// each, while ctrd answers others.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon.hpp"
#include "tests/support/rpc_client.hpp"

namespace events_replay_test {

using ctrd::test::live_daemon;
using ctrd::test::rpc_client;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// `kill` requests (one event each) that make the history.
constexpr int kills = 10000;

std::unique_ptr<rpc_client> greeted(const live_daemon& d) {
  auto c = std::make_unique<rpc_client>(d.socket());
  REQUIRE(c->connected());
  REQUIRE(c->hello());
  return c;
}

/// Sends `n` requests (`params(i)` for the i-th), up to 128 in flight; each must succeed.
void pipelined(rpc_client& c, const std::string& method, int n,
               const std::function<json(int)>& params) {
  int sent = 0, done = 0;
  uint32_t next = 1;
  while (done < n) {
    while (sent < n && sent - done < 128) REQUIRE(c.request(next++, method, params(sent++)));
    auto m = c.next(30s);
    REQUIRE(m.has_value());
    if (m->kind != ctrd::rpc_kind::response) continue;
    INFO(method << ": " << m->error.dump());
    REQUIRE(m->error.is_null());
    ++done;
  }
}

/// The events stored in ctrd's history files, oldest first.
std::vector<json> stored_events(const live_daemon& d) {
  std::vector<json> out;
  for (int i = 9; i >= 0; --i) {
    auto path = d.root() + "/events.log" + (i == 0 ? std::string() : "." + std::to_string(i));
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) out.push_back(json::parse(line));
  }
  return out;
}

/// "<Name> <Status>" of each event.
std::vector<std::string> brief(const std::vector<json>& events) {
  std::vector<std::string> out;
  for (auto& ev : events) out.push_back(ev.value("Name", "") + " " + ev.value("Status", ""));
  return out;
}

/// Creates and removes containers named `prefix`0.. (one create and one remove event each).
void create_and_remove(rpc_client& c, const std::string& prefix, int n) {
  pipelined(c, "create", n, [&](int i) {
    return json{{"name", prefix + std::to_string(i)}, {"command", json::array({"true"})}};
  });
  pipelined(c, "remove", n, [&](int i) { return json{{"container", prefix + std::to_string(i)}}; });
}

}  // namespace

TEST_CASE("events: a history of 10000 events reaches a client whole, in order", "[events]") {
  live_daemon d;
  d.ok({"run", "-d", "--name", "ev", "sleep", "1000"});
  auto c = greeted(d);
  pipelined(*c, "kill", kills, [](int) {
    return json{{"container", "ev"}, {"signal", "SIGCONT"}};
  });
  // The bus stores an event shortly after the request that caused it was answered: read
  // the history once it stopped growing.
  std::vector<json> stored;
  for (int same = 0, i = 0; same < 3 && i < 100; ++i) {
    auto now = stored_events(d);
    same = now.size() == stored.size() ? same + 1 : 0;
    stored = std::move(now);
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(stored.size() >= 9000);  // the history's bound (3 files of 1 MiB) keeps them
  CHECK(brief(stored).back() == "ev kill");

  // ctrctl as a user runs it, into a pager that starts reading a second later (ctrctl then
  // stops reading ctrd): every stored event, in order, and no warning.
  auto until = std::to_string(std::time(nullptr) + 1);
  auto r = ctrd::test::run_process(
      {"/bin/sh", "-c",
       "{ \"$0\" --socket \"$1\" events --since 0 --until \"$2\" --format json; "
       "echo \"ctrctl exit $?\" >&2; } | { sleep 1; cat; }",
       CTRCTL_BIN, d.socket(), until});
  REQUIRE(r.code == 0);
  CHECK(r.err == "ctrctl exit 0\n");  // and no "events dropped" warning
  std::vector<json> printed;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) printed.push_back(json::parse(line));
  CHECK(printed.size() == stored.size());
  CHECK(printed == stored);

  // A client that does not read for a while: the history waits for it (it holds no more
  // than its budget in ctrd), others are answered meanwhile, and new events come after
  // the history, once each.
  auto slow = greeted(d);
  REQUIRE(slow->request(7, "events", json{{"since", 0}, {"stream", true}}));
  std::this_thread::sleep_for(1s);  // long enough for any history to outgrow its budget
  CHECK(ctrd::test::daemon_answers(d.socket()));
  create_and_remove(*c, "late", 3);
  std::this_thread::sleep_for(300ms);
  std::vector<json> got;
  bool dropped = false;
  while (got.size() < stored.size() + 6) {
    auto m = slow->next(10s);
    REQUIRE(m.has_value());
    REQUIRE(m->kind == ctrd::rpc_kind::notification);
    if (m->params.contains("dropped")) dropped = true;
    if (m->params.contains("event")) got.push_back(m->params["event"]);
  }
  CHECK_FALSE(dropped);
  auto late =
      brief(std::vector<json>(got.begin() + static_cast<std::ptrdiff_t>(stored.size()), got.end()));
  got.resize(stored.size());
  CHECK(got == stored);
  std::sort(late.begin(), late.end());  // pipelined: the containers' events may interleave
  CHECK(late == std::vector<std::string>{"late0 create", "late0 remove", "late1 create",
                                         "late1 remove", "late2 create", "late2 remove"});
  CHECK_FALSE(slow->next(300ms).has_value());  // nothing more: no duplicate

  // A client that never reads keeps its history waiting; ctrd still stops at once.
  auto stalled = greeted(d);
  REQUIRE(stalled->request(8, "events", json{{"since", 0}}));
  std::this_thread::sleep_for(300ms);
  d.ok({"rm", "-f", "ev"});
  auto t0 = std::chrono::steady_clock::now();
  CHECK(d.terminate() == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
}

}  // namespace events_replay_test
