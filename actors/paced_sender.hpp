// How a history reaches a client at the pace the client reads: a reader on a thread of its
// own (a blocking actor: the log reader of `logs` and `attach --logs` in container_io.cpp,
// the events history reader of `events --since` in event_bus.cpp) sends one message at a
// time to the client's session and waits for its answer before the next. The session
// answers once its client has room (take_output in control_session.cpp), so a client that
// reads gets the whole history, and the history of a client that does not read waits on
// disk, not in ctrd's memory; no actor handler waits for it.
#pragma once

#include <utility>

#include <caf/blocking_actor.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/system_messages.hpp>

namespace ctrd {

/// Sends messages answered with a bool to `Handle` one at a time, each once the last was
/// answered. Used by one blocking actor, on its thread, which it makes monitor `dest`.
template <class Handle>
class paced_sender {
 public:
  paced_sender(caf::blocking_actor* self, Handle dest) : self_(self), dest_(std::move(dest)) {
    self_->monitor(dest_);
  }

  /// Sends `xs...` and waits for the answer. False once a message was not taken (the
  /// session refused it or ended): nothing is sent any more.
  template <class... Ts>
  bool deliver(Ts&&... xs) {
    if (gone_) return false;
    // Sent, not requested: the answer comes back as an ordinary message, so that the end
    // of the session (its down message) ends the wait too. CAF 0.17 does not answer the
    // requests still in a broker's mailbox when it ends (abstract_broker::cleanup skips
    // the mailbox's bounce): a request could wait forever, and ctrd's exit with it.
    self_->send(dest_, std::forward<Ts>(xs)...);
    bool answered = false;
    while (!answered && !gone_)
      self_->receive([&](bool) { answered = true; }, [&](caf::error&) { gone_ = true; },
                     [&](const caf::down_msg& dm) {
                       if (dm.source == dest_.address()) gone_ = true;
                     });
    return !gone_;
  }

  /// True once a message was not taken.
  bool gone() const { return gone_; }

 private:
  caf::blocking_actor* self_;
  Handle dest_;
  bool gone_ = false;
};

}  // namespace ctrd
