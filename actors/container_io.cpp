// The container actor's I/O with clients: attach (with log replay), detach, stdin (pipe or
// pty) with bounded buffering, terminal resize. See container_impl.hpp.
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <caf/blocking_actor.hpp>
#include <caf/spawn_options.hpp>

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/container_impl.hpp"
#include "actors/host_loop.hpp"
#include "actors/paced_sender.hpp"
#include "messages/limits.hpp"
#include "runtime/proc.hpp"

namespace ctrd::ctr {

namespace {

void flush_stdin(actor_t* self) {
  auto& s = self->state;
  int fd = s.child.in_fd;
  while (!s.stdin_buf.empty()) {
    auto n = ::write(fd, s.stdin_buf.data(), s.stdin_buf.size());
    if (n > 0) {
      s.stdin_buf.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      if (!s.stdin_waiting) {
        s.stdin_waiting = true;
        s.deps.host->watch_writable(fd, host_client_actor{self});
      }
      return;
    }
    close_stdin(self);  // EPIPE: the process closed its stdin
    return;
  }
  if (s.stdin_eof) {
    if (s.cfg.tty) {
      char eot = 4;  // ^D: end of input for a terminal in canonical mode
      (void)!::write(fd, &eot, 1);
      s.stdin_eof = false;
    } else {
      close_stdin(self);
    }
  }
}

}  // namespace

void close_stdin(actor_t* self) {
  auto& s = self->state;
  if (s.child.in_fd >= 0) {
    s.deps.host->unwatch(s.child.in_fd);
    s.deps.host->release_stdin(s.cfg.id);  // the holder's duplicate would hold EOF back
    close_fd(s.child.in_fd);
  }
  s.stdin_buf.clear();
  s.stdin_eof = false;
  s.stdin_waiting = false;
}

void on_stdin(actor_t* self, const std::string& data, bool eof) {
  auto& s = self->state;
  if (!s.cfg.interactive) return;  // stdin is /dev/null: nothing listens
  if (s.stdin_buf.size() + data.size() > limits::stdin_backlog_bytes) {
    spdlog::warn("container {}: stdin backlog over {} bytes, input dropped", s.cfg.name,
                 limits::stdin_backlog_bytes);
    return;
  }
  s.stdin_buf += data;
  s.stdin_eof = s.stdin_eof || eof;
  // Input that arrives before the process exists (an attached start) waits for the spawn.
  if (s.child.in_fd >= 0 && !s.stdin_waiting) flush_stdin(self);
}

void on_stdin_writable(actor_t* self) {
  self->state.stdin_waiting = false;
  flush_stdin(self);
}

caf::result<json> resize(actor_t* self, int rows, int cols) {
  auto& s = self->state;
  if (!s.cfg.tty)
    return make_caf_error(ec::invalid_state,
                          "container " + s.cfg.name + " has no terminal (create it with -t)");
  if (rows <= 0 || cols <= 0 || rows > 10000 || cols > 10000)
    return make_caf_error(ec::invalid_argument, "invalid terminal size " + std::to_string(rows) +
                                                    "x" + std::to_string(cols));
  // Remembered, so that a size sent right behind an attached start applies to the new terminal.
  s.tty_rows = static_cast<unsigned short>(rows);
  s.tty_cols = static_cast<unsigned short>(cols);
  apply_tty_size(self);
  return reply(s.id_reply());
}

void apply_tty_size(actor_t* self) {
  auto& s = self->state;
  if (!s.cfg.tty || s.child.out_fd < 0 || s.tty_rows == 0) return;
  winsize ws{};
  ws.ws_row = s.tty_rows;
  ws.ws_col = s.tty_cols;
  ::ioctl(s.child.out_fd, TIOCSWINSZ, &ws);  // the kernel sends SIGWINCH to the foreground group
}

namespace {

/// Output sent to a subscriber was taken (or its session is gone).
void taken(actor_t* self, const caf::actor_addr& who, uint32_t msgid, uint64_t n) {
  self->state.out.taken(who, msgid, n);
}

/// Sends one message of `n` bytes to a subscriber's session, counted in flight until taken.
template <class... Ts>
void send_counted(actor_t* self, fanout::subscriber& sub, uint64_t n, Ts&&... xs) {
  auto who = sub.client.key();
  auto msgid = sub.msgid;
  self->request(sub.client.actor, caf::infinite, std::forward<Ts>(xs)...)
      .then([=](bool) { taken(self, who, msgid, n); },
            [=](caf::error&) { taken(self, who, msgid, n); });
}

}  // namespace

void connect_fanout(actor_t* self) {
  fanout::sink sink;
  sink.chunk = [self](fanout::subscriber& sub, uint64_t n, int stream, const std::string& data) {
    send_counted(self, sub, n, output_atom::value, sub.msgid, stream, data);
  };
  sink.record = [self](fanout::subscriber& sub, uint64_t n, int stream, std::string text,
                       std::string time, bool partial) {
    send_counted(self, sub, n, record_atom::value, sub.msgid, stream, std::move(text),
                 std::move(time), partial);
  };
  sink.dropped = [self](fanout::subscriber& sub, uint64_t dropped) {
    spdlog::debug("container {}: {} bytes of output dropped for a slow client",
                  self->state.cfg.name, dropped);
    send_counted(self, sub, 1, output_atom::value, sub.msgid, dropped);
  };
  self->state.out.set_sink(std::move(sink));
}

namespace {

/// Where a replay goes: the subscriber and its request, then the container. A struct of
/// its own so that log_reader's lambdas have short type names (docs/architecture.md).
struct replay_target {
  caf::actor sub;
  uint32_t msgid = 0;
  container_actor container;
};

/// Runs on its own thread: sends the history of a log snapshot to a client, then tells the
/// container so that live output can follow with no gap or duplicate.
void log_reader(caf::blocking_actor* self, std::shared_ptr<log_snapshot> snap, log_query q,
                bool timestamps, replay_target to) {
  const auto& sub = to.sub;
  const auto msgid = to.msgid;
  std::string chunk;
  int chunk_stream = stream_stdout;
  // One message in flight: the next is sent once the session took the last, so the
  // history of a client that does not read waits here instead of growing ctrd.
  paced_sender<caf::actor> out{self, sub};
  auto flush = [&] {
    if (!chunk.empty()) out.deliver(output_atom::value, msgid, chunk_stream, std::move(chunk));
    chunk.clear();
    return !out.gone();
  };
  read_log(*snap, q, [&](const log_record& r) {
    int stream = r.is_stderr ? stream_stderr : stream_stdout;
    if (timestamps)
      return out.deliver(record_atom::value, msgid, stream, std::string(r.text),
                         std::string(r.time), r.partial);
    if (stream != chunk_stream || chunk.size() > (64u << 10)) {
      if (!flush()) return false;
    }
    chunk_stream = stream;
    chunk.append(r.text);
    if (!r.partial) chunk += '\n';
    return true;
  });
  flush();
  self->send(to.container, replayed_atom::value, sub, msgid);
}

std::string time_param(const json& q, const char* key) {
  auto it = q.find(key);
  if (it == q.end() || it->is_null()) return {};
  if (!it->is_number_integer() || it->get<int64_t>() < 0)
    throw error(ec::invalid_argument,
                std::string("parameter \"") + key + "\" must be ns since the epoch");
  auto ns = it->get<int64_t>();
  return ns == 0 ? std::string() : proc::rfc3339(ns);
}

/// Starts the replay of the history for a subscriber already registered as replaying.
void start_replay(actor_t* self, const log_query& q, bool timestamps, const caf::actor& sub,
                  uint32_t msgid) {
  auto& s = self->state;
  // Taken here, in the actor: everything written before is in the snapshot, everything
  // after goes to the subscriber's queue.
  auto snap = std::make_shared<log_snapshot>(s.out.log() ? s.out.log()->snapshot()
                                                         : snapshot_log(s.log_path()));
  self->system().spawn<caf::detached>(log_reader, snap, q, timestamps,
                                      replay_target{sub, msgid, container_actor{self}});
}

}  // namespace

caf::result<json> logs(actor_t* self, caf::actor sub, uint32_t msgid, const json& query) {
  auto& s = self->state;
  log_query q;
  bool follow = false, timestamps = false;
  try {
    q.since = time_param(query, "since");
    q.until = time_param(query, "until");
    if (auto t = query.find("tail"); t != query.end() && !t->is_null()) {
      if (!t->is_number_integer() || t->get<int64_t>() < -1)
        throw error(ec::invalid_argument,
                    "parameter \"tail\" must be -1 (all) or a number of lines");
      q.tail = t->get<int64_t>();
    }
    follow = query.value("follow", false);
    timestamps = query.value("timestamps", false);
  } catch (const json::exception&) {
    return make_caf_error(ec::invalid_argument,
                          "logs parameters follow/timestamps must be booleans");
  } catch (const ctrd::error& e) {
    return make_caf_error(e.code(), e.what());
  }
  // Only the k8s-file driver keeps a log ctrd can read (ctrctl reads journald's itself).
  if (s.cfg.log_driver == "none")
    return make_caf_error(ec::invalid_argument,
                          "this container is using the 'none' log driver, cannot read logs: "
                          "this container is not logging output");
  if (s.cfg.log_driver == "journald")
    return make_caf_error(ec::invalid_argument,
                          "container " + s.cfg.name +
                              " logs to the journal (log driver journald): read it with "
                              "journalctl CONTAINER_ID_FULL=" +
                              s.cfg.id + " (ctrctl logs does so)");
  // podman: a container without a process (never started, exited) has nothing to follow,
  // so `logs -f` prints its history and ends.
  if (s.st.state == container_state::configured || s.st.state == container_state::exited)
    follow = false;
  auto rp = self->make_response_promise<json>();
  self->monitor(sub);
  auto& sub_rec = follow ? s.out.add({sub, rp}, msgid) : s.out.add_reader({sub, rp}, msgid);
  sub_rec.follow = follow;
  if (auto t = query.find("since"); t != query.end() && t->is_number_integer())
    sub_rec.live_since_ns = t->get<int64_t>();
  sub_rec.replaying = true;
  sub_rec.timestamps = timestamps;
  start_replay(self, q, timestamps, sub, msgid);
  return rp;
}

void on_replayed(actor_t* self, const caf::actor_addr& who, uint32_t msgid) {
  auto& s = self->state;
  s.out.replayed(who, msgid, [&](output_client& c) { c.rp.deliver(s.id_reply()); });
}

caf::result<json> attach(actor_t* self, caf::actor sub, uint32_t msgid, bool logs) {
  auto& s = self->state;
  auto out = lifecycle::apply(s.st.state, lifecycle::event::attach);
  if (!out.ok)
    return make_caf_error(out.error, lifecycle::render_error(out.error_text, s.cfg.id, s.st.state));
  auto rp = self->make_response_promise<json>();
  self->monitor(sub);
  s.out.add({sub, rp}, msgid).replaying = logs;
  if (logs) start_replay(self, log_query{}, false, sub, msgid);
  emit_event(self, "attach");
  return rp;
}

void detach(actor_t* self, const caf::actor_addr& who, uint32_t msgid) {
  auto& s = self->state;
  s.out.detach(who, msgid, [&](output_client& c) {
    c.rp.deliver(json{{"id", s.cfg.id}, {"detached", true}});
  });
}

}  // namespace ctrd::ctr

namespace ctrd::ctr {
namespace {

/// The condition of `conds` that holds now, or "".
std::string holding(const state& s, const std::vector<std::string>& conds) {
  for (const auto& c : conds) {
    if ((c == "healthy" || c == "unhealthy") && s.st.health == c) return c;
    auto st = parse_container_state(c);
    if (st && *st == s.st.state) return c;
  }
  return {};
}

json wait_reply(const state& s, const std::string& cond) {
  bool exit_cond = cond == "stopped" || cond == "exited";
  return json{
      {"id", s.cfg.id}, {"exit_code", exit_cond ? s.st.exit_code : -1}, {"condition", cond}};
}

}  // namespace

caf::result<json> wait_for(actor_t* self, const std::vector<std::string>& conds) {
  auto& s = self->state;
  for (const auto& c : conds) {
    if (c == "healthy" || c == "unhealthy") {
      if (s.cfg.health.cmd.empty())
        return make_caf_error(
            ec::invalid_argument,
            "cannot use condition \"" + c + "\": container " + s.cfg.name + " has no healthcheck");
    } else if (!parse_container_state(c)) {
      return make_caf_error(ec::invalid_argument, "invalid wait condition \"" + c + "\"");
    }
  }
  if (auto c = holding(s, conds); !c.empty()) return reply(wait_reply(s, c));
  auto rp = self->make_response_promise<json>();
  s.replies.wait_condition(conds, rp);
  return rp;
}

void check_waiters(actor_t* self) {
  auto& s = self->state;
  s.replies.answer_conditions([&](const std::vector<std::string>& conds) -> std::optional<json> {
    auto c = holding(s, conds);
    if (c.empty()) return std::nullopt;
    return wait_reply(s, c);
  });
}

}  // namespace ctrd::ctr
