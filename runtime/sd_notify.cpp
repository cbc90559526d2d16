#include "runtime/sd_notify.hpp"

#include <unistd.h>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace ctrd::sd {

notifier::~notifier() {
  if (fd_ >= 0) ::close(fd_);
}

void notifier::from_environment(std::string& problem, bool keep) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* wpid = std::getenv("WATCHDOG_PID");
  std::string p = path ? path : "";
  if (usec != nullptr) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(usec, &end, 10);
    bool for_us = wpid == nullptr || std::strtol(wpid, nullptr, 10) == ::getpid();
    if (errno == 0 && end != usec && *end == '\0' && for_us)
      watchdog_ = std::chrono::microseconds(v);
    else if (for_us)
      problem =
          "ignoring WATCHDOG_USEC=\"" + std::string(usec) + "\": not a number of microseconds";
  }
  if (!keep) {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
  }
  if (p.empty()) return;
  if ((p[0] != '/' && p[0] != '@') || p.size() >= sizeof addr_.sun_path) {
    problem = "ignoring NOTIFY_SOCKET=\"" + p + "\": not an absolute path or @abstract name";
    return;
  }
  addr_.sun_family = AF_UNIX;
  std::memcpy(addr_.sun_path, p.data(), p.size());
  if (p[0] == '@') addr_.sun_path[0] = '\0';  // abstract: no terminating NUL counted
  addr_len_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + p.size() + (p[0] == '/'));
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0)
    problem = "cannot create a socket for NOTIFY_SOCKET: " + std::string(std::strerror(errno));
}

bool notifier::send(const std::string& state) const {
  if (fd_ < 0) return true;
  if (relay_) return relay_(state);
  for (;;) {
    auto n = ::sendto(fd_, state.data(), state.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                      reinterpret_cast<const sockaddr*>(&addr_), addr_len_);
    if (n >= 0) return true;
    if (errno != EINTR) return false;
  }
}

}  // namespace ctrd::sd
