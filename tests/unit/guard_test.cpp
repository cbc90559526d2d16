// actors/guard.hpp: no exception ends an actor. A request whose handler throws is answered
// with an error (also when the handler had made a promise first); an async message whose
// handler throws, or an async error message, is logged and the actor lives on.
#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/caf_error.hpp"
#include "actors/guard.hpp"

namespace guard_test {

namespace {

using namespace std::chrono_literals;

// (`int`: CAF 0.17 trips UBSan when a function without arguments is spawned.)
caf::behavior thrower(caf::event_based_actor* self, int) {
  return ctrd::guarded_behavior(
      self,
      [=](int x) -> int {
        if (x == 1) throw std::runtime_error("boom");
        if (x == 2) throw ctrd::error(ctrd::ec::invalid_argument, "bad x");
        return x + 1;
      },
      [=](const std::string& s) -> caf::result<int> {
        auto rp = self->make_response_promise<int>();  // the handler promises, then throws
        if (s == "throw") throw std::runtime_error("after the promise");
        rp.deliver(static_cast<int>(s.size()));
        return rp;
      },
      [=](double) { throw std::runtime_error("async"); });
}

}  // namespace

TEST_CASE("guarded handlers answer with an error and the actor lives on", "[guard]") {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  auto a = sys.spawn(thrower, 0);
  caf::scoped_actor self{sys};
  auto ask = [&](auto x) {
    std::pair<ctrd::ec, std::string> out{ctrd::ec::none, ""};
    self->request(a, 5s, x).receive([&](int v) { out.second = std::to_string(v); },
                                    [&](caf::error& e) { out = ctrd::from_caf_error(e); });
    return out;
  };
  auto r = ask(1);
  CHECK(r.first == ctrd::ec::internal);
  CHECK(r.second.find("boom") != std::string::npos);
  r = ask(2);
  CHECK(r.first == ctrd::ec::invalid_argument);
  CHECK(r.second == "bad x");
  r = ask(std::string("throw"));
  CHECK(r.first == ctrd::ec::internal);
  CHECK(r.second.find("after the promise") != std::string::npos);
  self->send(a, 1.5);                                            // async: nothing comes back
  self->send(a, ctrd::make_caf_error(ctrd::ec::internal, "x"));  // an async error message
  CHECK(ask(41).second == "42");                                 // still alive
  CHECK(ask(std::string("four")).second == "4");
  self->send_exit(a, caf::exit_reason::user_shutdown);
}

}  // namespace guard_test
