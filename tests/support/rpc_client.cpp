#include "tests/support/rpc_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>

#include "messages/frame.hpp"
#include "tests/support/daemon.hpp"

namespace ctrd::test {

rpc_client::rpc_client(const std::string& socket) : fd_(connect_unix(socket)) {}

rpc_client::~rpc_client() {
  close();
}

void rpc_client::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool rpc_client::send_raw(const std::string& bytes) {
  std::size_t off = 0;
  while (fd_ >= 0 && off < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return fd_ >= 0;
}

bool rpc_client::request(uint32_t msgid, const std::string& method, const json& params) {
  return send_raw(encode_request(msgid, method, params));
}

bool rpc_client::notify(const std::string& method, const json& params) {
  return send_raw(encode_notification(method, params));
}

namespace {

bool read_exact(int fd, char* p, std::size_t n, std::chrono::steady_clock::time_point until) {
  while (n > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, static_cast<int>(left.count())) <= 0) continue;
    auto r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

}  // namespace

std::optional<rpc_message> rpc_client::next(std::chrono::milliseconds timeout) {
  if (fd_ < 0) return std::nullopt;
  auto until = std::chrono::steady_clock::now() + timeout;
  unsigned char h[4];
  if (!read_exact(fd_, reinterpret_cast<char*>(h), 4, until)) return std::nullopt;
  std::size_t n =
      (std::size_t{h[0]} << 24) | (std::size_t{h[1]} << 16) | (std::size_t{h[2]} << 8) | h[3];
  if (n > max_frame_size) return std::nullopt;
  std::string body(n, '\0');
  if (!read_exact(fd_, body.data(), n, until)) return std::nullopt;
  try {
    return decode_rpc(body);
  } catch (const error&) {
    return std::nullopt;
  }
}

std::optional<rpc_message> rpc_client::response(uint32_t msgid, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto m = next(left);
    if (!m) return std::nullopt;
    if (m->kind == rpc_kind::response && m->msgid == msgid) return m;
  }
}

std::optional<rpc_message> rpc_client::call(uint32_t msgid, const std::string& method,
                                            const json& params, std::chrono::milliseconds timeout) {
  if (!request(msgid, method, params)) return std::nullopt;
  return response(msgid, timeout);
}

bool rpc_client::hello() {
  auto r = call(0xfffffff0u, "hello", json{{"version", protocol_version}});
  return r && r->error.is_null();
}

bool rpc_client::closed_by_peer(std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (fd_ >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pf{fd_, POLLIN, 0};
    if (::poll(&pf, 1, static_cast<int>(left.count())) <= 0) continue;
    auto r = ::read(fd_, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return true;
  }
  return true;
}

bool daemon_answers(const std::string& socket, std::chrono::milliseconds timeout) {
  rpc_client c(socket);
  if (!c.connected()) return false;
  auto h = c.call(1, "hello", json{{"version", protocol_version}}, timeout);
  if (!h || !h->error.is_null()) return false;
  auto l = c.call(2, "list", json{{"all", true}}, timeout);
  return l && l->error.is_null() && l->result.is_array();
}

long heap_kib(const std::string& socket) {
  rpc_client c(socket);
  if (!c.connected()) return -1;
  auto h = c.call(1, "hello", json{{"version", protocol_version}});
  if (!h || !h->error.is_null()) return -1;
  auto v = c.call(2, "version", json::object());
  if (!v || !v->error.is_null() || !v->result.contains("heap_bytes")) return -1;
  return static_cast<long>(v->result["heap_bytes"].get<uint64_t>() / 1024);
}

}  // namespace ctrd::test
