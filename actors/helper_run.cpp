#include "actors/helper_run.hpp"
#include "actors/close_fd.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <optional>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/guard.hpp"
#include "actors/host_loop.hpp"
#include "runtime/process_defaults.hpp"

namespace ctrd {
namespace {

/// Most of each stream kept.
constexpr std::size_t stream_cap = 1u << 20;

struct helper_run_state {
  static inline const char* name = "helper_run";
  host* h = nullptr;
  held_child child;
  bool out_open = false, err_open = false, exited = false;
  int exit_code = -1;
  std::string out, err;
  std::string input;
  std::size_t written = 0;
  std::optional<caf::typed_response_promise<int, std::string, std::string>> rp;
  bool answered = false;
};

// A class of its own, not an alias (docs/architecture.md, "Short type names").
using run_base = helper_run_actor::stateful_base<helper_run_state>;
struct run_t final : run_base {
  using run_base::run_base;
};

void close_stdin(run_t* self) {
  auto& s = self->state;
  if (s.child.in_fd < 0) return;
  s.h->unwatch(s.child.in_fd);
  close_fd(s.child.in_fd);
}

/// Answers once the program has exited and both pipes are drained (and it was asked).
void try_finish(run_t* self) {
  auto& s = self->state;
  if (s.answered || !s.rp || !s.exited || s.out_open || s.err_open) return;
  s.answered = true;
  close_stdin(self);
  s.rp->deliver(s.exit_code, std::move(s.out), std::move(s.err));
  self->quit();
}

/// Writes the input until the pipe is full (then waits for it to drain) or all is written.
void write_input(run_t* self) {
  auto& s = self->state;
  while (s.child.in_fd >= 0 && s.written < s.input.size()) {
    ssize_t n = ::write(s.child.in_fd, s.input.data() + s.written, s.input.size() - s.written);
    if (n > 0) {
      s.written += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      s.h->watch_writable(s.child.in_fd, host_client_actor{self});
      return;
    } else {
      break;  // it stopped reading: its status tells
    }
  }
  close_stdin(self);
}

void close_stream(run_t* self, int stream) {
  auto& s = self->state;
  int& fd = stream == stream_stdout ? s.child.out_fd : s.child.err_fd;
  (stream == stream_stdout ? s.out_open : s.err_open) = false;
  if (fd < 0) return;
  s.h->unwatch(fd);
  close_fd(fd);
}

/// Spawns the program; on failure the result is 127 with the reason.
void start(run_t* self, const helper_command& cmd) {
  auto& s = self->state;
  host_client_actor me{self};
  try {
    spawn_spec sp;
    sp.path = cmd.path;
    sp.argv = cmd.argv;
    sp.env = cmd.env;
    sp.workdir = "/";
    sp.interactive = true;
    sp.hold = false;
    apply_process_limits(process_limits{}, sp);
    s.child = s.h->spawn(sp, me);
  } catch (const std::exception& e) {
    s.exited = true;
    s.exit_code = 127;
    s.err = "cannot run " + cmd.path + ": " + e.what();
    return;
  }
  release_child(s.child);
  int fl = ::fcntl(s.child.in_fd, F_GETFL);
  if (fl >= 0) ::fcntl(s.child.in_fd, F_SETFL, fl | O_NONBLOCK);
  s.out_open = s.err_open = true;
  s.h->watch_output(s.child.out_fd, stream_stdout, me);
  s.h->watch_output(s.child.err_fd, stream_stderr, me);
  write_input(self);
}

helper_run_actor::behavior_type helper_run(run_t* self, host* h, helper_command cmd) {
  auto& s = self->state;
  s.h = h;
  s.input = std::move(cmd.input);
  start(self, cmd);
  return guarded_typed_behavior<helper_run_actor>(
      self,
      [=](run_atom) -> caf::result<int, std::string, std::string> {
        auto& st = self->state;
        st.rp = self->make_response_promise<int, std::string, std::string>();
        auto rp = *st.rp;
        try_finish(self);
        return rp;
      },
      [=](output_atom, int stream, const std::string& bytes) {
        auto& st = self->state;
        auto& buf = stream == stream_stdout ? st.out : st.err;
        if (buf.size() < stream_cap) buf += bytes.substr(0, stream_cap - buf.size());
        st.h->rearm(stream == stream_stdout ? st.child.out_fd : st.child.err_fd);
      },
      [=](eof_atom, int stream) {
        close_stream(self, stream);
        try_finish(self);
      },
      [=](exited_atom, int pid, int code, bool) {
        auto& st = self->state;
        if (pid != st.child.pid) return;
        st.exited = true;
        st.exit_code = code;
        try_finish(self);
      },
      [=](writable_atom) { write_input(self); });
}

}  // namespace

helper_run_actor spawn_helper_run(caf::actor_system& sys, host* h, helper_command cmd) {
  return sys.spawn(helper_run, h, std::move(cmd));
}

}  // namespace ctrd
