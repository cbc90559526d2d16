// A control session: one client connection (session_actor, actors/interfaces.hpp). It
// reassembles frames (messages/frame.hpp), decodes msgpack-RPC (messages/rpc.hpp), enforces
// the hello handshake and the client's budgets, dispatches each request to its method
// (control_methods.cpp, control_files.cpp), and turns replies and streamed output into
// frames again. docs/protocol.md is the contract.
#include <malloc.h>
#include <sys/socket.h>
#include <algorithm>
#include <chrono>
#include <string>

#include <spdlog/spdlog.h>
#include <caf/event_based_actor.hpp>
#include <caf/io/system_messages.hpp>

#include "actors/session_impl.hpp"

namespace ctrd::sess {

/// True while the client owes the session room: too many answers pending or too many bytes
/// not yet taken by the socket. Reading pauses until it is false again.
bool over_budget(const session_state& s) {
  return s.pending_count >= limits::max_pending_requests ||
         s.large_count >= limits::max_pending_large || s.unsent > unsent_cap;
}

/// True for methods whose answer may be large (up to a frame).
bool large_answer(const std::string& method) {
  return method == "list" || method == "inspect" || method == "definition" || method == "stats" ||
         method == "artifact_get" || method == "artifact_list";
}

/// Counts request `msgid` as pending until its answer is sent.
void begin_request(session_t* self, uint32_t msgid, bool large) {
  ++self->state.pending[msgid];
  ++self->state.pending_count;
  if (large) {
    ++self->state.large[msgid];
    ++self->state.large_count;
  }
}

/// Request `msgid` got its answer: the client may send more.
void end_request(session_t* self, uint32_t msgid) {
  auto& s = self->state;
  auto it = s.pending.find(msgid);
  if (it == s.pending.end()) return;
  if (--it->second == 0) s.pending.erase(it);
  --s.pending_count;
  if (auto l = s.large.find(msgid); l != s.large.end()) {
    if (--l->second == 0) s.large.erase(l);
    --s.large_count;
  }
  pump(self);
}

void send_frame(session_t* self, const std::string& frame) noexcept {
  auto& s = self->state;
  if (s.closing) return;
  try {
    self->write(s.hdl, frame.size(), frame.data());
    self->flush(s.hdl);
    s.unsent += frame.size();
    s.peak_unsent = std::max(s.peak_unsent, s.unsent);
  } catch (const std::exception& e) {
    spdlog::error("session: cannot send a reply: {}", e.what());
  }
}

/// Sends the notice of the notifications dropped for request `msgid`, if there were any.
void send_dropped(session_t* self, const char* method, uint32_t msgid) {
  auto& s = self->state;
  if (auto it = s.dropped.find(msgid); it != s.dropped.end()) {
    send_frame(self, encode_notification(method, json{{"msgid", msgid}, {"dropped", it->second}}));
    s.dropped.erase(it);
  }
}

void send_stream(session_t* self, const char* method, uint32_t msgid, json params) noexcept {
  auto& s = self->state;
  try {
    if (s.unsent > unsent_cap) {
      ++s.dropped[msgid];
      return;
    }
    send_dropped(self, method, msgid);
    params["msgid"] = msgid;
    send_frame(self, encode_notification(method, params));
  } catch (const std::exception& e) {
    spdlog::error("session: cannot send a notification: {}", e.what());
  }
}

/// `n` notifications of request `msgid` were dropped before they reached the session: the
/// client is told now if it has room, else with the next notification (send_stream).
void count_dropped(session_t* self, const char* method, uint32_t msgid, uint64_t n) noexcept {
  try {
    self->state.dropped[msgid] += n;
    if (self->state.unsent <= unsent_cap) send_dropped(self, method, msgid);
  } catch (const std::exception& e) {
    spdlog::error("session: cannot send a notification: {}", e.what());
  }
}

void send_result(session_t* self, uint32_t msgid, const json& r) noexcept {
  std::string frame;
  try {
    frame = encode_result(msgid, r);
  } catch (const std::exception& e) {
    spdlog::error("session: cannot encode a reply: {}", e.what());
    return send_error(self, msgid, ec::internal,
                      std::string("cannot encode the reply: ") + e.what());
  }
  send_frame(self, frame);
  end_request(self, msgid);
}

void send_packed_result(session_t* self, uint32_t msgid, const std::string& packed) noexcept {
  try {
    send_frame(self, encode_packed_result(msgid, packed));
  } catch (const std::exception& e) {
    spdlog::error("session: cannot encode a reply: {}", e.what());
  }
  end_request(self, msgid);
}

void send_error(session_t* self, uint32_t msgid, ec code, const std::string& msg) noexcept {
  try {
    send_frame(self, encode_error(msgid, code, msg));
  } catch (const std::exception& e) {
    spdlog::error("session: cannot encode an error reply: {}", e.what());
  }
  end_request(self, msgid);
}

void send_caf_error(session_t* self, uint32_t msgid, const caf::error& e) noexcept {
  try {
    auto [code, msg] = from_caf_error(e);
    send_error(self, msgid, code, msg);
  } catch (const std::exception& x) {
    send_error(self, msgid, ec::internal, x.what());
  }
}

/// Client notifications: stdin bytes / eof and terminal sizes for an attach or exec on this
/// connection, tar data for a copy_in. Each is checked against what its route accepts.
void on_notification(session_t* self, const rpc_message& m) {
  auto it = m.params.find("msgid");
  if (it == m.params.end() || !it->is_number_unsigned())
    throw error(ec::protocol, "notification \"" + m.method + "\" needs the msgid of its request");
  auto target = static_cast<uint32_t>(it->get<uint64_t>());
  if (m.method != "stdin" && m.method != "resize" && m.method != "data")
    throw error(ec::protocol, "unknown notification \"" + m.method + "\"");
  auto found = self->state.attaches.find(target);
  if (found == self->state.attaches.end()) return;  // the request already ended: nothing to do
  auto& route = found->second;
  bool stream_route = route.kind == route_kind::attach || route.kind == route_kind::exec;
  if (m.method == "data") {
    if (route.kind != route_kind::copy_in)
      throw error(ec::protocol, "notification \"data\" is accepted for a copy_in only (msgid " +
                                    std::to_string(target) + " is not one)");
    return on_file_notification(self, route, m);
  }
  if (!stream_route)
    throw error(ec::protocol, "notification \"" + m.method +
                                  "\" is accepted for an attach or exec only (msgid " +
                                  std::to_string(target) + " is neither)");
  auto deliver = [&](caf::message msg, std::size_t bytes) {
    if (route.ctr) return caf::anon_send(route.ctr, std::move(msg));
    if (route.early.size() >= 1024 || route.early_bytes + bytes > early_cap)
      throw error(ec::protocol, "input sent before its request was ready exceeds " +
                                    std::to_string(early_cap >> 10) + " KiB: wait for it");
    route.early_bytes += bytes;
    route.early.push_back(std::move(msg));
  };
  if (m.method == "stdin") {
    std::string data;
    if (auto d = m.params.find("data"); d != m.params.end() && !d->is_null()) {
      if (d->is_binary())
        data.assign(d->get_binary().begin(), d->get_binary().end());
      else if (d->is_string())
        data = d->get<std::string>();
      else
        throw error(ec::protocol, "stdin data must be binary or a string");
    }
    auto n = data.size();
    deliver(caf::make_message(stdin_atom::value, std::move(data), bool_param(m.params, "eof")), n);
    return;
  }
  // A resize goes as a request whose answer nobody waits for: a refusal (no terminal, a
  // size out of range) is only logged.
  auto rows = int_param(m.params, "rows"), cols = int_param(m.params, "cols");
  if (!route.ctr) {
    if (route.early.size() < 1024)
      route.early.push_back(caf::make_message(resize_atom::value, rows, cols));
    return;
  }
  resize_route(self, route.ctr, rows, cols);
}

/// Decodes one frame and runs its method. Every failure becomes an error reply.
void dispatch(session_t* self, const std::string& body) {
  int64_t msgid = -1;
  bool begun = false;  // counted as pending: its answer ends the accounting
  try {
    auto m = decode_rpc(body, &msgid);
    if (m.kind == rpc_kind::notification && self->state.greeted) {
      msgid = 0;
      on_notification(self, m);
      return;
    }
    if (m.kind != rpc_kind::request) {
      msgid = 0;
      throw error(
          ec::protocol,
          "ctrd accepts requests (type 0) and, after hello, stdin/resize/data notifications");
    }
    begin_request(self, m.msgid, large_answer(m.method));
    begun = true;
    auto it = methods().find(m.method);
    if (it == methods().end()) throw error(ec::protocol, "unknown method \"" + m.method + "\"");
    if (!self->state.greeted && m.method != "hello")
      throw error(ec::protocol, "handshake required: the first request must be \"hello\"");
    it->second(self, m.msgid, m.params);
  } catch (...) {
    auto id = msgid < 0 ? 0u : static_cast<uint32_t>(msgid);
    caf::error err;
    try {
      throw;
    } catch (const ctrd::error& e) {
      spdlog::debug("session: bad request: {}", e.what());
      err = make_caf_error(e.code(), e.what());
    } catch (...) {
      err = contain_exception(self, std::current_exception());
    }
    if (begun)
      send_caf_error(self, id, err);
    else  // never counted (a bad frame or notification): answered, nothing to end
      send_frame(self, encode_error(id, from_caf_error(err).first, from_caf_error(err).second));
  }
}

/// Returns free heap memory to the system shortly (after the buffers of a connection that
/// just closed are released by the middleman).
void trim_memory_soon(caf::actor_system& sys) {
  // (An argument besides self: CAF 0.17 dereferences a null argument tuple when a function
  // without arguments is spawned, which UBSan reports.)
  sys.spawn(
      [](caf::event_based_actor* self, int delay_ms) -> caf::behavior {
        self->delayed_send(self, std::chrono::milliseconds(delay_ms), grace_atom::value);
        return {[=](grace_atom) {
          ::malloc_trim(0);
          self->quit();
        }};
      },
      200);
}

/// Ends the session: whoever waits for this client (file jobs, output sources) is told,
/// the connection is closed and the memory it held is returned to the system.
void end_session(session_t* self, const std::string& why) {
  auto& s = self->state;
  if (s.closing) return;
  s.closing = true;
  if (!why.empty()) spdlog::warn("closing client connection: {}", why);
  auto gone = make_caf_error(ec::internal, "the client connection closed");
  for (auto& rp : s.data_waiters) rp.deliver(gone);
  for (auto& rp : s.output_waiters) rp.deliver(gone);
  s.data_waiters.clear();
  s.output_waiters.clear();
  // CAF closes a connection gracefully: it keeps the socket until what is buffered was
  // written, which a client that does not read never lets happen (and ctrd's exit would
  // wait for it). Unsent data is abandoned: the socket is shut down first. (In CAF 0.17
  // a connection handle's id is its descriptor, as SO_PEERCRED above relies on too.)
  if (s.unsent > 0) ::shutdown(static_cast<int>(s.hdl.id()), SHUT_RDWR);
  self->close(s.hdl);
  self->quit();
  // A client that made the session buffer a lot leaves free memory behind in malloc's
  // arenas once its buffers are gone: give it back to the system a moment later.
  if (s.peak_unsent > unsent_cap) trim_memory_soon(self->system());
}

/// Reads the frames that are in while the client's budget allows (answers owed and bytes
/// not yet sent), then halts or resumes reading the socket accordingly. A frame that stays
/// incomplete for limits::frame_timeout closes the connection.
void pump(session_t* self) {
  auto& s = self->state;
  if (s.pumping || s.closing) return;
  s.pumping = true;
  std::string body;
  try {
    while (!over_budget(s) && s.reader.next(body)) {
      s.frame_started = false;
      dispatch(self, body);
      if (s.closing) return;
    }
  } catch (const ctrd::error& e) {  // an unframeable stream cannot be resynchronised
    s.pumping = false;
    return end_session(self, e.what());
  }
  s.pumping = false;
  bool want = !over_budget(s);
  if (want != s.reading) {
    if (want) {
      self->trigger(s.hdl);
      s.frame_started = false;  // a partial frame gets its full time again
    } else {
      self->halt(s.hdl);
    }
    s.reading = want;
  }
  if (s.reader.buffered() == 0) {
    s.reader.shrink();
  } else if (!s.frame_started) {
    s.frame_started = true;
    self->delayed_send(self, limits::frame_timeout, timeout_atom::value, ++s.frame_gen);
  }
}

/// Streamed output for a client (a container's attach or logs, an exec, a log or events
/// history): written at once, answered once the client has room again, so that the source
/// knows how much is in flight and drops (or waits) at the source, not here.
caf::result<bool> take_output(session_t* self, const std::string& frame) {
  send_frame(self, frame);
  auto& s = self->state;
  if (s.unsent <= unsent_cap) return true;
  auto rp = self->make_response_promise<bool>();
  s.output_waiters.push_back(rp);
  return rp;
}

/// The parameters of an "output" notification carrying `data` of `stream`.
json output_params(uint32_t msgid, int stream, const std::string& data) {
  return json{{"msgid", msgid},
              {"stream", stream == 2 ? "stderr" : "stdout"},
              {"data", json::binary(std::vector<std::uint8_t>(data.begin(), data.end()))}};
}

/// The session's timer: generation 0 closes a connection that did not say hello in time,
/// a later one a connection whose frame stayed incomplete (unless the session itself
/// stopped reading it).
void on_timeout(session_t* self, uint64_t gen) {
  auto& st = self->state;
  if (gen == 0) {
    if (!st.greeted)
      end_session(self, "no hello within " + std::to_string(limits::hello_timeout.count()) + " s");
  } else if (gen == st.frame_gen && st.frame_started) {
    if (st.reading)
      end_session(self, "a frame stayed incomplete for " +
                            std::to_string(limits::frame_timeout.count()) + " s");
    else  // we stopped reading it: not the client's fault, look again later
      self->delayed_send(self, limits::frame_timeout, timeout_atom::value, ++st.frame_gen);
  }
}

/// Logs a message the session's interface does not declare (a bug of its sender) and
/// drops it; a request gets CAF's unexpected_message error.
caf::result<caf::message> unexpected(caf::scheduled_actor*, caf::message_view& x) {
  spdlog::warn("session: dropped an unexpected message: {}", x.content().stringify());
  return caf::sec::unexpected_message;
}

// The handlers of a session whose state is set. Its own function with `self` as the only
// parameter: a lambda's type is named after the function around it, and the handles of
// session() would spell their interfaces into every handler's RTTI name
// (docs/architecture.md, "Short type names").
static session_actor::behavior_type session_behavior(session_t* self) {
  auto hdl = self->state.hdl;
  self->configure_read(hdl, caf::io::receive_policy::at_most(64 * 1024));
  self->ack_writes(hdl, true);  // data_transferred_msg tells how much still waits for the socket
  self->delayed_send(self, limits::hello_timeout, timeout_atom::value, uint64_t{0});
  self->set_exit_handler([=](caf::exit_msg& m) {
    end_session(self, "");
    self->quit(m.reason);
  });
  self->set_default_handler(unexpected);
  // One handler per message of session_actor (actors/interfaces.hpp); the file jobs' and
  // routes' handlers live in control_files.cpp.
  return guarded_typed_behavior<session_actor>(
      self,
      [=](const caf::io::new_data_msg& m) {
        self->state.reader.feed(m.buf.data(), m.buf.size());
        pump(self);
      },
      [=](const caf::io::connection_closed_msg&) { end_session(self, ""); },
      [=](const caf::io::data_transferred_msg& m) {
        auto& st = self->state;
        st.unsent = m.remaining;
        release_waiting_data(self);
        if (!st.lists.empty()) continue_lists(self);
        if (st.unsent <= unsent_cap / 2 && !st.output_waiters.empty()) {
          for (auto& rp : st.output_waiters) rp.deliver(true);
          st.output_waiters.clear();
        }
        pump(self);
      },
      [=](timeout_atom, uint64_t gen) { on_timeout(self, gen); },
      [=](output_atom, uint32_t msgid, int stream, const std::string& data) {
        return take_output(self, encode_notification("output", output_params(msgid, stream, data)));
      },
      [=](output_atom, uint32_t msgid, uint64_t dropped) {
        // A source dropped output for this client while it was too slow: say how much.
        return take_output(self, encode_notification(
                                     "output", json{{"msgid", msgid}, {"dropped_bytes", dropped}}));
      },
      [=](record_atom, uint32_t msgid, int stream, const std::string& text, const std::string& time,
          bool partial) {
        auto params = output_params(msgid, stream, partial ? text : text + "\n");
        params["time"] = time;
        params["partial"] = partial;
        return take_output(self, encode_notification("output", params));
      },
      [=](route_atom, uint32_t msgid, const caf::actor& dest) { on_route(self, msgid, dest); },
      [=](event_atom, uint32_t msgid, const json& event) {
        send_stream(self, "event", msgid, json{{"event", event}});
      },
      [=](record_atom, uint32_t msgid, const json& event) {
        // A stored event: never dropped, answered once the client has room (the history
        // reader waits for that).
        return take_output(self,
                           encode_notification("event", json{{"msgid", msgid}, {"event", event}}));
      },
      [=](event_atom, uint32_t msgid, uint64_t dropped) {
        count_dropped(self, "event", msgid, dropped);
      },
      [=](data_atom, uint32_t msgid, const std::string& bytes) {
        return take_file_data(self, msgid, bytes);
      },
      [=](ack_atom, uint32_t msgid, uint64_t consumed) { on_file_ack(self, msgid, consumed); },
      [=](job_done_atom, uint32_t msgid, const json& result) { on_job_done(self, msgid, result); },
      [=](job_done_atom, uint32_t msgid, int code, const std::string& message) {
        on_job_failed(self, msgid, code, message);
      });
}

session_actor::behavior_type session(session_t* self, caf::io::connection_handle hdl,
                                     supervisor_actor sup, event_bus_actor events, json info) {
  auto& s = self->state;
  s.hdl = hdl;
  s.sup = std::move(sup);
  s.events = std::move(events);
  s.info = std::move(info);
  return session_behavior(self);
}

}  // namespace ctrd::sess
