#include "actors/guard.hpp"

#include <spdlog/spdlog.h>
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
  auto err = make_caf_error(code, code == ec::internal ? "internal error: " + what : what);
  auto rp = self->make_response_promise();
  if (rp.pending()) rp.deliver(err);
  return err;
}

void install_exception_handler(caf::scheduled_actor* self) {
  self->set_exception_handler([](caf::scheduled_actor* a, std::exception_ptr& e) -> caf::error {
    spdlog::critical("{}: an exception escaped a handler, the actor ends: {}", a->name(),
                     describe_exception(e));
    return make_caf_error(ec::internal, "internal error: " + describe_exception(e));
  });
}

}  // namespace ctrd
