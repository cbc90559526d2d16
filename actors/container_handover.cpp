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

namespace {

struct exit_table {
  std::mutex mtx;
  std::map<int64_t, int> codes;
  std::function<void(int64_t)> forget;
};

exit_table& exits() {
  static exit_table t;
  return t;
}

/// Unclaimed codes kept at most (the holder bounds its own table the same way).
constexpr std::size_t max_exit_codes = 4096;

}  // namespace

void hand_over_exit(int64_t pid, int exit_code) {
  auto& t = exits();
  std::lock_guard<std::mutex> g{t.mtx};
  if (t.codes.size() >= max_exit_codes && t.codes.count(pid) == 0) t.codes.erase(t.codes.begin());
  t.codes[pid] = exit_code;
}

void on_exit_taken(std::function<void(int64_t)> forget) {
  auto& t = exits();
  std::lock_guard<std::mutex> g{t.mtx};
  t.forget = std::move(forget);
}

bool exit_known(int64_t pid) {
  auto& t = exits();
  std::lock_guard<std::mutex> g{t.mtx};
  return t.codes.count(pid) != 0;
}

bool take_over_exit(int64_t pid, int& exit_code) {
  std::function<void(int64_t)> forget;
  {
    auto& t = exits();
    std::lock_guard<std::mutex> g{t.mtx};
    auto it = t.codes.find(pid);
    if (it == t.codes.end()) return false;
    exit_code = it->second;
    t.codes.erase(it);
    forget = t.forget;
  }
  if (forget) forget(pid);
  return true;
}

}  // namespace ctrd
