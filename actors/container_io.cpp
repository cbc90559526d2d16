// The container actor's I/O with clients: attach (with log replay), detach, stdin (pipe or
// pty) with bounded buffering, terminal resize. See container_impl.hpp.
#include <cerrno>
#include <cstring>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/container_impl.hpp"
#include "actors/host_loop.hpp"

namespace ctrd::ctr {

namespace {

/// Largest stdin backlog kept for a container that does not read its stdin.
constexpr std::size_t stdin_cap = 1u << 20;
/// Largest live output held for a subscriber while its log history is replayed.
constexpr std::size_t replay_queue_cap = 8u << 20;

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
        s.deps.host->watch_writable(fd, caf::actor_cast<caf::actor>(self));
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
    close_fd(s.child.in_fd);
  }
  s.stdin_buf.clear();
  s.stdin_eof = false;
  s.stdin_waiting = false;
}

void on_stdin(actor_t* self, const std::string& data, bool eof) {
  auto& s = self->state;
  if (!s.cfg.interactive) return;  // stdin is /dev/null: nothing listens
  if (s.stdin_buf.size() + data.size() > stdin_cap) {
    spdlog::warn("container {}: stdin backlog over {} bytes, input dropped", s.cfg.name, stdin_cap);
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
    return make_caf_error(ec::invalid_state, "container " + s.cfg.name + " has no terminal (create it with -t)");
  if (rows <= 0 || cols <= 0 || rows > 10000 || cols > 10000)
    return make_caf_error(ec::invalid_argument, "invalid terminal size " + std::to_string(rows) + "x" + std::to_string(cols));
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

void forward_output(actor_t* self, int stream, const std::string& data) {
  auto& s = self->state;
  for (auto& sub : s.subs) {
    if (!sub.replaying) {
      self->send(sub.sub, output_atom::value, sub.msgid, stream, data);
    } else if (sub.queued_bytes + data.size() <= replay_queue_cap) {
      sub.queued.emplace_back(stream, data);
      sub.queued_bytes += data.size();
    }
  }
}

caf::result<json> attach(actor_t* self, caf::actor sub, uint32_t msgid, bool logs) {
  auto& s = self->state;
  auto out = lifecycle::apply(s.st.state, lifecycle::event::attach);
  if (!out.ok)
    return make_caf_error(out.error, lifecycle::render_error(out.error_text, s.cfg.id, s.st.state));
  (void)logs;  // the log replay arrives with the log-file component
  auto rp = self->make_response_promise<json>();
  self->monitor(sub);
  s.subs.push_back(subscriber{sub, msgid, rp});
  spdlog::debug("container {} {}: attach", s.cfg.id.substr(0, 12), s.cfg.name);
  return rp;
}

void detach(actor_t* self, const caf::actor_addr& who, uint32_t msgid) {
  auto& subs = self->state.subs;
  for (auto it = subs.begin(); it != subs.end(); ++it) {
    if (it->sub.address() != who || it->msgid != msgid) continue;
    it->rp.deliver(json{{"id", self->state.cfg.id}, {"detached", true}});
    subs.erase(it);
    return;
  }
}

}  // namespace ctrd::ctr
