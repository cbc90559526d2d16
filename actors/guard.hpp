// Exception containment for actor handlers. In CAF 0.17 an exception that leaves a handler
// ends the actor whatever its exception handler returns (checked), so no exception may
// leave one: every behavior of ctrd is built with guarded_behavior(), and callbacks of
// requests (`.then`) are wrapped with guard(). A caught exception is logged with the
// actor's name and becomes an ec::internal error reply to the request being handled (if
// any); the actor lives on. install_exception_handler() is the last line of defence for
// what is not wrapped: it logs through spdlog instead of CAF's stderr print.
#pragma once

#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include <caf/behavior.hpp>
#include <caf/detail/type_traits.hpp>
#include <caf/error.hpp>
#include <caf/local_actor.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/message_handler.hpp>
#include <caf/message_id.hpp>
#include <caf/result.hpp>
#include <caf/scheduled_actor.hpp>

namespace ctrd {

/// The text of a caught exception ("unknown exception" for non-std ones).
std::string describe_exception(const std::exception_ptr& e);

/// Logs an exception that escaped a handler of `self`; returns the error that answers it
/// (ec::internal, or the code of a ctrd::error).
caf::error contain_exception(caf::local_actor* self, const std::exception_ptr& e);

/// The request a handler was called for (sender and id, taken before the handler ran: a
/// promise made by the handler marks the message answered and takes the sender).
struct request_ref {
  caf::strong_actor_ptr sender;
  caf::message_id mid;
};

/// What `self` is handling now.
request_ref current_request(caf::local_actor* self);

/// Answers `req` with `err` if it is a request (async messages get nothing back: an async
/// error message would end its receiver).
void answer_failed(caf::local_actor* self, const request_ref& req, const caf::error& err);

/// Logs exceptions that still escape a handler of `self` (the actor then ends, as in CAF),
/// and makes async error messages a logged event instead of the end of the actor.
void install_exception_handler(caf::scheduled_actor* self);

namespace detail {

template <class R>
struct is_caf_result : std::false_type {};
template <class... Ts>
struct is_caf_result<caf::result<Ts...>> : std::true_type {};

/// What a handler returns after an exception was contained: a result carries the error,
/// anything else is default-constructed (the request was already answered with it).
template <class R>
R after_exception(caf::error err) {
  if constexpr (std::is_void_v<R>) {
    (void)err;
  } else if constexpr (is_caf_result<R>::value) {
    return R{std::move(err)};
  } else {
    return R{};
  }
}

template <class F, class OnError, class Sig>
struct guarded_fn;

/// A callable with the exact signature of F (so that CAF matches it like F) that runs F and
/// hands any exception to `on_error`; with `self`, a request being handled is answered
/// with the error even if F had made a promise for it.
template <class F, class OnError, class R, class... Ts>
struct guarded_fn<F, OnError, R(Ts...)> {
  F fn;
  OnError on_error;
  caf::local_actor* self = nullptr;
  R operator()(Ts... xs) {
    request_ref req;
    if (self != nullptr) req = current_request(self);
    try {
      return fn(std::forward<Ts>(xs)...);
    } catch (...) {
      auto err = on_error(std::current_exception());
      if (self != nullptr) answer_failed(self, req, err);
      return after_exception<R>(std::move(err));
    }
  }
};

}  // namespace detail

/// Wraps a handler or response callback: an exception calls `on_error(exception_ptr)`,
/// which returns the caf::error a result-returning handler then returns.
template <class F, class OnError>
auto guard_with(F fn, OnError on_error, caf::local_actor* self = nullptr) {
  using sig = typename caf::detail::get_callable_trait<F>::fun_sig;
  return detail::guarded_fn<F, OnError, sig>{std::move(fn), std::move(on_error), self};
}

/// Wraps a handler of `self`: exceptions are contained (logged, request answered).
template <class F>
auto guard(caf::local_actor* self, F fn) {
  return guard_with(
      std::move(fn), [self](const std::exception_ptr& e) { return contain_exception(self, e); },
      self);
}

/// A behavior whose every handler is guarded; also installs the exception handler.
template <class Self, class... Fs>
caf::behavior guarded_behavior(Self* self, Fs... fns) {
  install_exception_handler(self);
  return caf::behavior{guard(self, std::move(fns))...};
}

/// The same for a typed actor: a `Handle::behavior_type` (every handler must match the
/// interface `Handle` exactly; the guard keeps each handler's signature).
template <class Handle, class Self, class... Fs>
typename Handle::behavior_type guarded_typed_behavior(Self* self, Fs... fns) {
  install_exception_handler(self);
  return typename Handle::behavior_type{guard(self, std::move(fns))...};
}

/// A message handler whose every handler is guarded (to combine with or_else).
template <class... Fs>
caf::message_handler guarded_handlers(caf::local_actor* self, Fs... fns) {
  return caf::message_handler{guard(self, std::move(fns))...};
}

}  // namespace ctrd
