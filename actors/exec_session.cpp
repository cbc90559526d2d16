#include "actors/exec_session.hpp"
#include "actors/close_fd.hpp"

#include <sys/ioctl.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include "actors/guard.hpp"

#include <spdlog/spdlog.h>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/atoms.hpp"
#include "actors/caf_error.hpp"
#include "actors/host_loop.hpp"
#include "messages/limits.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::exec_job)

namespace ctrd {
namespace {

struct exec_state {
  static inline const char* name = "exec";
  exec_job job;
  held_child child;
  bool out_open = false, err_open = false, exited = false, detached = false;
  int busy = 0;  // output chunks sent to the client and not yet taken (at most one per stream)
  int exit_code = 0;
  std::string stdin_buf;
  bool stdin_eof = false, stdin_waiting = false;
  caf::typed_response_promise<json> rp;
};

// A class of its own, not an alias (docs/architecture.md, "Short type names").
using exec_base = exec_session_actor::stateful_base<exec_state>;
struct exec_t final : exec_base {
  using exec_base::exec_base;
};

void close_stream(exec_t* self, int stream) {
  auto& s = self->state;
  int& fd = stream == stream_stdout ? s.child.out_fd : s.child.err_fd;
  s.job.host->unwatch(fd);
  close_fd(fd);
  (stream == stream_stdout ? s.out_open : s.err_open) = false;
}

void try_finish(exec_t* self) {
  auto& s = self->state;
  if (!s.exited || s.out_open || s.err_open) return;
  if (!s.detached) s.rp.deliver(json{{"id", s.job.container_id}, {"exit_code", s.exit_code}});
  // A typed actor sends to the (untyped) container actor anonymously.
  caf::anon_send(s.job.container, exec_ended_atom::value, s.exit_code);
  if (s.child.in_fd >= 0) s.job.host->unwatch(s.child.in_fd);
  close_fd(s.child.in_fd);
  self->quit();
}

void flush_stdin(exec_t* self) {
  auto& s = self->state;
  while (!s.stdin_buf.empty() && s.child.in_fd >= 0) {
    ssize_t n = ::write(s.child.in_fd, s.stdin_buf.data(), s.stdin_buf.size());
    if (n > 0) {
      s.stdin_buf.erase(0, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EAGAIN) {
      s.stdin_waiting = true;
      s.job.host->watch_writable(s.child.in_fd, host_client_actor{self});
      return;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {  // the process closed its stdin
      s.stdin_buf.clear();
      break;
    }
  }
  // With a tty, stdin and output share the master: it stays open for the output.
  if (s.stdin_eof && s.stdin_buf.empty() && !s.job.spec.tty) {
    s.job.host->unwatch(s.child.in_fd);
    close_fd(s.child.in_fd);
  }
}

/// Runs the process: spawn held, join the cgroup, watch output, release.
caf::result<json> start(exec_t* self) {
  auto& s = self->state;
  host_client_actor me{self};
  try {
    s.child = s.job.host->spawn(s.job.spec, me);
    close_fd(s.job.spec.join_pidfd);
    if (s.job.cg.valid()) s.job.cg.add(s.child.pid, s.child.in_cgroup);
  } catch (const error& e) {
    close_fd(s.job.spec.join_pidfd);
    if (s.child.pid > 0) s.job.host->signal_pid(s.child.pid, SIGKILL);
    for (int* fd : {&s.child.release_fd, &s.child.out_fd, &s.child.err_fd, &s.child.in_fd})
      close_fd(*fd);
    self->quit();
    return make_caf_error(e.code(), e.what());
  }
  s.out_open = true;
  s.err_open = s.child.err_fd >= 0;
  s.job.host->watch_output(s.child.out_fd, stream_stdout, me);
  if (s.err_open) s.job.host->watch_output(s.child.err_fd, stream_stderr, me);
  if (!s.job.spec.interactive && !s.job.spec.tty) close_fd(s.child.in_fd);
  release_child(s.child);
  if (!s.stdin_buf.empty() || s.stdin_eof) flush_stdin(self);  // sent before the start
  s.rp = self->make_response_promise<json>();
  return s.rp;
}

exec_session_actor::behavior_type exec_actor(exec_t* self, exec_job job) {
  self->state.job = std::move(job);
  return guarded_typed_behavior<exec_session_actor>(
      self, [=](start_atom) { return start(self); },
      [=](output_atom, int stream, const std::string& data) {
        auto& s = self->state;
        auto rearm = [=] {
          auto& st = self->state;
          int fd = stream == stream_stdout ? st.child.out_fd : st.child.err_fd;
          if (fd >= 0) st.job.host->rearm(fd);
        };
        if (s.detached) return rearm();
        // The next chunk is read once the client's session took this one: a client that
        // does not read slows the exec'd process down (its pipe fills), as a terminal would.
        ++s.busy;
        auto took = [=] {
          --self->state.busy;
          rearm();
        };
        self->request(s.job.client, caf::infinite, output_atom::value, s.job.msgid, stream, data)
            .then([=](bool) { took(); }, [=](caf::error&) { took(); });
      },
      [=](eof_atom, int stream) {
        close_stream(self, stream);
        try_finish(self);
      },
      [=](exited_atom, int pid, int code, bool) {
        auto& s = self->state;
        if (pid != s.child.pid) return;
        s.exited = true;
        s.exit_code = code;
        // A background child may hold the pipes: give its output a moment, then stop reading.
        self->delayed_send(self, std::chrono::milliseconds(200), grace_atom::value);
        try_finish(self);
      },
      [=](grace_atom) {
        auto& s = self->state;
        if (s.busy > 0) {  // a slow client is still taking output: read the rest after it
          self->delayed_send(self, std::chrono::milliseconds(200), grace_atom::value);
          return;
        }
        if (s.out_open) close_stream(self, stream_stdout);
        if (s.err_open) close_stream(self, stream_stderr);
        try_finish(self);
      },
      [=](stdin_atom, const std::string& data, bool eof) {
        auto& s = self->state;
        if (!s.job.spec.interactive && !s.job.spec.tty) return;  // stdin is /dev/null
        if (s.stdin_buf.size() + data.size() > limits::stdin_backlog_bytes) return;
        s.stdin_buf += data;
        s.stdin_eof = s.stdin_eof || eof;
        // Input may arrive before (start_atom): it waits for the process.
        if (s.child.in_fd >= 0 && !s.stdin_waiting) flush_stdin(self);
      },
      [=](writable_atom) {
        self->state.stdin_waiting = false;
        flush_stdin(self);
      },
      [=](resize_atom, int rows, int cols) -> json {
        auto& s = self->state;
        if (!s.job.spec.tty || s.child.out_fd < 0) return json{{"id", s.job.container_id}};
        winsize ws{};
        ws.ws_row = static_cast<unsigned short>(rows);
        ws.ws_col = static_cast<unsigned short>(cols);
        ::ioctl(s.child.out_fd, TIOCSWINSZ, &ws);
        return json{{"id", s.job.container_id}};
      },
      [=](detach_atom, const caf::actor&, uint32_t) -> json {
        auto& s = self->state;
        if (!s.detached) s.rp.deliver(json{{"id", s.job.container_id}, {"detached", true}});
        s.detached = true;
        return json::object();
      });
}

}  // namespace

exec_session_actor spawn_exec(caf::actor_system& sys, exec_job job) {
  return sys.spawn(exec_actor, std::move(job));
}

}  // namespace ctrd
