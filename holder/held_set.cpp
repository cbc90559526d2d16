#include "holder/held_set.hpp"

#include <algorithm>
#include <sstream>

#include <unistd.h>

namespace ctrd::holder {

held_set::~held_set() {
  for (auto& h : fds_) ::close(h.fd);
}

void held_set::hold(std::string id, std::string role, int fd) {
  for (auto& h : fds_) {
    if (h.id == id && h.role == role) {
      if (h.fd != fd) ::close(h.fd);
      h.fd = fd;
      return;
    }
  }
  fds_.push_back({std::move(id), std::move(role), fd});
}

std::size_t held_set::release(const std::string& id, const std::string& role) {
  auto it = std::stable_partition(fds_.begin(), fds_.end(), [&](const held_fd& h) {
    return h.id != id || (!role.empty() && h.role != role);
  });
  auto n = static_cast<std::size_t>(fds_.end() - it);
  for (auto i = it; i != fds_.end(); ++i) ::close(i->fd);
  fds_.erase(it, fds_.end());
  return n;
}

bool held_set::add_exit(const exit_record& e) {
  // A pid reaped again is a new process: only the newest status of a pid is kept.
  forget(e.pid);
  bool kept_all = exits_.size() < max_exits;
  if (!kept_all) exits_.pop_front();
  exits_.push_back(e);
  return kept_all;
}

void held_set::forget(int64_t pid) {
  exits_.erase(std::remove_if(exits_.begin(), exits_.end(),
                              [&](const exit_record& e) { return e.pid == pid; }),
               exits_.end());
}

// Lines: "fd <number> <id-or-.> <role>" and "exit <pid> <code_kind> <status>". Ids and roles
// never contain spaces (container ids are hex, roles are fixed words).
std::string held_set::serialize() const {
  std::ostringstream out;
  for (const auto& h : fds_)
    out << "fd " << h.fd << ' ' << (h.id.empty() ? "." : h.id) << ' ' << h.role << '\n';
  for (const auto& e : exits_)
    out << "exit " << e.pid << ' ' << e.code_kind << ' ' << e.status << '\n';
  return out.str();
}

bool held_set::restore(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string what;
    fields >> what;
    if (what == "fd") {
      held_fd h;
      if (!(fields >> h.fd >> h.id >> h.role) || h.fd < 0) return false;
      if (h.id == ".") h.id.clear();
      fds_.push_back(std::move(h));
    } else if (what == "exit") {
      exit_record e;
      if (!(fields >> e.pid >> e.code_kind >> e.status)) return false;
      exits_.push_back(e);
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace ctrd::holder
