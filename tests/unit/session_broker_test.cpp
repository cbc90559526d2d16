// The control session as a typed broker (session_actor, actors/interfaces.hpp): its handle
// is usable where the event bus and the file jobs expect theirs (checked when compiling),
// and a session forked on one end of a socketpair answers hello and version, turns a
// typed output request into an "output" notification answered true, and survives a
// message its interface does not declare (answered unexpected_message).
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>
#include <chrono>
#include <cstring>
#include <string>
#include <type_traits>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/typed_broker.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/interfaces.hpp"
#include "actors/session_impl.hpp"
#include "messages/frame.hpp"
#include "messages/rpc.hpp"

namespace session_broker_test {

using namespace ctrd;
using namespace std::chrono_literals;

static_assert(std::is_convertible<session_actor, event_sink_actor>::value,
              "the event bus's sink handle must accept a session");
static_assert(std::is_convertible<session_actor, file_job_client_actor>::value,
              "a file job's client handle must accept a session");
static_assert(std::is_convertible<session_actor, caf::io::connection_handler>::value,
              "a session handles its connection's events");

namespace {

/// Forks a session on `fd` and tells `parent` its handle, then ends.
caf::behavior fork_session(caf::io::broker* self, int fd, caf::actor parent) {
  auto hdl = self->add_scribe(fd);
  auto s = self->fork(sess::session, hdl, supervisor_actor{}, event_bus_actor{},
                      json{{"daemon", "test"}});
  caf::anon_send(parent, s);
  self->quit();
  return {};
}

/// The client end of the connection: writes requests and reads frames (blocking, with a
/// receive timeout so that a broken session fails the test instead of hanging it).
struct client {
  int fd;
  frame_reader reader;

  void send(const std::string& frame) const {
    REQUIRE(::write(fd, frame.data(), frame.size()) == static_cast<ssize_t>(frame.size()));
  }

  rpc_message next() {
    std::string body;
    char buf[4096];
    while (!reader.next(body)) {
      auto n = ::read(fd, buf, sizeof buf);
      REQUIRE(n > 0);
      reader.feed(buf, static_cast<std::size_t>(n));
    }
    return decode_rpc(body);
  }
};

}  // namespace

TEST_CASE("a typed session broker serves its client and drops undeclared messages",
          "[typed][session]") {
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
  timeval tv{10, 0};
  ::setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  cfg.set("scheduler.max-threads", 2);
  cfg.set("logger.console", caf::atom("none"));
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  sys.middleman().spawn_broker(fork_session, sv[0], caf::actor{self});
  session_actor session;
  self->receive([&](const session_actor& s) { session = s; });
  REQUIRE(session);
  client c{sv[1], frame_reader{}};

  c.send(encode_request(1, "hello", json{{"version", protocol_version}}));
  auto hello = c.next();
  REQUIRE(hello.kind == rpc_kind::response);
  CHECK(hello.error.is_null());
  CHECK(hello.result.value("daemon", "") == "ctrd");

  // Output for request 7 (as a container sends it): a notification, answered true.
  bool taken = false;
  self->request(session, 5s, output_atom::value, uint32_t{7}, 2, std::string("hi"))
      .receive([&](bool b) { taken = b; }, [](caf::error&) {});
  CHECK(taken);
  auto out = c.next();
  REQUIRE(out.kind == rpc_kind::notification);
  CHECK(out.method == "output");
  CHECK(out.params.value("msgid", 0u) == 7u);
  CHECK(out.params.value("stream", "") == "stderr");

  // A message the interface does not declare: refused, and the session lives on.
  std::string refused;
  self->request(caf::actor_cast<caf::actor>(session), 5s, 42)
      .receive([](int) {}, [&](caf::error& e) { refused = caf::to_string(e); });
  CHECK(refused.find("unexpected_message") != std::string::npos);
  c.send(encode_request(2, "version", json::object()));
  auto version = c.next();
  REQUIRE(version.kind == rpc_kind::response);
  CHECK(version.msgid == 2u);
  CHECK(version.result.value("daemon", "") == "test");

  // The client goes away: the session ends.
  self->monitor(session);
  ::close(sv[1]);
  bool down = false;
  self->receive([&](caf::down_msg&) { down = true; },
                caf::after(std::chrono::seconds(10)) >> [] {});
  CHECK(down);
}

}  // namespace session_broker_test
