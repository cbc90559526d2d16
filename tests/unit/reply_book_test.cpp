// The container actor's reply book (actors/reply_book.hpp) with a recording promise.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/reply_book.hpp"

namespace reply_book_test {

using ctrd::ctr::deferred_kind;

namespace {

/// A promise that records what it was answered with ("r:..." reply, "e:..." error).
struct fake_error {
  std::string text;
};
struct fake_promise {
  std::shared_ptr<std::vector<std::string>> log = std::make_shared<std::vector<std::string>>();
  void deliver(const std::string& r) { log->push_back("r:" + r); }
  void deliver(const fake_error& e) { log->push_back("e:" + e.text); }
  std::size_t answers() const { return log->size(); }
  std::string last() const { return log->empty() ? "" : log->back(); }
};

using book = ctrd::ctr::reply_book<fake_promise>;

}  // namespace

TEST_CASE("reply book: exit waiters are answered once, then forgotten", "[reply_book]") {
  book b;
  fake_promise w1, w2;
  b.wait_exit(w1);
  b.wait_exit(w2);
  CHECK(b.exit_waiter_count() == 2);
  b.answer_exit(std::string("exit 3"));
  CHECK(w1.last() == "r:exit 3");
  CHECK(w2.last() == "r:exit 3");
  b.answer_exit(std::string("again"));
  CHECK(w1.answers() == 1);
  CHECK(b.exit_waiter_count() == 0);
}

TEST_CASE("reply book: deferred replies are settled by kind", "[reply_book]") {
  book b;
  fake_promise stop, restart, remove;
  b.defer(deferred_kind::stop, stop);
  b.defer(deferred_kind::restart, restart);
  b.defer(deferred_kind::remove, remove);
  CHECK(b.deferred_count() == 3);
  b.settle(deferred_kind::stop, std::string("stopped"));
  CHECK(stop.last() == "r:stopped");
  CHECK(restart.answers() == 0);
  CHECK(remove.answers() == 0);
  b.settle(deferred_kind::restart, fake_error{"cannot start"});
  CHECK(restart.last() == "e:cannot start");
  CHECK(b.deferred_count() == 1);
  b.settle(deferred_kind::stop, std::string("twice"));
  CHECK(stop.answers() == 1);
}

TEST_CASE("reply book: conditional waiters are answered when their condition holds",
          "[reply_book]") {
  book b;
  fake_promise healthy, exited;
  b.wait_condition({"healthy"}, healthy);
  b.wait_condition({"stopped", "exited"}, exited);
  CHECK(b.has_condition_waiters());
  std::string now = "running";
  auto holds = [&](const std::vector<std::string>& conds) -> std::optional<std::string> {
    for (const auto& c : conds)
      if (c == now) return "cond " + c;
    return std::nullopt;
  };
  b.answer_conditions(holds);
  CHECK(healthy.answers() == 0);
  CHECK(exited.answers() == 0);
  now = "exited";
  b.answer_conditions(holds);
  CHECK(exited.last() == "r:cond exited");
  CHECK(healthy.answers() == 0);
  CHECK(b.has_condition_waiters());
}

TEST_CASE("reply book: removal fails everything left, exactly once", "[reply_book]") {
  book b;
  fake_promise wait, cond, stop, restart, remove;
  b.wait_exit(wait);
  b.wait_condition({"healthy"}, cond);
  b.defer(deferred_kind::stop, stop);
  b.defer(deferred_kind::restart, restart);
  b.defer(deferred_kind::remove, remove);
  b.settle(deferred_kind::remove, std::string("removed"));
  b.fail_all(fake_error{"gone"});
  CHECK(remove.last() == "r:removed");
  for (auto* p : {&wait, &cond, &stop, &restart}) {
    CHECK(p->answers() == 1);
    CHECK(p->last() == "e:gone");
  }
  CHECK_FALSE(b.has_condition_waiters());
  CHECK(b.deferred_count() == 0);
  CHECK(b.exit_waiter_count() == 0);
  b.fail_all(fake_error{"again"});
  CHECK(wait.answers() == 1);
}

}  // namespace reply_book_test
