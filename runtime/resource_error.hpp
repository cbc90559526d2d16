// Transient resource shortages on ctrd's side (descriptors, memory, processes): an error
// that says "not now" rather than "never". Thrown where a system call fails with one of
// those errno values, so that the container actor can retry the step (a spawn, a health
// check, a cleanup) instead of making the failure final (docs/reliability.md, "Transient
// resource failures"). CAF-free.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>

#include "messages/error.hpp"

namespace ctrd {

/// True for errno values that a later retry may not see: out of descriptors (EMFILE,
/// ENFILE), memory (ENOMEM, ENOBUFS) or processes/threads (EAGAIN from fork/clone).
inline bool is_resource_errno(int e) {
  return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS || e == EAGAIN;
}

/// An ec::internal error caused by a transient shortage (is_resource_errno).
class resource_error : public error {
 public:
  resource_error(const std::string& message, int sys_errno)
      : error(ec::internal, message), errno_(sys_errno) {}
  int sys_errno() const noexcept { return errno_; }

 private:
  int errno_;
};

/// Throws "<what>: <strerror(e)>" as a resource_error when `e` is a resource errno, else
/// as error(code).
[[noreturn]] inline void throw_errno(ec code, const std::string& what, int e) {
  std::string msg = what + ": " + std::strerror(e);
  if (is_resource_errno(e)) throw resource_error(msg, e);
  throw error(code, msg);
}

/// True if `e` is a resource_error (a transient shortage).
inline bool is_transient(const std::exception& e) {
  return dynamic_cast<const resource_error*>(&e) != nullptr;
}

}  // namespace ctrd
