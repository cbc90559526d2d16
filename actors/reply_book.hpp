// The container actor's reply book: every request whose answer waits for something later
// (`wait`, `wait --condition`, a stop/restart/remove answered once the container exited or
// is gone). The book answers them when that happens and fails whatever is left at removal
// (fail_all), so that no list is reached into from outside.
//
// CAF-free: `Promise` is anything with deliver(reply) and deliver(error) (caf's typed
// response promise in the actor, a recording fake in tests/unit/reply_book_test.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace ctrd::ctr {

/// What a deferred request waits for.
enum class deferred_kind { stop, restart, remove };

template <class Promise>
class reply_book {
 public:
  using conditions = std::vector<std::string>;

  /// `wait` without conditions: answered by answer_exit().
  void wait_exit(Promise p) { exit_waiters_.push_back(std::move(p)); }

  /// `wait --condition`: answered by answer_conditions() once one of `conds` holds.
  void wait_condition(conditions conds, Promise p) {
    cond_waiters_.emplace_back(std::move(conds), std::move(p));
  }

  /// A stop/restart/remove answered once its outcome is known.
  void defer(deferred_kind kind, Promise p) { deferred_.push_back({kind, std::move(p)}); }

  /// Answers every `wait` (without conditions) with `reply`.
  template <class Reply>
  void answer_exit(const Reply& reply) {
    for (auto& w : exit_waiters_) w.deliver(reply);
    exit_waiters_.clear();
  }

  /// Answers the conditional waiters whose condition holds: `holds(conds)` returns an
  /// optional-like reply (empty: keep waiting).
  template <class Holds>
  void answer_conditions(Holds&& holds) {
    for (auto it = cond_waiters_.begin(); it != cond_waiters_.end();) {
      auto r = holds(it->first);
      if (!r) {
        ++it;
        continue;
      }
      it->second.deliver(*r);
      it = cond_waiters_.erase(it);
    }
  }

  /// Answers the deferred requests of `kind` with `reply` (a json or an error).
  template <class Reply>
  void settle(deferred_kind kind, const Reply& reply) {
    for (auto it = deferred_.begin(); it != deferred_.end();) {
      if (it->kind == kind) {
        it->rp.deliver(reply);
        it = deferred_.erase(it);
      } else {
        ++it;
      }
    }
  }

  /// Removal: every request still in the book gets `err`.
  template <class Error>
  void fail_all(const Error& err) {
    for (auto& w : exit_waiters_) w.deliver(err);
    exit_waiters_.clear();
    for (auto& [conds, w] : cond_waiters_) w.deliver(err);
    cond_waiters_.clear();
    for (auto& d : deferred_) d.rp.deliver(err);
    deferred_.clear();
  }

  bool has_condition_waiters() const { return !cond_waiters_.empty(); }
  /// Deferred requests in the book (a handler checks whether its step deferred the reply).
  std::size_t deferred_count() const { return deferred_.size(); }
  std::size_t exit_waiter_count() const { return exit_waiters_.size(); }

 private:
  struct deferred_reply {
    deferred_kind kind;
    Promise rp;
  };
  std::vector<Promise> exit_waiters_;
  std::vector<std::pair<conditions, Promise>> cond_waiters_;
  std::vector<deferred_reply> deferred_;
};

}  // namespace ctrd::ctr
