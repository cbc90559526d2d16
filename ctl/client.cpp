#include "ctl/client.hpp"

#include <poll.h>
#include <cstdio>

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include "messages/duration.hpp"
#include "messages/handshake.hpp"
#include "messages/rpc.hpp"
#include "runtime/unix_address.hpp"

namespace ctl {
namespace {

[[noreturn]] void connection_lost(const std::string& what) {
  throw ctrd::error(ctrd::ec::internal, "lost connection to ctrd: " + what);
}

/// Bounds blocking connect() and send() on `fd` (unix sockets honour SO_SNDTIMEO for both).
void set_send_timeout(int fd, std::chrono::milliseconds t) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(t.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

ctrd::ec error_code_of(const json& error) {
  if (!error.is_object()) return ctrd::ec::internal;
  auto it = error.find("code");
  if (it == error.end() || !it->is_number_integer()) return ctrd::ec::internal;
  auto c = it->get<int64_t>();
  if (c < 1 || c > static_cast<int64_t>(ctrd::last_code)) return ctrd::ec::internal;
  return static_cast<ctrd::ec>(c);
}

int exit_code_of(const json& error) {
  return ctrd::exit_code_for(error_code_of(error));
}

ctrd::ec response::code() const {
  return ok() ? ctrd::ec::none : error_code_of(error);
}

std::string response::message() const {
  if (ok()) return {};
  if (error.is_object()) {
    auto it = error.find("message");
    if (it != error.end() && it->is_string() && !it->get_ref<const std::string&>().empty())
      return it->get<std::string>();
    auto nm = error.find("name");
    if (nm != error.end() && nm->is_string()) return nm->get<std::string>();
  }
  return "unknown error from ctrd";
}

client::~client() {
  if (fd_ >= 0) ::close(fd_);
}

void client::connect(const std::string& socket_path) {
  path_ = socket_path;
  auto fail = [&](int e) {
    throw ctrd::error(ctrd::ec::internal, "cannot connect to ctrd at " + socket_path + ": " +
                                              std::strerror(e) + "; is ctrd running?");
  };
  sockaddr_un addr;
  if (!ctrd::unix_address(socket_path, addr)) fail(ENAMETOOLONG);
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) fail(errno);
  // A ctrd that stopped accepting makes connect wait once its backlog is full: bounded.
  if (timeout_.count() > 0) set_send_timeout(fd_, timeout_);
  while (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == EINTR) continue;
    int e = errno;
    if (e == EAGAIN || e == EINPROGRESS) no_answer();
    ::close(fd_);
    fd_ = -1;
    fail(e);
  }
  // The oldest version we speak as "version" (what every ctrd understands), the newest as
  // "max_version" (messages/handshake.hpp).
  hello_id_ = send("hello", json{{"version", ctrd::our_protocols.min},
                                 {"max_version", ctrd::our_protocols.max},
                                 {"client", "ctrctl"}});
}

uint32_t client::send(const std::string& method, const json& params, output_handler on_output) {
  uint32_t id = next_id_++;
  outbuf_ += ctrd::encode_request(id, method, params);
  if (on_output) handlers_.emplace(id, std::move(on_output));
  return id;
}

uint32_t client::send_raw(const std::string& method, const json& params,
                          notification_handler on_notification) {
  uint32_t id = next_id_++;
  outbuf_ += ctrd::encode_request(id, method, params);
  if (on_notification) raw_handlers_.emplace(id, std::move(on_notification));
  return id;
}

void client::notify(const std::string& method, const json& params) {
  outbuf_ += ctrd::encode_notification(method, params);
}

void client::expect_long_waits() {
  if (fd_ < 0) throw ctrd::error(ctrd::ec::internal, "not connected to ctrd");
  if (!outbuf_.empty()) flush();
  while (!hello_done_) {
    await_readable();
    read_some();
    pump();
  }
  long_waits_ = true;
  set_send_timeout(fd_, std::chrono::milliseconds(0));  // a stream may wait for its reader
}

void client::no_answer() const {
  throw ctrd::error(ctrd::ec::internal,
                    "ctrd at " + path_ + " did not answer within " +
                        ctrd::format_duration_ms(static_cast<uint64_t>(timeout_.count())) +
                        " (see --timeout)");
}

void client::await_readable() {
  if (!bounded()) return;  // read_some() may block as long as ctrd needs
  pollfd p{fd_, POLLIN, 0};
  for (;;) {
    int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(timeout_.count(), INT32_MAX)));
    if (n > 0) return;
    if (n == 0) no_answer();
    if (errno != EINTR) connection_lost(std::strerror(errno));
  }
}

void client::flush() {
  std::size_t off = 0;
  while (off < outbuf_.size()) {
    ssize_t n = ::send(fd_, outbuf_.data() + off, outbuf_.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      if (e == EAGAIN || e == EWOULDBLOCK) no_answer();  // SO_SNDTIMEO: ctrd reads nothing
      // ctrd may have refused the connection (permission_denied) and closed it before
      // our request went out: show its reason rather than the broken pipe.
      if (e == EPIPE || e == ECONNRESET) {
        char buf[4096];
        ssize_t got;
        while ((got = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT)) > 0)
          reader_.feed(buf, static_cast<std::size_t>(got));
        std::string body;
        while (reader_.next(body)) dispatch(body);  // throws for a connection-level error
      }
      connection_lost(std::strerror(e));
    }
    off += static_cast<std::size_t>(n);
  }
  outbuf_.clear();
}

void client::read_some() {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n > 0) {
      reader_.feed(buf, static_cast<std::size_t>(n));
      return;
    }
    if (n == 0) connection_lost("the daemon closed the connection");
    if (errno != EINTR) connection_lost(std::strerror(errno));
  }
}

void client::dispatch(const std::string& body) {
  ctrd::rpc_message m = ctrd::decode_rpc(body);
  if (m.kind == ctrd::rpc_kind::response) {
    // msgid 0 is never ours: a connection-level error (e.g. permission_denied) before close.
    if (m.msgid == 0 && !m.error.is_null()) {
      response r;
      r.error = std::move(m.error);
      throw ctrd::error(r.code(), r.message());
    }
    handlers_.erase(m.msgid);
    raw_handlers_.erase(m.msgid);
    response r;
    r.msgid = m.msgid;
    r.error = std::move(m.error);
    r.result = std::move(m.result);
    if (auto it = items_.find(m.msgid); it != items_.end()) {
      // A list sent in chunks: the response holds the last values.
      if (r.result.is_array())
        for (auto& v : r.result) it->second.push_back(std::move(v));
      r.result = std::move(it->second);
      items_.erase(it);
    }
    done_[m.msgid] = std::move(r);
    return;
  }
  if (m.kind != ctrd::rpc_kind::notification) return;
  const json& p = m.params;
  auto id = p.find("msgid");
  if (id == p.end() || !id->is_number_unsigned()) return;
  auto msgid = static_cast<uint32_t>(id->get<uint64_t>());
  if (m.method == "items") {  // a chunk of a list (docs/protocol.md)
    auto v = p.find("items");
    if (v == p.end() || !v->is_array()) return;
    auto& acc = items_[msgid];
    if (!acc.is_array()) acc = json::array();
    for (const auto& x : *v) acc.push_back(x);
    return;
  }
  if (auto raw = raw_handlers_.find(msgid); raw != raw_handlers_.end()) {
    raw->second(m.method, p);
    return;
  }
  if (auto d = p.find("dropped_bytes"); d != p.end() && d->is_number_unsigned()) {
    // ctrd dropped output at the source while this client did not keep up.
    std::fprintf(stderr, "WARN: %llu bytes of output dropped (client too slow)\n",
                 static_cast<unsigned long long>(d->get<uint64_t>()));
    return;
  }
  if (m.method != "output") return;  // ignore others
  auto h = handlers_.find(msgid);
  if (h == handlers_.end()) return;
  std::string stream = "stdout";
  if (auto s = p.find("stream"); s != p.end() && s->is_string()) stream = s->get<std::string>();
  auto d = p.find("data");
  if (d == p.end()) return;
  if (d->is_binary()) {
    const auto& bin = d->get_binary();
    h->second(stream, reinterpret_cast<const char*>(bin.data()), bin.size());
  } else if (d->is_string()) {
    const auto& str = d->get_ref<const std::string&>();
    h->second(stream, str.data(), str.size());
  }
}

void client::pump() {
  std::string body;
  while (reader_.next(body)) dispatch(body);
  if (hello_done_) return;
  auto it = done_.find(hello_id_);
  if (it == done_.end()) return;
  response r = std::move(it->second);
  done_.erase(it);
  if (!r.ok())
    throw ctrd::error(error_code_of(r.error),
                      "ctrd refused the handshake: " +
                          ctrd::explain_hello_refusal(r.message(), ctrd::our_protocols, "ctrctl"));
  if (auto why = ctrd::check_hello_result(r.result, ctrd::our_protocols, "ctrctl"); !why.empty())
    throw ctrd::error(ctrd::ec::protocol, why);
  hello_ = std::move(r.result);
  hello_done_ = true;
}

bool client::try_take(uint32_t msgid, response& out) {
  if (fd_ < 0) throw ctrd::error(ctrd::ec::internal, "not connected to ctrd");
  pump();
  if (!hello_done_) return false;
  auto it = done_.find(msgid);
  if (it == done_.end()) return false;
  out = std::move(it->second);
  done_.erase(it);
  return true;
}

response client::wait(uint32_t msgid) {
  if (fd_ < 0) throw ctrd::error(ctrd::ec::internal, "not connected to ctrd");
  if (!outbuf_.empty()) flush();
  response r;
  while (!try_take(msgid, r)) {
    await_readable();
    read_some();
  }
  return r;
}

response client::call(const std::string& method, const json& params, output_handler on_output) {
  return wait(send(method, params, std::move(on_output)));
}

}  // namespace ctl
