// The typed actors of actors/interfaces.hpp through their typed handles (a message the
// interface does not declare would not compile): the store's puts and erase, the event
// bus's subscriptions with a typed filter and sink, a guarded typed behaviour, and the
// container summary the supervisor keeps (its replica).
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/caf_error.hpp"
#include "actors/container.hpp"
#include "actors/event_bus.hpp"
#include "actors/guard.hpp"
#include "actors/interfaces.hpp"
#include "actors/store.hpp"
#include "messages/value_codec.hpp"
#include "runtime/container_view.hpp"
#include "tests/support/temp_dir.hpp"

namespace typed_actors_test {

using namespace ctrd;
using namespace std::chrono_literals;

namespace {

using adder_actor = caf::typed_actor<caf::replies_to<int>::with<int>>;

// (`int`: CAF 0.17 trips UBSan when a function without arguments is spawned.)
adder_actor::behavior_type adder(adder_actor::pointer self, int) {
  return guarded_typed_behavior<adder_actor>(self, [=](int x) -> int {
    if (x < 0) throw error(ec::invalid_argument, "negative");
    return x + 1;
  });
}

caf::actor_system_config& small(caf::actor_system_config& cfg) {
  cfg.set("scheduler.max-threads", 2);
  return cfg;
}

}  // namespace

TEST_CASE("a guarded typed behaviour answers an exception with its error and lives on", "[typed]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{small(cfg)};
  auto a = sys.spawn(adder, 0);
  caf::scoped_actor self{sys};
  std::string err;
  self->request(a, 5s, -1).receive([](int) {},
                                   [&](caf::error& e) { err = from_caf_error(e).second; });
  CHECK(err == "negative");
  int v = 0;
  self->request(a, 5s, 41).receive([&](int x) { v = x; }, [](caf::error&) {});
  CHECK(v == 42);
  self->send_exit(a, caf::exit_reason::user_shutdown);
}

TEST_CASE("store actor: typed puts, erase and load", "[typed][store]") {
  test::temp_dir dir;
  caf::actor_system_config cfg;
  caf::actor_system sys{small(cfg)};
  auto store = spawn_store(sys, std::make_shared<state_store>(dir / "state"));
  caf::scoped_actor self{sys};
  container_config c;
  c.id = "a1";
  c.name = "one";
  c.command = {"true"};
  container_status st;
  bool stored = false;
  self->request(store, 5s, put_container_atom::value, c, st)
      .receive([&](bool ok) { stored = ok; }, [](caf::error&) {});
  CHECK(stored);
  st.restart_count = 3;
  self->send(store, put_status_atom::value, std::string("a1"), st);
  load_result loaded;
  self->request(store, 5s, load_atom::value)
      .receive([&](load_result& r) { loaded = std::move(r); }, [](caf::error&) {});
  REQUIRE(loaded.containers.size() == 1);
  CHECK(loaded.containers[0].config.name == "one");
  CHECK(loaded.containers[0].status.restart_count == 3);
  bool erased = false;
  self->request(store, 5s, erase_atom::value, std::string("a1"), true)
      .receive([&](bool ok) { erased = ok; }, [](caf::error&) {});
  CHECK(erased);
  self->request(store, 5s, load_atom::value)
      .receive([&](load_result& r) { loaded = std::move(r); }, [](caf::error&) {});
  CHECK(loaded.containers.empty());
  self->send_exit(store, caf::exit_reason::user_shutdown);
}

TEST_CASE("event bus: a typed filter and sink get the matching history", "[typed]") {
  test::temp_dir dir;
  caf::actor_system_config cfg;
  caf::actor_system sys{small(cfg)};
  auto bus = spawn_event_bus(sys, dir.path());
  caf::scoped_actor self{sys};
  self->send(bus, event_atom::value,
             json{{"Type", "container"},
                  {"Status", "start"},
                  {"Name", "web"},
                  {"ID", "ab12"},
                  {"Time", "2026-01-01T00:00:00Z"}});
  self->send(bus, event_atom::value,
             json{{"Type", "container"},
                  {"Status", "start"},
                  {"Name", "db"},
                  {"ID", "cd34"},
                  {"Time", "2026-01-01T00:00:01Z"}});
  auto filter = parse_event_filter(json{{"container", json::array({"db"})}});
  auto sub = self->request(bus, 5s, subscribe_atom::value, caf::actor_cast<event_sink_actor>(self),
                           uint32_t{7}, filter, int64_t{0}, int64_t{0}, false);
  // The history comes as requests, one at a time: the next once this one is answered.
  std::string name;
  uint32_t id = 0;
  self->receive([&](record_atom, uint32_t msgid, const json& ev) {
    id = msgid;
    name = ev.value("Name", std::string());
    return true;
  });
  CHECK(id == 7);
  CHECK(name == "db");
  bool answered = false;
  sub.receive([&](bool) { answered = true; }, [](caf::error&) {});
  CHECK(answered);
  self->send_exit(bus, caf::exit_reason::user_shutdown);
}

TEST_CASE("event bus: new events wait for the history and follow it, each once", "[typed]") {
  test::temp_dir dir;
  caf::actor_system_config cfg;
  caf::actor_system sys{small(cfg)};
  auto bus = spawn_event_bus(sys, dir.path());
  caf::scoped_actor self{sys};
  auto ev = [](const std::string& name) {
    return json{{"Type", "container"},
                {"Status", "start"},
                {"Name", name},
                {"ID", name + "00"},
                {"Time", "2026-01-01T00:00:00Z"}};
  };
  for (auto name : {"h1", "h2", "h3"}) self->send(bus, event_atom::value, ev(name));
  self->send(bus, subscribe_atom::value, caf::actor_cast<event_sink_actor>(self), uint32_t{9},
             event_filter{}, int64_t{0}, int64_t{0}, true);
  self->send(bus, event_atom::value, ev("during"));  // the history is not sent yet
  std::vector<std::string> got;
  // The history, then what came meanwhile, each answered before the next is sent.
  for (int i = 0; i < 4; ++i)
    self->receive(
        [&](record_atom, uint32_t, const json& e) {
          got.push_back(e.value("Name", std::string()));
          return true;
        },
        caf::after(5s) >> [] {});
  CHECK(got == std::vector<std::string>{"h1", "h2", "h3", "during"});
  // Then new events, once each: live (or, if the reader has not asked the bus again yet,
  // as one more paced request).
  auto next = [&] {
    std::string name;
    self->receive(
        [&](event_atom, uint32_t msgid, const json& e) {
          CHECK(msgid == 9);
          name = e.value("Name", std::string());
        },
        [&](record_atom, uint32_t, const json& e) {
          name = e.value("Name", std::string());
          return true;
        },
        caf::after(5s) >> [] {});
    return name;
  };
  self->send(bus, event_atom::value, ev("after"));
  CHECK(next() == "after");
  self->send(bus, event_atom::value, ev("later"));
  CHECK(next() == "later");
  self->send_exit(bus, caf::exit_reason::user_shutdown);
}

TEST_CASE("a container summary carries what the supervisor reads and the list entry", "[typed]") {
  container_config c;
  c.id = "a1";
  c.name = "app";
  c.requires_ = {"db", "cache"};
  c.stop_timeout = 3;
  c.source = "/etc/ctrd/app.toml";
  container_status st;
  st.state = container_state::running;
  st.ready = true;
  st.stopped_by_user = true;
  auto r = make_summary(c, st);
  CHECK(r.name == "app");
  CHECK(r.state == "running");
  CHECK(r.requires_ == std::vector<std::string>{"db", "cache"});
  CHECK(r.stop_timeout == 3);
  CHECK(r.source == "/etc/ctrd/app.toml");
  CHECK(r.ready);
  CHECK(r.stopped_by_user);
  CHECK(r.next_restart_ns == 0);
  // The list entry is the protocol's summary map, encoded once.
  CHECK(decode_msgpack(r.packed.data(), r.packed.size()) == summary_view(c, st));
  container_summary empty;
  CHECK(empty.name.empty());
  CHECK(empty.stop_timeout == 10);
}

}  // namespace typed_actors_test
