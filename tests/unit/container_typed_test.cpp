// The container actor through its typed interface (container_actor, actors/interfaces.hpp):
// the requests its supervisor makes, the typed summary it reports, the root grant a file
// job gets, and the host seam's typed handles (host_client_actor). Deterministic: CAF's
// test coordinator and a fake host (tests/support/container_harness.hpp).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <string>

#include "messages/value_codec.hpp"
#include "tests/support/container_harness.hpp"

namespace container_typed_test {

using namespace ctrd;
using ctrd::test::harness;

namespace {

json definition() {
  return json{{"name", "typed"}, {"command", {"/bin/true"}}, {"restart", "no"}};
}

/// The summary the container answers to sync_atom.
container_summary synced(harness& h) {
  container_summary out;
  h.ds.self()->send(h.ctr, sync_atom::value);
  h.ds.run();
  h.ds.self()->receive([&](container_summary& s) { out = std::move(s); },
                       caf::after(std::chrono::seconds(0)) >> [] {});
  return out;
}

/// The answer to a replace_config (false: no answer).
bool replaced(harness& h, const container_config& cfg) {
  bool changed = false;
  h.ds.self()->send(h.ctr, replace_config_atom::value, cfg);
  h.ds.run();
  h.ds.self()->receive([&](bool b) { changed = b; }, caf::after(std::chrono::seconds(0)) >> [] {});
  return changed;
}

}  // namespace

TEST_CASE("the supervisor's requests through the typed handle: init, sync, replace_config",
          "[container][typed][deterministic]") {
  harness h(definition());
  auto s = synced(h);
  CHECK(s.name == "typed");
  CHECK(s.state == "created");
  CHECK(s.stop_timeout == 10);
  // The same definition changes nothing; a new stop timeout is applied at once (no process).
  CHECK_FALSE(replaced(h, config_from_json(definition())));
  auto next = definition();
  next["stop_timeout"] = uint64_t{3};
  CHECK(replaced(h, config_from_json(next)));
  CHECK(synced(h).stop_timeout == 3);
  CHECK(h.ask(init_atom::value).find("\"id\"") != std::string::npos);
  // The summary it reported names the state as inspect does. (No sync here: the fake
  // host's pids are not real processes, so a sync would find the process gone.)
  CHECK(h.reports->summaries.back().state == h.status());
}

TEST_CASE("the container reports typed summaries to its supervisor",
          "[container][typed][deterministic]") {
  harness h(definition());
  REQUIRE_FALSE(h.reports->summaries.empty());  // the create
  CHECK(h.reports->summaries.back().state == "created");
  CHECK(h.ask(start_atom::value, false, caf::actor{}, uint32_t{0}).find("error") ==
        std::string::npos);
  CHECK(h.reports->summaries.back().state == "running");
  h.child_exits(0);
  const auto& last = h.reports->summaries.back();
  CHECK(last.state == "exited");
  // The list entry travels pre-encoded: the protocol's summary map.
  auto entry = decode_msgpack(last.packed.data(), last.packed.size());
  CHECK(entry.value("state", "") == "exited");
  CHECK(entry.value("name", "") == "typed");
  CHECK(entry.value("exit_code", -1) == 0);
}

TEST_CASE("the host seam holds the container as a typed host client",
          "[container][typed][deterministic]") {
  harness h(definition());
  h.ask(start_atom::value, false, caf::actor{}, uint32_t{0});
  REQUIRE(h.host.children.size() == 1);
  const auto& c = h.host.children.back();
  CHECK(c.owner.address() == h.ctr.address());
  h.child_exits(7);  // sent through that handle
  CHECK(h.status() == "exited");
  CHECK(h.reports->summaries.back().state == "exited");
}

TEST_CASE("a root grant through the typed handle, released through its owner handle",
          "[container][typed][deterministic]") {
  harness h(definition());
  root_grant g;
  h.ds.self()->send(h.ctr, grant_atom::value, false);
  h.ds.run();
  h.ds.self()->receive([&](root_grant& r) { g = std::move(r); },
                       caf::after(std::chrono::seconds(0)) >> [] {});
  REQUIRE(g.fd >= 0);
  ::close(g.fd);
  CHECK(g.id == std::string(64, 'a'));
  CHECK(g.host == &h.host);
  REQUIRE(g.owner);
  CHECK(g.owner.address() == h.ctr.address());
  caf::anon_send(g.owner, release_atom::value);
  h.ds.run();
  CHECK(h.status() == "created");
}

}  // namespace container_typed_test
