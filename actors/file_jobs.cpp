#include "actors/file_jobs.hpp"
#include "actors/close_fd.hpp"

#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/guard.hpp"
#include "actors/host_loop.hpp"
#include "messages/error.hpp"
#include "messages/value_codec.hpp"
#include "runtime/fs_root.hpp"
#include "runtime/process_defaults.hpp"

namespace ctrd {
namespace {

/// How long an upload may pause before the job gives up.
constexpr auto upload_idle = std::chrono::seconds(60);

/// Bytes per data message to the session (well below the 8 MiB frame limit): the pipe's
/// 64 KiB reads are gathered up to this, as the job's thread did before.
constexpr std::size_t chunk_size = 256u << 10;

/// Most of the helper's stderr kept (its status line, or a crash report).
constexpr std::size_t status_cap = 64u << 10;

struct tar_job_state {
  static inline const char* name = "tar_job";
  root_grant g;
  fs::unique_fd root;
  file_job_client_actor session;
  uint32_t msgid = 0;
  tarjob::tar_job_spec spec;
  held_child child;
  bool out_open = false, err_open = false, exited = false, finished = false;
  int exit_code = 0;
  std::string status;     ///< the helper's stderr
  uint64_t sent = 0;      ///< out: archive bytes the session took
  std::string outbuf;     ///< out: archive bytes read, not yet sent to the session
  bool out_busy = false;  ///< out: a chunk is with the session
  // in: the client's chunks not yet written to the helper's stdin
  std::deque<std::string> pending;
  std::size_t off = 0;
  bool eof_seen = false, waiting_writable = false;
  uint64_t consumed = 0;
  std::chrono::steady_clock::time_point last_data;
  /// The client went away: the helper is killed, nobody is left to answer.
  bool gone = false;
  /// An error ctrd decided (the upload stalled), reported instead of the helper's status.
  std::optional<error> failure;
};

// A class of its own, not an alias (docs/architecture.md, "Short type names").
using job_base = file_job_actor::stateful_base<tar_job_state>;
struct job_t final : job_base {
  using job_base::job_base;
};

void kill_helper(job_t* self) {
  auto& s = self->state;
  if (s.child.pid > 0 && !s.exited) s.g.host->signal_pid(s.child.pid, SIGKILL);
}

void close_stdin(job_t* self) {
  auto& s = self->state;
  if (s.child.in_fd < 0) return;
  // Always: a fired one-shot writable watch stays registered under the fd's number, and a
  // later descriptor with that number would inherit it.
  s.g.host->unwatch(s.child.in_fd);
  s.waiting_writable = false;
  close_fd(s.child.in_fd);
  s.pending.clear();
  s.off = 0;
}

void close_stream(job_t* self, int stream) {
  auto& s = self->state;
  int& fd = stream == stream_stdout ? s.child.out_fd : s.child.err_fd;
  if (fd >= 0) s.g.host->unwatch(fd);
  close_fd(fd);
  (stream == stream_stdout ? s.out_open : s.err_open) = false;
}

/// The answer to the session: ctrd's own failure, the helper's status, or its exit.
void answer(job_t* self) {
  auto& s = self->state;
  auto nl = s.status.find('\n');
  if (nl != std::string::npos && nl + 1 < s.status.size())
    spdlog::warn("ctrd-tar for container {}: {}", s.g.id, s.status.substr(nl + 1));
  if (s.failure) {
    self->send(s.session, job_done_atom::value, s.msgid, static_cast<int>(s.failure->code()),
               std::string(s.failure->what()));
    return;
  }
  auto st = tarjob::decode_status(s.status);
  if (!st) {
    auto what = tarjob::describe_exit(s.exit_code);
    if (!s.status.empty()) what += ": " + s.status.substr(0, std::min<std::size_t>(nl, 512));
    spdlog::warn("container {}: {}", s.g.id, what);
    self->send(s.session, job_done_atom::value, s.msgid, static_cast<int>(ec::internal), what);
    return;
  }
  if (!st->ok) {
    self->send(s.session, job_done_atom::value, s.msgid, static_cast<int>(st->code), st->message);
    return;
  }
  json result = s.spec.in ? json{{"id", s.g.id}, {"entries", st->entries}, {"bytes", st->bytes}}
                          : json{{"id", s.g.id}, {"bytes", s.sent}};
  self->send(s.session, job_done_atom::value, s.msgid, result);
}

/// Ends the job once the helper has exited and its pipes are drained.
void try_finish(job_t* self) {
  auto& s = self->state;
  if (s.finished || !s.exited || s.out_open || s.err_open || s.out_busy) return;
  s.finished = true;
  close_stdin(self);
  if (!s.gone) answer(self);
  s.root = fs::unique_fd();
  self->send(s.g.owner, release_atom::value);
  self->quit();
}

/// Writes the client's chunks to the helper's stdin until the pipe is full.
void write_pending(job_t* self) {
  auto& s = self->state;
  while (!s.pending.empty() && s.child.in_fd >= 0) {
    auto& front = s.pending.front();
    ssize_t n = ::write(s.child.in_fd, front.data() + s.off, front.size() - s.off);
    if (n > 0) {
      s.off += static_cast<std::size_t>(n);
      if (s.off == front.size()) {
        s.consumed += front.size();
        self->send(s.session, ack_atom::value, s.msgid, s.consumed);
        s.pending.pop_front();
        s.off = 0;
      }
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      s.waiting_writable = true;
      s.g.host->watch_writable(s.child.in_fd, host_client_actor{self});
      return;
    } else {  // the helper stopped reading (it ended or failed): its status tells
      close_stdin(self);
      return;
    }
  }
  if (s.pending.empty() && s.eof_seen) close_stdin(self);
}

void client_gone(job_t* self) {
  auto& s = self->state;
  if (s.gone) return;
  s.gone = true;
  s.outbuf.clear();
  kill_helper(self);
  close_stdin(self);
}

/// Sends the gathered archive bytes to the session (one request in flight); once it took
/// them, reading the helper's stdout goes on (flow control: a slow client stalls the helper).
void send_chunk(job_t* self) {
  auto& s = self->state;
  s.out_busy = true;
  auto n = s.outbuf.size();
  auto next = [=] {
    auto& st = self->state;
    st.out_busy = false;
    if (st.child.out_fd >= 0) st.g.host->rearm(st.child.out_fd);
    try_finish(self);
  };
  self->request(s.session, caf::infinite, data_atom::value, s.msgid, std::exchange(s.outbuf, {}))
      .then(guard(self,
                  [=](bool) {
                    self->state.sent += n;
                    next();
                  }),
            guard(self, [=](caf::error&) {
              client_gone(self);
              next();
            }));
}

/// Spawns the helper; false (after answering) when it cannot run.
bool start(job_t* self) {
  auto& s = self->state;
  host_client_actor me{self};
  try {
    if (!s.g.host) throw error(ec::internal, "no host loop for the tar helper");
    auto path = tarjob::helper_path();
    if (::access(path.c_str(), X_OK) != 0)
      throw error(ec::internal, "ctrd-tar not found at " + path + ": " + std::strerror(errno));
    spawn_spec sp;
    sp.path = path;
    sp.argv = tarjob::to_argv("ctrd-tar", s.spec);
    for (const char* name : {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"})
      if (const char* v = std::getenv(name)) sp.env.push_back(std::string(name) + "=" + v);
    sp.workdir = "/";
    sp.interactive = s.spec.in;
    sp.hold = false;
    sp.pass_fd = s.root.get();
    apply_process_limits(process_limits{}, sp);
    s.child = s.g.host->spawn(sp, me);
  } catch (const std::exception& e) {
    auto* known = dynamic_cast<const error*>(&e);
    self->send(s.session, job_done_atom::value, s.msgid,
               static_cast<int>(known ? known->code() : ec::internal), std::string(e.what()));
    s.root = fs::unique_fd();
    self->send(s.g.owner, release_atom::value);
    return false;
  }
  release_child(s.child);    // spawned without a hold: a no-op unless the spawner had to hold it
  s.root = fs::unique_fd();  // the helper has its own copy
  s.out_open = s.err_open = true;
  s.g.host->watch_output(s.child.out_fd, stream_stdout, me);
  s.g.host->watch_output(s.child.err_fd, stream_stderr, me);
  if (s.spec.in) {
    s.last_data = std::chrono::steady_clock::now();
    self->delayed_send(self, upload_idle, timeout_atom::value);
  }
  return true;
}

file_job_actor::behavior_type tar_job(job_t* self, root_grant g, file_job_client_actor session,
                                      uint32_t msgid, tarjob::tar_job_spec spec) {
  auto& s = self->state;
  s.root = fs::unique_fd(g.fd);
  g.fd = -1;
  if (spec.in && !g.uid_map.empty()) {
    spec.uid_map = g.uid_map;
    spec.gid_map = g.gid_map;
    spec.fs_uid = g.uid;
    spec.fs_gid = g.gid;
  }
  s.g = std::move(g);
  s.session = std::move(session);
  s.msgid = msgid;
  s.spec = std::move(spec);
  if (!start(self)) {
    self->quit();
    return file_job_actor::behavior_type::make_empty_behavior();
  }
  self->monitor(s.session);
  self->set_down_handler([=](caf::down_msg& dm) {
    if (dm.source == self->state.session) client_gone(self);
  });
  return guarded_typed_behavior<file_job_actor>(
      self,
      [=](output_atom, int stream, const std::string& bytes) {
        auto& st = self->state;
        int fd = stream == stream_stdout ? st.child.out_fd : st.child.err_fd;
        if (stream == stream_stderr) {
          if (st.status.size() < status_cap)
            st.status += bytes.substr(0, status_cap - st.status.size());
          return st.g.host->rearm(fd);
        }
        if (st.spec.in || st.gone) return st.g.host->rearm(fd);  // nothing to forward
        st.outbuf += bytes;
        if (st.outbuf.size() < chunk_size) return st.g.host->rearm(fd);
        send_chunk(self);  // the next read comes once the session took it
      },
      [=](eof_atom, int stream) {
        close_stream(self, stream);
        if (stream == stream_stdout && !self->state.outbuf.empty() && !self->state.gone)
          send_chunk(self);
        try_finish(self);
      },
      [=](exited_atom, int pid, int code, bool) {
        auto& st = self->state;
        if (pid != st.child.pid) return;
        st.exited = true;
        st.exit_code = code;
        try_finish(self);
      },
      [=](data_atom, std::string& bytes, bool eof) {
        auto& st = self->state;
        if (!st.spec.in || st.gone || st.child.in_fd < 0) return;
        st.last_data = std::chrono::steady_clock::now();
        if (!bytes.empty()) st.pending.push_back(std::move(bytes));
        st.eof_seen = st.eof_seen || eof;
        if (!st.waiting_writable) write_pending(self);
      },
      [=](writable_atom) {
        self->state.waiting_writable = false;
        write_pending(self);
      },
      [=](timeout_atom) {
        auto& st = self->state;
        if (st.finished || st.child.in_fd < 0 || st.eof_seen) return;
        auto idle = std::chrono::steady_clock::now() - st.last_data;
        if (!st.pending.empty() || idle < upload_idle) {  // the helper is busy, or data came
          auto left = st.pending.empty() ? upload_idle - idle : upload_idle;
          self->delayed_send(self,
                             std::chrono::duration_cast<std::chrono::milliseconds>(left) +
                                 std::chrono::milliseconds(1),
                             timeout_atom::value);
          return;
        }
        st.failure = error(ec::invalid_argument, "the client stopped sending the archive for 60 s");
        kill_helper(self);
        close_stdin(self);
      });
}

}  // namespace

file_job_actor spawn_tar_job(caf::actor_system& sys, root_grant grant,
                             file_job_client_actor session, uint32_t msgid,
                             tarjob::tar_job_spec spec) {
  return sys.spawn(tar_job, std::move(grant), std::move(session), msgid, std::move(spec));
}

}  // namespace ctrd
