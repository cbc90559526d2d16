#include "runtime/holder_client.hpp"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "messages/error.hpp"
#include "runtime/proc.hpp"

namespace ctrd {

std::unique_ptr<holder_client> holder_client::from_environment() {
  const char* var = std::getenv(holder::link_env);
  if (var == nullptr) return nullptr;
  std::string text = var;
  ::unsetenv(holder::link_env);
  char* end = nullptr;
  long fd = std::strtol(text.c_str(), &end, 10);
  int type = 0;
  socklen_t len = sizeof type;
  if (end == text.c_str() || *end != '\0' || fd < 0 || fd > 65535 ||
      ::getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
      type != SOCK_SEQPACKET)
    throw error(ec::invalid_argument, std::string(holder::link_env) + "=" + text +
                                          " is not the holder's link (start ctrd, not "
                                          "ctrd-daemon, or unset the variable)");
  ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
  return std::make_unique<holder_client>(static_cast<int>(fd));
}

holder_client::holder_client(int fd) : fd_(fd) {}

holder_client::~holder_client() {
  for (auto& m : queue_)
    if (m.fd >= 0) ::close(m.fd);
  ::close(fd_);
}

holder_handover holder_client::take_over(int timeout_ms) {
  holder::message hello;
  hello.type = holder::kind::hello;
  hello.pid = ::getpid();
  if (int err = holder::send_message(fd_, hello); err != 0)
    throw error(ec::internal, std::string("the holder's link: ") + std::strerror(err));
  holder_handover h;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    int n = ::poll(&p, 1, timeout_ms);
    if (n == 0) throw error(ec::internal, "the holder did not hand over within its time");
    if (n < 0) {
      if (errno == EINTR) continue;
      throw error(ec::internal, std::string("the holder's link: ") + std::strerror(errno));
    }
    holder::message m;
    int r = holder::receive_message(fd_, m, MSG_DONTWAIT);
    if (r == -EAGAIN || r == -EBADMSG) continue;
    if (r <= 0) throw error(ec::internal, "the holder closed its link during the hand-over");
    if (m.type == holder::kind::held) {
      h.fds.push_back({m.id, m.role, m.fd});
    } else if (m.type == holder::kind::exit) {
      h.exits.push_back({m.pid, proc::exit_code(m.code_kind, m.status)});
    } else if (m.type == holder::kind::end) {
      h.holder_pid = m.pid;
      holder_pid_ = static_cast<pid_t>(m.pid);
      h.daemon_starts = m.status;
      daemon_starts_ = m.status;
      h.alive_period_ms = m.code_kind > 0 ? m.code_kind : 0;
      break;
    } else if (m.fd >= 0) {
      ::close(m.fd);
    }
  }
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  return h;
}

void holder_client::hold(const std::string& id, const std::string& role, int fd) {
  if (fd < 0) return;
  holder::message m;
  m.type = holder::kind::hold;
  m.id = id;
  m.role = role;
  m.fd = fd;
  std::lock_guard<std::mutex> lock(mtx_);
  if (flush_locked() && holder::send_message(fd_, m, MSG_DONTWAIT) == 0) return;
  m.fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);  // the caller may close its own meanwhile
  if (m.fd >= 0) queue_.push_back(std::move(m));
}

void holder_client::release(const std::string& id, const std::string& role) {
  holder::message m;
  m.type = holder::kind::release;
  m.id = id;
  m.role = role;
  enqueue(std::move(m));
}

void holder_client::forget(int64_t pid) {
  holder::message m;
  m.type = holder::kind::forget;
  m.pid = pid;
  enqueue(std::move(m));
}

void holder_client::ready() {
  holder::message m;
  m.type = holder::kind::ready;
  enqueue(std::move(m));
}

void holder_client::reexec() {
  holder::message m;
  m.type = holder::kind::reexec;
  enqueue(std::move(m));
}

void holder_client::notify(const std::string& text) {
  holder::message m;
  m.type = holder::kind::notify;
  m.id = text;
  enqueue(std::move(m));
}

void holder_client::alive() {
  holder::message m;
  m.type = holder::kind::alive;
  enqueue(std::move(m));
}

void holder_client::enqueue(holder::message m) {
  std::lock_guard<std::mutex> lock(mtx_);
  if (flush_locked() && holder::send_message(fd_, m, MSG_DONTWAIT) == 0) return;
  queue_.push_back(std::move(m));
}

bool holder_client::flush() {
  std::lock_guard<std::mutex> lock(mtx_);
  return flush_locked();
}

bool holder_client::flush_all(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!flush()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLOUT, 0};
    ::poll(&p, 1, static_cast<int>(left.count()));
  }
  return true;
}

// EAGAIN keeps the rest queued; a gone holder (EPIPE, ...) drops it: nothing to hold for.
bool holder_client::flush_locked() {
  while (!queue_.empty()) {
    int err = holder::send_message(fd_, queue_.front(), MSG_DONTWAIT);
    if (err == EAGAIN) return false;
    if (queue_.front().fd >= 0) ::close(queue_.front().fd);
    queue_.pop_front();
  }
  return true;
}

bool holder_client::next(reaped_process& out, bool& closed) {
  closed = false;
  for (;;) {
    holder::message m;
    int r = holder::receive_message(fd_, m, MSG_DONTWAIT);
    if (r == -EAGAIN) return false;
    if (r == -EBADMSG || r == -EINTR) continue;
    if (r <= 0) {
      closed = true;
      return false;
    }
    if (m.fd >= 0) ::close(m.fd);
    if (m.type != holder::kind::exit) continue;
    out = {m.pid, proc::exit_code(m.code_kind, m.status)};
    return true;
  }
}

}  // namespace ctrd
