#include "holder/hw_watchdog.hpp"
#include "holder/seconds_flag.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <linux/watchdog.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace ctrd::holder {

hw_watchdog::~hw_watchdog() {
  if (fd_ >= 0) ::close(fd_);
}

bool hw_watchdog::open(const std::string& path, int timeout_s, std::string& error,
                       std::string& warning) {
  // O_NONBLOCK: a device's write never blocks anyway; a FIFO standing in for one must not
  // stall the holder (and refuses to open without a reader instead of waiting for one).
  int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int err = errno;
    error = "cannot open the watchdog device " + path + ": " + std::strerror(err) + " (errno " +
            std::to_string(err) + ")";
    return false;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  path_ = path;
  timeout_s_ = 0;
  if (timeout_s > 0) {
    int t = timeout_s;
    if (::ioctl(fd_, WDIOC_SETTIMEOUT, &t) == 0) {
      timeout_s_ = t;  // the driver may round it
    } else {
      // The device keeps its own timeout (e.g. the asked one is over its maximum): pet it
      // at half of that one. Only a "device" that answers no watchdog ioctl at all (a
      // FIFO standing in for one) is petted for the asked timeout.
      warning = "the watchdog device " + path + " refused WDIOC_SETTIMEOUT " +
                std::to_string(timeout_s) + " s: " + std::strerror(errno);
      int own = 0;
      if (::ioctl(fd_, WDIOC_GETTIMEOUT, &own) == 0 && own > 0) {
        timeout_s_ = own;
        warning += "; its own timeout of " + std::to_string(own) + " s applies";
      } else {
        timeout_s_ = timeout_s;
        warning += " (it reports no timeout either: petted as if it had " +
                   std::to_string(timeout_s) + " s)";
      }
    }
  } else {
    int t = 0;
    if (::ioctl(fd_, WDIOC_GETTIMEOUT, &t) == 0 && t > 0) timeout_s_ = t;
  }
  pet();
  return true;
}

void hw_watchdog::adopt(const std::string& path, int fd, int timeout_s) {
  if (fd_ >= 0 && fd_ != fd) ::close(fd_);
  fd_ = fd;
  path_ = path;
  timeout_s_ = timeout_s;
  keep_across_exec(false);
}

int hw_watchdog::pet() {
  if (fd_ < 0) return EBADF;
  // One byte that is not the magic 'V' (which would let a close disarm the device).
  for (;;) {
    if (::write(fd_, "\0", 1) == 1) return 0;
    if (errno != EINTR) break;
  }
  int err = errno;
  // A device that takes no writes may still take the ioctl.
  int dummy = 0;
  if (::ioctl(fd_, WDIOC_KEEPALIVE, &dummy) == 0) return 0;
  return err;
}

int hw_watchdog::magic_close() {
  if (fd_ < 0) return 0;
  int err = 0;
  for (;;) {
    if (::write(fd_, "V", 1) == 1) break;
    if (errno == EINTR) continue;
    err = errno;
    break;
  }
  if (::close(fd_) != 0 && err == 0) err = errno;
  fd_ = -1;
  return err;
}

void hw_watchdog::keep_across_exec(bool keep) {
  if (fd_ >= 0) ::fcntl(fd_, F_SETFD, keep ? 0 : FD_CLOEXEC);
}

int alive_period_ms(int timeout_s) {
  return timeout_s > 0 ? timeout_s * 500 : 30'000;
}

int parse_watchdog_timeout(const std::string& text) {
  return parse_whole_seconds(text);
}

}  // namespace ctrd::holder
