#include "actors/guard.hpp"

#include <spdlog/spdlog.h>
#include <caf/mailbox_element.hpp>
#include <caf/response_promise.hpp>

#include "actors/caf_error.hpp"
#include "messages/error.hpp"

namespace ctrd {

std::string describe_exception(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown exception";
  }
}

caf::error contain_exception(caf::local_actor* self, const std::exception_ptr& e) {
  auto what = describe_exception(e);
  auto code = ec::internal;
  try {
    std::rethrow_exception(e);
  } catch (const error& x) {
    code = x.code();  // a ctrd::error says what it is (e.g. invalid_argument)
  } catch (...) {
  }
  if (code == ec::internal)
    spdlog::error("{}: a handler failed: {} (request answered with an internal error)",
                  self->name(), what);
  else
    spdlog::debug("{}: request refused: {}", self->name(), what);
  return make_caf_error(code, code == ec::internal ? "internal error: " + what : what);
}

request_ref current_request(caf::local_actor* self) {
  auto* e = self->current_mailbox_element();
  if (e == nullptr) return {};
  return {e->sender, e->mid};
}

void answer_failed(caf::local_actor* self, const request_ref& req, const caf::error& err) {
  if (!req.mid.is_request() || !req.sender) return;
  auto* e = self->current_mailbox_element();
  // A promise made by the handler takes the element's sender (CAF 0.17 leaves its id as
  // it was): only an untouched element can still make a promise of its own.
  if (e != nullptr && e->mid == req.mid && e->sender && !e->mid.is_answered()) {
    auto rp = self->make_response_promise();
    if (rp.pending()) rp.deliver(err);
    return;
  }
  // The handler made a promise and failed before keeping it: answer in its place, or the
  // requester would wait forever.
  req.sender->enqueue(caf::make_mailbox_element(self->ctrl(), req.mid.response_id(), {}, err),
                      self->context());
}

void install_exception_handler(caf::scheduled_actor* self) {
  // CAF 0.17 ends an actor that receives an async error message (an error answer to a
  // message that was not a request): log it instead.
  self->set_error_handler([self](caf::error& e) {
    spdlog::debug("{}: ignored an error message: {}", self->name(), caf::to_string(e));
  });
  self->set_exception_handler([](caf::scheduled_actor* a, std::exception_ptr& e) -> caf::error {
    spdlog::critical("{}: an exception escaped a handler, the actor ends: {}", a->name(),
                     describe_exception(e));
    return make_caf_error(ec::internal, "internal error: " + describe_exception(e));
  });
}

}  // namespace ctrd
