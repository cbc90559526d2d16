#include "runtime/unix_address.hpp"

#include <cstring>

namespace ctrd {

bool unix_address(const std::string& path, sockaddr_un& addr) {
  addr = sockaddr_un{};
  if (path.empty() || path.size() > unix_path_max) return false;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return true;
}

}  // namespace ctrd
