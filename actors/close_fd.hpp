// Closing a descriptor that an actor's state owns.
#pragma once

#include <unistd.h>

namespace ctrd {

/// Closes FD if it is open and marks it closed (-1).
inline void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace ctrd
