// See container_handover.hpp.
#include "actors/container_handover.hpp"

#include <unistd.h>
#include <map>
#include <mutex>

namespace ctrd {
namespace {

std::mutex& mtx() {
  static std::mutex m;
  return m;
}

std::map<std::string, handed_pipes>& table() {
  static std::map<std::string, handed_pipes> t;
  return t;
}

void close_all(handed_pipes& p) {
  for (int* fd : {&p.out_fd, &p.err_fd, &p.in_fd}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

}  // namespace

void hand_over_pipes(const std::string& id, handed_pipes p) {
  std::lock_guard<std::mutex> g{mtx()};
  auto& slot = table()[id];
  close_all(slot);  // an older handover that was never taken
  slot = p;
}

handed_pipes take_over_pipes(const std::string& id) {
  std::lock_guard<std::mutex> g{mtx()};
  auto it = table().find(id);
  if (it == table().end()) return {};
  auto p = it->second;
  table().erase(it);
  return p;
}

void drop_handed_pipes(const std::string& id) {
  auto p = take_over_pipes(id);
  close_all(p);
}

}  // namespace ctrd
