// ctrctl's connection to ctrd: one unix stream socket per invocation, blocking I/O with
// plain syscalls, msgpack-RPC framing from ctrd_wire (docs/protocol.md). Requests can be
// pipelined: send() only queues, the bytes go out at the next flush()/wait(). A hung ctrd
// never hangs the client: connecting, the handshake and requests that answer at once are
// bounded by a timeout (set_timeout); verbs that wait by design lift it after the handshake
// (expect_long_waits).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "messages/error.hpp"
#include "messages/frame.hpp"
#include "messages/value_codec.hpp"

namespace ctl {

using ctrd::json;

/// The answer to one request: `error` is null on success, else {code, name, message}.
struct response {
  uint32_t msgid = 0;
  json error;
  json result;

  /// True when the daemon reported success.
  bool ok() const { return error.is_null(); }
  /// The error code (ec::none on success, ec::internal for unknown codes).
  ctrd::ec code() const;
  /// The error message ("" on success).
  std::string message() const;
};

/// Receives the `output` notifications of one request: stream name ("stdout" or
/// "stderr") and the bytes.
using output_handler =
    std::function<void(const std::string& stream, const char* data, std::size_t size)>;

/// Receives every other notification tied to one request (e.g. `event`, or `output` with
/// its extra keys such as `time` and `partial`): the method and the parameter map.
using notification_handler = std::function<void(const std::string& method, const json& params)>;

/// The error code carried by an RPC error map (ec::internal when absent or unknown).
ctrd::ec error_code_of(const json& error);

/// ctrctl's exit status for an RPC error map: 125, or 126/127 via ctrd::exit_code_for().
int exit_code_of(const json& error);

/// A connected, handshaking client.
class client {
 public:
  client() = default;
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// How long connect(), the handshake and every wait() may go without a byte from ctrd
  /// (0: no limit; default 30 s). Beyond it they throw ctrd::error{ec::internal} "ctrd at
  /// PATH did not answer within 30s" (exit 125). Set it before connect().
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }

  /// Connects to `socket_path` and queues the `hello` handshake (it travels with the first
  /// request). Throws ctrd::error{ec::internal} "cannot connect to ctrd at PATH: ...; is
  /// ctrd running?" when the socket cannot be reached.
  void connect(const std::string& socket_path);

  /// For verbs that wait by design (stop, start, wait, logs -f, attach, events, ...):
  /// completes the handshake now, within the timeout, then lets every later request take as
  /// long as ctrd needs.
  void expect_long_waits();

  /// Queues a request and returns its msgid; `on_output` (optional) gets its `output`
  /// notifications while any wait() is blocked.
  uint32_t send(const std::string& method, const json& params, output_handler on_output = {});

  /// Like send(), but every notification tied to the request goes to `on_notification`
  /// with its full parameter map.
  uint32_t send_raw(const std::string& method, const json& params,
                    notification_handler on_notification);

  /// Queues a client->daemon notification (`stdin`, `resize`; docs/protocol.md).
  void notify(const std::string& method, const json& params);

  /// Writes every queued byte to the socket. Throws ctrd::error on failure.
  void flush();

  /// Flushes, then blocks until the response to `msgid` arrives, dispatching notifications
  /// and stashing other responses on the way. Checks the handshake reply first: a refused
  /// hello throws ctrd::error with the daemon's code and message. Throws ctrd::error when
  /// the connection breaks or the daemon violates the protocol.
  response wait(uint32_t msgid);

  /// Non-blocking counterpart of wait() for event loops: dispatches the frames already
  /// received and, when the response to `msgid` is among them, moves it to `out` and
  /// returns true. Throws like wait() (refused handshake, protocol violations).
  bool try_take(uint32_t msgid, response& out);

  /// Performs one read(2) on the socket (call it when poll() reports the socket readable)
  /// and buffers the bytes; try_take() dispatches them. Throws ctrd::error when the daemon
  /// closed the connection.
  void receive() { read_some(); }

  /// The socket, for poll(); -1 before connect().
  int fd() const { return fd_; }

  /// send() followed by wait().
  response call(const std::string& method, const json& params, output_handler on_output = {});

  /// The daemon's `hello` result (valid after the first wait()).
  const json& hello_result() const { return hello_; }

 private:
  void read_some();
  /// Waits until the socket is readable; throws no_answer() after the timeout while bounded.
  void await_readable();
  [[noreturn]] void no_answer() const;
  bool bounded() const { return timeout_.count() > 0 && (!hello_done_ || !long_waits_); }
  void dispatch(const std::string& body);
  void pump();  // dispatches buffered frames, then completes the handshake if answered

  int fd_ = -1;
  std::string path_;
  std::chrono::milliseconds timeout_{30000};
  bool long_waits_ = false;
  uint32_t next_id_ = 1;
  uint32_t hello_id_ = 0;
  bool hello_done_ = false;
  json hello_;
  std::string outbuf_;
  ctrd::frame_reader reader_;
  std::unordered_map<uint32_t, response> done_;
  std::unordered_map<uint32_t, output_handler> handlers_;
  std::unordered_map<uint32_t, notification_handler> raw_handlers_;
  std::unordered_map<uint32_t, json> items_;  // values of a list sent in chunks
};

}  // namespace ctl
