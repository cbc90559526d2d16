// Internals of the control sessions, shared by control_session.cpp (connection, budgets,
// dispatch, the behaviour), control_methods.cpp (the lifecycle methods), control_files.cpp
// (isolation, file and exec methods) and control.cpp (the acceptor, which forks sessions).
// Not an interface: only those files include it. The session's interface is session_actor
// (actors/interfaces.hpp).
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>
#include <caf/io/typed_broker.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/atoms.hpp"
#include "actors/caf_error.hpp"
#include "actors/guard.hpp"
#include "actors/interfaces.hpp"
#include "messages/frame.hpp"
#include "messages/rpc.hpp"
#include "messages/signals.hpp"

namespace ctrd::sess {

/// What a routed request is: which client notifications it accepts. stdin and resize go to
/// attaches and execs, data only to a copy_in; anything else is refused with an error.
enum class route_kind : uint8_t { attach, exec, copy_in, copy_out };

/// Where stdin/resize/data notifications of one request go. Until the destination is
/// known, they wait here (a client may send stdin right behind its start request).
struct attach_route {
  route_kind kind = route_kind::attach;
  caf::actor ctr;
  std::vector<caf::message> early;
  std::size_t early_bytes = 0;  ///< bytes in `early` (at most early_cap)
  uint64_t forwarded = 0;       ///< copy_in: data bytes sent to the extraction
  uint64_t acked = 0;           ///< copy_in: bytes it reported as consumed
  /// Detach requests (their msgids) that came before the destination: sent behind the
  /// early input once it is known (a client's detach keys can follow its input at once).
  std::vector<uint32_t> detaches;
};

/// Client input a route may hold before its destination is known.
constexpr std::size_t early_cap = 1u << 20;

/// Limits of one client connection (docs/io.md "Bounded memory", docs/security.md).
namespace limits {
/// Requests of one connection that may await their answers; beyond, reading pauses.
constexpr std::size_t max_pending_requests = 256;
/// Requests with answers that may be large (list, inspect, stats, artifacts: up to a frame
/// each) that may await their answers: this bounds what answers owed to a client that does
/// not read can cost (the unsent budget only stops reading, not answering).
constexpr std::size_t max_pending_large = 8;
/// Bytes of copy_in data sent to an extraction and not yet acknowledged by it.
constexpr uint64_t copy_in_window = 8u << 20;
/// Time a new connection has to send its hello before it is closed.
constexpr auto hello_timeout = std::chrono::seconds(10);
/// Time a frame may take to arrive once its first bytes are in.
constexpr auto frame_timeout = std::chrono::seconds(10);
/// Connections served at once; more are told so and closed.
constexpr std::size_t max_connections = 1024;
}  // namespace limits

/// A list answered in chunks ("items" notifications, then the response with the rest),
/// paced by what the client takes.
struct list_stream {
  uint32_t msgid = 0;
  std::shared_ptr<const packed_list> list;
  std::size_t next = 0;  ///< first value not sent yet
};

struct session_state {
  static inline const char* name = "session";
  caf::io::connection_handle hdl;
  supervisor_actor sup;
  event_bus_actor events;
  json info;
  frame_reader reader{max_frame_size, false};  // buffers only what arrived (limits below)
  bool greeted = false;
  std::unordered_map<uint32_t, attach_route> attaches;  // attach msgid -> its container
  uint64_t unsent = 0;                                  // bytes written but not yet on the socket
  std::unordered_map<uint32_t, uint64_t> dropped;       // notifications dropped per request
  std::vector<caf::typed_response_promise<bool>>
      data_waiters;  // file jobs waiting for the socket to drain
  /// Output sources (containers, execs, log readers) waiting for the client to catch up.
  std::vector<caf::typed_response_promise<bool>> output_waiters;
  std::unordered_map<uint32_t, uint32_t> pending;  // requests not answered yet, per msgid
  std::size_t pending_count = 0;                   // sum of `pending`
  std::unordered_map<uint32_t, uint32_t> large;    // pending requests with large answers
  std::size_t large_count = 0;                     // sum of `large`
  bool reading = true;                             // false while reading is halted
  bool pumping = false;                            // inside pump(): no re-entry
  bool closing = false;                            // end_session() ran
  bool frame_started = false;                      // a partial frame is buffered
  uint64_t frame_gen = 0;                          // generation of the partial-frame timer
  uint64_t peak_unsent = 0;                        // most bytes ever waiting for the socket
  std::vector<list_stream> lists;                  // lists being sent in chunks
};

/// Bytes a session may have waiting for a slow client: beyond it, the session stops reading
/// requests and answers streamed output only once the client caught up (its sources then
/// drop at the source, docs/io.md "Bounded memory").
constexpr uint64_t unsent_cap = 1u << 20;

/// A session: a stateful typed broker implementing session_actor; a class of its own, not
/// an alias (docs/architecture.md, "Short type names").
using session_base = session_actor::stateful_broker_base<session_state>;
struct session_t final : session_base {
  using session_base::session_base;
};

/// Writes a frame and counts it as unsent until the socket took it. Never throws.
void send_frame(session_t* self, const std::string& frame) noexcept;

/// Sends a streamed notification unless the client is too slow: beyond `unsent_cap` bytes
/// waiting for the socket, notifications are dropped (counted per request) and a
/// {"dropped": n} notice goes out once the client has caught up. Memory stays bounded.
void send_stream(session_t* self, const char* method, uint32_t msgid, json params) noexcept;

/// Answers request `msgid` (the last answer of a request ends its accounting).
void send_result(session_t* self, uint32_t msgid, const json& r) noexcept;
void send_packed_result(session_t* self, uint32_t msgid, const std::string& packed) noexcept;
void send_error(session_t* self, uint32_t msgid, ec code, const std::string& msg) noexcept;
void send_caf_error(session_t* self, uint32_t msgid, const caf::error& e) noexcept;

/// Reads the frames that are in while the client's budget allows (after an answer or a
/// drained socket freed room), halting or resuming the socket accordingly.
void pump(session_t* self);

/// Closes the connection and ends the session; whoever waits for this client is told.
void end_session(session_t* self, const std::string& why);

/// Wraps a callback that answers request `msgid`: an exception in it is logged and becomes
/// an internal-error reply to `msgid`; the session lives on.
template <class F>
auto for_request(session_t* self, uint32_t msgid, F fn) {
  return guard_with(std::move(fn), [self, msgid](const std::exception_ptr& e) {
    auto err = contain_exception(self, e);
    send_caf_error(self, msgid, err);
    return err;
  });
}

/// The error callback of a request answering `msgid`.
inline auto error_reply(session_t* self, uint32_t msgid) {
  return [self, msgid](caf::error& e) { send_caf_error(self, msgid, e); };
}

// --- parameter access: every wrong type is an invalid_argument naming the key ---

inline std::string str_param(const json& p, const char* key) {
  auto it = p.find(key);
  if (it == p.end() || !it->is_string())
    throw error(ec::invalid_argument,
                std::string("parameter \"") + key + "\" (string) is required");
  return it->get<std::string>();
}

inline bool bool_param(const json& p, const char* key) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return false;
  if (!it->is_boolean())
    throw error(ec::invalid_argument, std::string("parameter \"") + key + "\" must be a boolean");
  return it->get<bool>();
}

inline int64_t timeout_param(const json& p) {
  auto it = p.find("timeout");
  if (it == p.end() || it->is_null()) return -1;
  if (!it->is_number_unsigned() || it->get<uint64_t>() > 86400u * 365)
    throw error(ec::invalid_argument,
                "parameter \"timeout\" must be a non-negative number of seconds");
  return static_cast<int64_t>(it->get<uint64_t>());
}

inline int signal_param(const json& p) {
  auto it = p.find("signal");
  if (it == p.end() || it->is_null()) return SIGKILL;
  if (it->is_number_unsigned()) {
    auto v = it->get<uint64_t>();
    if (v >= 1 && v <= static_cast<uint64_t>(SIGRTMAX)) return static_cast<int>(v);
    throw error(ec::invalid_argument, "invalid signal: " + std::to_string(v));
  }
  if (it->is_string()) return parse_signal(it->get<std::string>());
  throw error(ec::invalid_argument, "parameter \"signal\" must be a signal name or number");
}

/// Sends request `xs...` for container `ref` through the supervisor, which resolves the
/// reference once and delegates it to the container; replies with the container's json.
template <class... Ts>
void call_container(session_t* self, uint32_t msgid, const std::string& ref, Ts... xs) {
  self->request(self->state.sup, caf::infinite, forward_atom::value, ref, caf::make_message(xs...))
      .then(for_request(self, msgid, [=](json& r) { send_result(self, msgid, r); }),
            error_reply(self, msgid));
}

/// Sends a request to the supervisor whose answer is a container's json; replies with it.
template <class... Ts>
void call_supervisor(session_t* self, uint32_t msgid, Ts... xs) {
  self->request(self->state.sup, caf::infinite, xs...)
      .then(for_request(self, msgid, [=](json& r) { send_result(self, msgid, r); }),
            error_reply(self, msgid));
}

using method_fn = void (*)(session_t*, uint32_t, const json&);
using method_table = std::unordered_map<std::string, method_fn>;

/// Ends an attach: forget its container. A detach still waiting for the destination is
/// answered: the attach it would end is over.
inline void finish_attach(session_t* self, uint32_t msgid) {
  auto it = self->state.attaches.find(msgid);
  if (it == self->state.attaches.end()) return;
  auto waiting = std::move(it->second.detaches);
  self->state.attaches.erase(it);
  for (auto d : waiting) send_result(self, d, json::object());
}

/// Asks `dest` to end the attach (or exec) `target` of this session; the answer goes to
/// request `msgid` (control_methods.cpp).
void request_detach(session_t* self, uint32_t msgid, const caf::actor& dest, uint32_t target);

/// The error callback of a routed request: the route ends with the error reply.
inline auto route_error_reply(session_t* self, uint32_t msgid) {
  return [self, msgid](caf::error& e) {
    finish_attach(self, msgid);
    send_caf_error(self, msgid, e);
  };
}

/// Sends a client's terminal size to an attach's container or an exec; a refusal (no
/// terminal, a size out of range) is only logged: nobody waits for it.
inline void resize_route(session_t* self, const caf::actor& dest, int rows, int cols) {
  self->request(dest, caf::infinite, resize_atom::value, rows, cols)
      .then([](json&) {},
            [](caf::error& e) { spdlog::debug("session: resize refused: {}", caf::to_string(e)); });
}

/// Registers request `msgid` as routed (its notifications wait until route_attach()).
inline void open_route(session_t* self, uint32_t msgid, route_kind kind) {
  attach_route r;
  r.kind = kind;
  self->state.attaches[msgid] = std::move(r);
}

/// The route's destination is known: deliver what the client sent meanwhile.
inline void route_attach(session_t* self, uint32_t msgid, const caf::actor& ctr) {
  auto found = self->state.attaches.find(msgid);
  if (found == self->state.attaches.end()) return;  // the request already ended
  auto& r = found->second;
  r.ctr = ctr;
  for (auto& m : r.early) {
    if (m.match_elements<resize_atom, int, int>())
      resize_route(self, ctr, m.get_as<int>(1), m.get_as<int>(2));
    else  // stdin or data: no reply (anonymous: a typed actor cannot send to an untyped one)
      caf::anon_send(ctr, std::move(m));
  }
  r.early.clear();
  r.early_bytes = 0;
  for (auto d : std::exchange(r.detaches, {})) request_detach(self, d, ctr, msgid);
}

/// Sends `xs...` to the supervisor; the reply (or error) answers `msgid` and ends its
/// attach.
template <class... Ts>
void request_attached(session_t* self, uint32_t msgid, Ts... xs) {
  self->request(self->state.sup, caf::infinite, xs...)
      .then(for_request(self, msgid,
                        [=](json& r) {
                          finish_attach(self, msgid);
                          send_result(self, msgid, r);
                        }),
            route_error_reply(self, msgid));
}

/// Adds the isolation, file and exec methods (control_files.cpp).
void add_file_methods(method_table& table);

/// Every method a session answers, by name (control_methods.cpp).
const method_table& methods();

/// Sends the next chunk of the session's chunked lists, as room allows (control_methods.cpp).
void continue_lists(session_t* self);

/// A small non-negative integer parameter (0..100000); throws
/// ctrd::error{ec::invalid_argument} naming `key` otherwise.
int int_param(const json& p, const char* key);

/// A client "data" notification for the copy_in of `route`.
void on_file_notification(session_t* self, attach_route& route, const rpc_message& m);

/// Answers the file jobs waiting for the socket to drain (control_files.cpp).
void release_waiting_data(session_t* self);

// --- handlers of the session's messages from file jobs and routes (control_files.cpp) ---

/// A file job's chunk of tar for request msgid: written to the client; answered once less
/// than the data window waits for the socket.
caf::result<bool> take_file_data(session_t* self, uint32_t msgid, const std::string& bytes);

/// A copy_in job consumed `consumed` bytes of request msgid: the client is told.
void on_file_ack(session_t* self, uint32_t msgid, uint64_t consumed);

/// Where the client input of request msgid goes: what waited in its route is delivered.
void on_route(session_t* self, uint32_t msgid, const caf::actor& dest);

/// The file job of request msgid ended: its result (a map) or its error is the answer.
void on_job_done(session_t* self, uint32_t msgid, const json& result);
void on_job_failed(session_t* self, uint32_t msgid, int code, const std::string& message);

// --- the session itself (control_session.cpp) ---

/// A session serving connection `hdl` (forked by the acceptor once the peer is admitted).
session_actor::behavior_type session(session_t* self, caf::io::connection_handle hdl,
                                     supervisor_actor sup, event_bus_actor events, json info);

}  // namespace ctrd::sess
