#include "runtime/log_target.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace ctrd {

std::string redirect_own_log(const std::string& target) {
  if (target.empty() || target == "stderr") return {};
  if (target != "kmsg") return "unknown log target \"" + target + "\": stderr or kmsg";
  int fd = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return std::string("cannot open /dev/kmsg for ctrd's log: ") + std::strerror(errno);
  if (fd != 2 && ::dup2(fd, 2) < 0) {
    int err = errno;
    ::close(fd);
    return std::string("cannot redirect ctrd's log to /dev/kmsg: ") + std::strerror(err);
  }
  if (fd != 2) ::close(fd);
  return {};
}

}  // namespace ctrd
