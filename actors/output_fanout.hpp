// The container actor's output fan-out: the container log (with rotation) and every client
// that receives the output (attach, attached start, `logs --follow`) or the history
// (`logs`). It queues live output for a client whose history is still being replayed,
// counts what is in flight to each client's session (back-pressure) and drops, counts and
// reports output for a client that does not read.
//
// CAF-free: `Client` is what reaches a subscriber (in the actor: its session actor and the
// request's promise) and has key() (the session's identity); messages leave through the
// `sink` the owner installs. Unit tests: tests/unit/output_fanout_test.cpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/log_file.hpp"
#include "runtime/proc.hpp"

namespace ctrd::ctr {

/// Largest live output held for a subscriber while its log history is replayed.
constexpr std::size_t replay_queue_cap = 8u << 20;
/// Output a subscriber may have in flight (sent, not yet taken by its session) before more
/// output for it is dropped at the source and counted: a client that does not read costs
/// this much, not what the container writes.
constexpr uint64_t sub_inflight_cap = 1u << 20;

template <class Client>
class output_fanout {
 public:
  using key_type = decltype(std::declval<const Client&>().key());

  /// A client receiving the container's output.
  struct subscriber {
    Client client;
    uint32_t msgid = 0;
    bool follow = false;      ///< logs -f: answered when the process ends (end_followers)
    bool ending = false;      ///< the process ended during its replay: answered after it
    bool replaying = false;   ///< its log history is still being sent: queue live output
    bool timestamps = false;  ///< wants one record per line with its time (logs -t)
    std::vector<std::pair<int, std::string>> queued;  ///< live output held during the replay
    std::size_t queued_bytes = 0;
    int64_t live_since_ns = 0;  ///< logs -f --since in the future: output before it is skipped
    uint64_t inflight = 0;      ///< bytes sent to its session and not yet taken
    uint64_t dropped = 0;       ///< bytes dropped at the source while it was too slow
  };

  /// How messages reach a subscriber's session. Each call carries `n` bytes that stay in
  /// flight until the owner calls taken(key, msgid, n) (the session took them or is gone).
  struct sink {
    std::function<void(subscriber&, uint64_t n, int stream, const std::string& data)> chunk;
    std::function<void(subscriber&, uint64_t n, int stream, std::string text, std::string time,
                       bool partial)>
        record;
    /// The notice of `dropped` bytes (counted as 1 byte in flight).
    std::function<void(subscriber&, uint64_t dropped)> dropped;
  };

  void set_sink(sink s) { sink_ = std::move(s); }

  // --- the log file ---

  /// Opens the log (first spawn) or updates its limits.
  void open_log(const std::string& path, log_limits limits, disk_space* space) {
    if (!log_)
      log_ = std::make_unique<log_writer>(path, limits, space);
    else
      log_->set_limits(limits);
  }
  /// The log writer, or nullptr before the first spawn and after removal.
  log_writer* log() const { return log_.get(); }
  /// The container exited: no descriptor is held.
  void close_log() {
    if (log_) log_->close();
  }
  /// Removal: the writer is gone.
  void drop_log() { log_.reset(); }

  /// Output of the process at `now_ns`: appended to the log and sent to the subscribers.
  /// Returns the log's verdict (append_result::failed_first: warn once).
  append_result write(int64_t now_ns, int stream, bool is_stderr, const std::string& data) {
    auto r = log_ ? log_->append(now_ns, is_stderr, data) : append_result::ok;
    forward(stream, data, now_ns);
    return r;
  }

  // --- subscribers ---

  /// A client of live output (attach, attached start, logs -f).
  subscriber& add(Client c, uint32_t msgid) {
    subs_.push_back(subscriber{std::move(c), msgid});
    return subs_.back();
  }
  /// A `logs` client without follow: answered once its history is sent.
  subscriber& add_reader(Client c, uint32_t msgid) {
    readers_.push_back(subscriber{std::move(c), msgid});
    return readers_.back();
  }
  /// Takes back the last add() (the attached start failed; its request gets the error).
  void drop_last() {
    if (!subs_.empty()) subs_.pop_back();
  }
  /// Ends one subscription: `answer(client)`, then it is forgotten. False if unknown.
  template <class F>
  bool detach(const key_type& who, uint32_t msgid, F&& answer) {
    for (auto it = subs_.begin(); it != subs_.end(); ++it) {
      if (it->client.key() != who || it->msgid != msgid) continue;
      answer(it->client);
      subs_.erase(it);
      return true;
    }
    return false;
  }
  /// A client's session is gone: its subscriptions and readers are forgotten unanswered.
  void forget(const key_type& who) {
    for (auto* list : {&subs_, &readers_})
      list->erase(std::remove_if(list->begin(), list->end(),
                                 [&](const subscriber& s) { return s.client.key() == who; }),
                  list->end());
  }
  /// The process ended: attached clients are answered (`answer(client)`) and forgotten;
  /// followers stay until the removal.
  template <class F>
  void end_attached(F&& answer) {
    for (auto it = subs_.begin(); it != subs_.end();) {
      if (it->follow) {
        ++it;
        continue;
      }
      answer(it->client);
      it = subs_.erase(it);
    }
  }
  /// The process ended and its output is drained: `logs -f` followers are answered
  /// (`answer(client)`) and forgotten, as podman's follow ends when the container exits; a
  /// follower still replaying its history is answered once that is sent (replayed()).
  template <class F>
  void end_followers(F&& answer) {
    for (auto it = subs_.begin(); it != subs_.end();) {
      if (!it->follow) {
        ++it;
      } else if (it->replaying) {
        (it++)->ending = true;
      } else {
        answer(it->client);
        it = subs_.erase(it);
      }
    }
  }
  /// Removal: every subscriber is answered and forgotten.
  template <class F>
  void end_all(F&& answer) {
    for (auto& s : subs_) answer(s.client);
    subs_.clear();
  }
  /// The history for (`who`, `msgid`) was sent: a reader is answered (`answer(client)`) and
  /// forgotten; a subscriber gets the output queued meanwhile and then live output (a
  /// follower whose process ended meanwhile is then answered and forgotten).
  template <class F>
  void replayed(const key_type& who, uint32_t msgid, F&& answer) {
    for (auto it = readers_.begin(); it != readers_.end(); ++it) {
      if (it->client.key() != who || it->msgid != msgid) continue;
      answer(it->client);
      readers_.erase(it);
      return;
    }
    for (auto it = subs_.begin(); it != subs_.end(); ++it) {
      auto& sub = *it;
      if (sub.client.key() != who || sub.msgid != msgid || !sub.replaying) continue;
      sub.replaying = false;
      for (auto& [stream, data] : sub.queued) send_chunk(sub, stream, data);
      sub.queued.clear();
      sub.queued_bytes = 0;
      if (sub.ending) {
        answer(sub.client);
        subs_.erase(it);
      }
      return;
    }
  }

  /// Sends one chunk to every subscriber (queued for those still replaying).
  void forward(int stream, const std::string& data, int64_t now_ns) {
    for (auto& sub : subs_) {
      if (sub.live_since_ns > 0) {  // logs -f --since <future>: nothing before that time
        if (now_ns < sub.live_since_ns) continue;
        sub.live_since_ns = 0;
      }
      if (!sub.replaying) {
        send_chunk(sub, stream, data, now_ns);
      } else if (sub.queued_bytes + data.size() <= replay_queue_cap) {
        sub.queued.emplace_back(stream, data);
        sub.queued_bytes += data.size();
      }
    }
  }

  /// `n` bytes sent to (`who`, `msgid`) were taken (or its session is gone); once nothing
  /// is in flight, a notice says how much was dropped meanwhile.
  void taken(const key_type& who, uint32_t msgid, uint64_t n) {
    auto* sub = find(who, msgid);
    if (sub == nullptr) return;
    sub->inflight -= std::min(sub->inflight, n);
    if (sub->inflight > 0 || sub->dropped == 0) return;
    auto dropped = sub->dropped;
    sub->dropped = 0;
    sub->inflight += 1;
    if (sink_.dropped) sink_.dropped(*sub, dropped);
  }

  subscriber* find(const key_type& who, uint32_t msgid) {
    for (auto& sub : subs_)
      if (sub.client.key() == who && sub.msgid == msgid) return &sub;
    return nullptr;
  }
  std::size_t subscriber_count() const { return subs_.size(); }
  std::size_t reader_count() const { return readers_.size(); }

 private:
  void count(subscriber& sub, uint64_t n) { sub.inflight += n; }

  /// A chunk to one subscriber: as it is, or split into timestamped records; dropped (and
  /// counted) while the subscriber has too much in flight.
  void send_chunk(subscriber& sub, int stream, const std::string& data, int64_t now_ns = 0) {
    if (sub.inflight > sub_inflight_cap) {
      sub.dropped += data.size();
      return;
    }
    if (!sub.timestamps) {
      count(sub, data.size());
      if (sink_.chunk) sink_.chunk(sub, data.size(), stream, data);
      return;
    }
    auto now = proc::rfc3339(now_ns > 0 ? now_ns : proc::now_ns());
    std::size_t pos = 0;
    while (pos < data.size()) {
      auto nl = data.find('\n', pos);
      bool partial = nl == std::string::npos;
      auto end = partial ? data.size() : nl;
      uint64_t n = end - pos + 1;
      count(sub, n);
      if (sink_.record) sink_.record(sub, n, stream, data.substr(pos, end - pos), now, partial);
      pos = end + 1;
    }
  }

  std::unique_ptr<log_writer> log_;
  std::vector<subscriber> subs_;
  std::vector<subscriber> readers_;
  sink sink_;
};

}  // namespace ctrd::ctr
