// Internals of the control sessions, shared by control.cpp (connection, dispatch, the
// lifecycle methods) and control_files.cpp (isolation, file and exec methods). Not an
// interface: only those two files include it.
#pragma once

#include <csignal>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>
#include <caf/io/broker.hpp>
#include <caf/message_handler.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/caf_error.hpp"
#include "messages/atoms.hpp"
#include "messages/frame.hpp"
#include "messages/rpc.hpp"
#include "messages/signals.hpp"

namespace ctrd::sess {

/// Where stdin/resize notifications of one attach go. Until the container is resolved,
/// they wait here (a client may send stdin right behind its start request).
struct attach_route {
  caf::actor ctr;
  std::vector<caf::message> early;
};

struct session_state {
  static inline const char* name = "session";
  caf::io::connection_handle hdl;
  caf::actor sup;
  caf::actor events;
  json info;
  frame_reader reader;
  bool greeted = false;
  std::unordered_map<uint32_t, attach_route> attaches;  // attach msgid -> its container
  uint64_t unsent = 0;                                  // bytes written but not yet on the socket
  std::unordered_map<uint32_t, uint64_t> dropped;       // notifications dropped per request
  std::vector<caf::typed_response_promise<bool>>
      data_waiters;                                  // file jobs waiting for the socket to drain
  std::unordered_map<uint32_t, caf::actor> uploads;  // copy_in msgid -> its extraction job
};

/// Bytes a session may have waiting for a slow client before it drops streamed data.
constexpr uint64_t unsent_cap = 16u << 20;

using session_t = caf::io::stateful_broker<session_state>;

inline void send_frame(session_t* self, const std::string& frame) {
  self->write(self->state.hdl, frame.size(), frame.data());
  self->flush(self->state.hdl);
  self->state.unsent += frame.size();
}

/// Sends a streamed notification unless the client is too slow: beyond `unsent_cap` bytes
/// waiting for the socket, notifications are dropped (counted per request) and a
/// {"dropped": n} notice goes out once the client has caught up. Memory stays bounded.
inline void send_stream(session_t* self, const char* method, uint32_t msgid, json params) {
  auto& s = self->state;
  if (s.unsent > unsent_cap) {
    ++s.dropped[msgid];
    return;
  }
  if (auto it = s.dropped.find(msgid); it != s.dropped.end()) {
    send_frame(self, encode_notification(method, json{{"msgid", msgid}, {"dropped", it->second}}));
    s.dropped.erase(it);
  }
  params["msgid"] = msgid;
  send_frame(self, encode_notification(method, params));
}

inline void send_result(session_t* self, uint32_t msgid, const json& r) {
  send_frame(self, encode_result(msgid, r));
}

inline void send_error(session_t* self, uint32_t msgid, ec code, const std::string& msg) {
  send_frame(self, encode_error(msgid, code, msg));
}

inline void send_caf_error(session_t* self, uint32_t msgid, const caf::error& e) {
  auto [code, msg] = from_caf_error(e);
  send_error(self, msgid, code, msg);
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

/// Resolves `ref` via the supervisor, sends `xs...` to the container, replies with its json.
template <class... Ts>
void call_container(session_t* self, uint32_t msgid, const std::string& ref, Ts... xs) {
  self->request(self->state.sup, caf::infinite, resolve_atom::value, ref)
      .then(
          [=](caf::actor& ctr) {
            self->request(ctr, caf::infinite, xs...)
                .then([=](json& r) { send_result(self, msgid, r); },
                      [=](caf::error& e) { send_caf_error(self, msgid, e); });
          },
          [=](caf::error& e) { send_caf_error(self, msgid, e); });
}

/// Sends a request to the supervisor and replies with its json.
template <class... Ts>
void call_supervisor(session_t* self, uint32_t msgid, Ts... xs) {
  self->request(self->state.sup, caf::infinite, xs...)
      .then([=](json& r) { send_result(self, msgid, r); },
            [=](caf::error& e) { send_caf_error(self, msgid, e); });
}

using method_fn = void (*)(session_t*, uint32_t, const json&);
using method_table = std::unordered_map<std::string, method_fn>;

/// Ends an attach: forget its container.
inline void finish_attach(session_t* self, uint32_t msgid) {
  self->state.attaches.erase(msgid);
}

/// The attach's container is known: deliver what the client sent meanwhile.
inline void route_attach(session_t* self, uint32_t msgid, const caf::actor& ctr) {
  auto& r = self->state.attaches[msgid];
  r.ctr = ctr;
  for (auto& m : r.early) self->send(ctr, std::move(m));
  r.early.clear();
}

/// Sends `xs...` to `dest`; the reply (or error) answers `msgid` and ends its attach.
template <class... Ts>
void request_attached(session_t* self, uint32_t msgid, const caf::actor& dest, Ts... xs) {
  self->request(dest, caf::infinite, xs...)
      .then(
          [=](json& r) {
            finish_attach(self, msgid);
            send_result(self, msgid, r);
          },
          [=](caf::error& e) {
            finish_attach(self, msgid);
            send_caf_error(self, msgid, e);
          });
}

/// Resolves `ref` for an attach, routes its stdin/resizes there, then runs `next(ctr)`.
template <class F>
void resolve_attach(session_t* self, uint32_t msgid, const std::string& ref, F next) {
  self->state.attaches[msgid] = attach_route{};
  self->request(self->state.sup, caf::infinite, resolve_atom::value, ref)
      .then(
          [=](caf::actor& ctr) {
            route_attach(self, msgid, ctr);
            next(ctr);
          },
          [=](caf::error& e) {
            finish_attach(self, msgid);
            send_caf_error(self, msgid, e);
          });
}

/// Adds the isolation, file and exec methods (control_files.cpp).
void add_file_methods(method_table& table);

/// Client "data" notifications (copy_in); returns false for other notifications.
bool on_file_notification(session_t* self, const rpc_message& m);

/// Answers the file jobs waiting for the socket to drain (control_files.cpp).
void release_waiting_data(session_t* self);

/// The session's handlers for file jobs and exec routing (control_files.cpp).
caf::message_handler file_handlers(session_t* self);

}  // namespace ctrd::sess
