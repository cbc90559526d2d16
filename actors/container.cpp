#include "actors/container.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/container_view.hpp"
#include "actors/host_loop.hpp"
#include "actors/log_format.hpp"
#include "actors/proc.hpp"
#include "messages/atoms.hpp"
#include "messages/signals.hpp"
#include "supervisor/lifecycle.hpp"

namespace ctrd {
namespace {

using promise = caf::typed_response_promise<json>;
using lifecycle::effect;
using lifecycle::event;

enum class deferred_kind { stop, restart, remove };

struct deferred_reply {
  deferred_kind kind;
  promise rp;
};

struct subscriber {
  caf::actor sub;
  uint32_t msgid;
  promise rp;
};

/// Per-request inputs of one lifecycle step.
struct request_ctx {
  lifecycle::context lc;
  uint32_t timeout = 0;  ///< stop timeout in effect
  int signal = 0;        ///< kill signal
  deferred_kind kind = deferred_kind::stop;
  promise* rp = nullptr;  ///< the request's promise, for defer_reply
};

struct ctr_state {
  static inline const char* name = "container";
  container_config cfg;
  container_status st;
  container_deps deps;
  held_child child;           // release fd and output fds of the current process
  int log_fd = -1;
  bool out_open = false;      // stdout pipe not yet at EOF
  bool err_open = false;      // stderr pipe not yet at EOF
  bool group_drained = true;  // no process of the group is left
  bool main_ended = true;     // the main process has exited
  bool escalated = false;     // the last stop needed SIGKILL
  bool restart_pending = false;
  uint32_t stop_timeout_used = 0;
  uint64_t timer_gen = 0;     // cancels stale stop timers
  std::vector<subscriber> subs;
  std::vector<promise> waiters;
  std::vector<deferred_reply> deferred;
  std::string log_buf;

  std::string dir() const { return deps.containers_dir + "/" + cfg.id; }
  std::string log_path() const { return dir() + "/ctr.log"; }
  json id_reply() const { return json{{"id", cfg.id}}; }
  json exit_reply() const { return json{{"id", cfg.id}, {"exit_code", st.exit_code}}; }
};

using actor_t = caf::stateful_actor<ctr_state>;

/// Wraps a json reply for a caf::result<json>. Never return a json directly there:
/// caf::result brace-initialises its value, which turns a json object into [object].
caf::result<json> reply(json j) { return caf::expected<json>(std::move(j)); }

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

/// Tells the supervisor's replica about the current state.
void publish(actor_t* self) {
  auto& s = self->state;
  self->send(s.deps.supervisor, status_atom::value, s.cfg.id, summary_view(s.cfg, s.st));
}

/// Writes the state durably (store actor) and publishes it.
void persist(actor_t* self) {
  auto& s = self->state;
  self->send(s.deps.store, put_atom::value, s.cfg.id, s.st);
  publish(self);
}

void deliver_deferred(actor_t* self, deferred_kind kind, const json& reply) {
  auto& d = self->state.deferred;
  for (auto it = d.begin(); it != d.end();) {
    if (it->kind == kind) {
      it->rp.deliver(reply);
      it = d.erase(it);
    } else {
      ++it;
    }
  }
}

void fail_deferred(actor_t* self, deferred_kind kind, const caf::error& err) {
  auto& d = self->state.deferred;
  for (auto it = d.begin(); it != d.end();) {
    if (it->kind == kind) {
      it->rp.deliver(err);
      it = d.erase(it);
    } else {
      ++it;
    }
  }
}

spawn_spec make_spawn_spec(const container_config& c) {
  struct stat st;
  if (::stat(c.workdir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw error(ec::invalid_argument,
                "working directory \"" + c.workdir + "\" does not exist or is not a directory");
  spawn_spec spec;
  spec.path = resolve_command(c.command[0], c.env, c.workdir);
  spec.argv = c.command;
  spec.env = c.env;
  spec.workdir = c.workdir;
  if (!c.user.empty()) {
    uint32_t uid, gid;
    bool has_gid;
    parse_user(c.user, uid, gid, has_gid);
    spec.set_user = true;
    spec.uid = uid;
    spec.gid = gid;
  }
  return spec;
}

void spawn_process(actor_t* self) {
  auto& s = self->state;
  auto spec = make_spawn_spec(s.cfg);
  std::error_code ec_ignored;
  std::filesystem::create_directories(s.dir(), ec_ignored);
  if (s.log_fd < 0) {
    s.log_fd = ::open(s.log_path().c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (s.log_fd < 0)
      throw error(ec::internal, "cannot open log file " + s.log_path() + ": " + std::strerror(errno));
  }
  s.child = s.deps.host->spawn(spec, caf::actor_cast<caf::actor>(self));
  s.st.pid = s.child.pid;
  s.st.pid_start = proc::start_time(s.child.pid);
  s.out_open = s.err_open = true;
  s.group_drained = false;
  s.main_ended = false;
  auto me = caf::actor_cast<caf::actor>(self);
  s.deps.host->watch_output(s.child.out_fd, stream_stdout, me);
  s.deps.host->watch_output(s.child.err_fd, stream_stderr, me);
}

void remove_now(actor_t* self);

/// Answers `wait` requests and attached `start` requests with the exit code.
void answer_exit_waiters(actor_t* self) {
  auto& s = self->state;
  auto reply = s.exit_reply();
  for (auto& w : s.waiters) w.deliver(reply);
  s.waiters.clear();
  for (auto& sub : s.subs) sub.rp.deliver(reply);
  s.subs.clear();
}

void run_effect(actor_t* self, effect fx, request_ctx& rc) {
  auto& s = self->state;
  switch (fx) {
    case effect::reset_run:
      s.st.restart_count = 0;
      s.st.error.clear();
      s.st.stopped_by_user = false;
      s.st.exit_code = 0;
      s.st.has_exited = false;
      s.escalated = false;
      return;
    case effect::spawn_held: spawn_process(self); return;
    case effect::release:
      release_child(s.child);
      s.st.started_ns = proc::now_ns();
      return;
    case effect::mark_user_stopped: s.st.stopped_by_user = true; return;
    case effect::signal_stop:
      s.escalated = false;
      s.stop_timeout_used = rc.timeout;
      s.deps.host->signal_group(s.st.pid, rc.lc.stop_timeout_zero ? SIGKILL : s.cfg.stop_signal);
      return;
    case effect::arm_stop_timer:
      self->delayed_send(self, std::chrono::seconds(rc.timeout), timeout_atom::value, ++s.timer_gen);
      return;
    case effect::signal_user: s.deps.host->signal_pid(s.st.pid, rc.signal); return;
    case effect::kill_group: s.deps.host->signal_group(s.st.pid, SIGKILL); return;
    case effect::thaw:
    case effect::freeze:
      throw error(ec::invalid_state, "pause and unpause need a cgroup freezer, which ctrd does not manage yet");
    case effect::begin_cleanup:
      s.st.finished_ns = proc::now_ns();
      close_fd(s.child.release_fd);
      s.deps.host->signal_group(s.st.pid, SIGKILL);
      s.deps.host->watch_group(s.st.pid, caf::actor_cast<caf::actor>(self));
      return;
    case effect::finish_exit: {
      s.st.pid = 0;
      s.st.pid_start = 0;
      ++s.timer_gen;
      close_fd(s.log_fd);
      // With --rm, `run` and `wait` answer only once the container is gone (as podman).
      if (!s.cfg.auto_remove || s.restart_pending) answer_exit_waiters(self);
      deliver_deferred(self, deferred_kind::stop,
                       json{{"id", s.cfg.id},
                            {"escalated", s.escalated},
                            {"signal", signal_name(s.cfg.stop_signal)},
                            {"timeout", s.stop_timeout_used}});
      return;
    }
    case effect::defer_reply:
      if (rc.rp) s.deferred.push_back({rc.kind, *rc.rp});
      return;
    case effect::schedule_start: s.restart_pending = true; return;
    case effect::schedule_remove: return;  // the removing state itself remembers it
    case effect::remove_now: remove_now(self); return;
    case effect::subscribe: return;  // done by the start/attach handlers
    case effect::note_escalation:
      s.escalated = true;
      spdlog::warn("StopSignal {} failed to stop container {} in {} seconds, resorting to SIGKILL",
                   signal_name(s.cfg.stop_signal), s.cfg.name, s.stop_timeout_used);
      return;
  }
}

/// Applies one event: consults the table, runs the effects, persists and publishes.
caf::error step(actor_t* self, event ev, request_ctx rc = {}) {
  auto& s = self->state;
  auto out = lifecycle::apply(s.st.state, ev, rc.lc);
  if (!out.ok)
    return make_caf_error(out.error, lifecycle::render_error(out.error_text, s.cfg.id, s.st.state));
  auto prev = s.st.state;
  s.st.state = out.next;
  try {
    for (auto fx : out.effects) run_effect(self, fx, rc);
  } catch (const ctrd::error& e) {
    s.st.state = prev;
    s.st.error = e.what();
    persist(self);
    spdlog::info("container {}: {} failed: {}", s.cfg.name, lifecycle::to_string(ev), e.what());
    return make_caf_error(e.code(), e.what());
  }
  for (const char* name : out.events)
    spdlog::debug("container {} {}: {}", s.cfg.id.substr(0, 12), s.cfg.name, name);
  if (!out.noop || !out.effects.empty()) persist(self);
  return caf::none;
}

/// Follow-ups once the container has exited: a pending restart or --rm.
void after_exit(actor_t* self) {
  auto& s = self->state;
  if (s.st.state != container_state::exited) return;
  if (s.restart_pending) {
    s.restart_pending = false;
    if (auto err = step(self, event::start)) fail_deferred(self, deferred_kind::restart, err);
    else deliver_deferred(self, deferred_kind::restart, s.id_reply());
    return;
  }
  if (s.cfg.auto_remove) step(self, event::remove);
}

void try_finish(actor_t* self) {
  auto& s = self->state;
  if (!s.main_ended || !s.group_drained || s.out_open || s.err_open) return;
  if (s.st.state != container_state::stopped && s.st.state != container_state::removing) return;
  step(self, event::cleaned_up);
  after_exit(self);
}

void remove_now(actor_t* self) {
  auto& s = self->state;
  self->request(s.deps.store, caf::infinite, erase_atom::value, s.cfg.id)
      .then(
          [=](bool) {
            auto& st = self->state;
            std::error_code ignored;
            std::filesystem::remove_all(st.dir(), ignored);
            self->send(st.deps.supervisor, gone_atom::value, st.cfg.id);
            answer_exit_waiters(self);
            deliver_deferred(self, deferred_kind::remove, st.id_reply());
            auto gone = make_caf_error(ec::removed, "container " + st.cfg.id + " was removed");
            fail_deferred(self, deferred_kind::stop, gone);
            fail_deferred(self, deferred_kind::restart, gone);
            spdlog::info("container {} {} removed", st.cfg.id.substr(0, 12), st.cfg.name);
            self->quit();
          },
          [=](caf::error& err) {
            auto& st = self->state;
            st.st.state = container_state::exited;
            st.st.error = "removal failed: " + from_caf_error(err).second;
            persist(self);
            answer_exit_waiters(self);
            fail_deferred(self, deferred_kind::remove, err);
          });
}

void on_output(actor_t* self, int stream, const std::string& data) {
  auto& s = self->state;
  if (s.log_fd >= 0) {
    s.log_buf.clear();
    format_log_records(proc::now_ns(), stream == stream_stderr, data, s.log_buf);
    // A failing log write must never stop the container: it is reported and dropped.
    if (::write(s.log_fd, s.log_buf.data(), s.log_buf.size()) < 0)
      spdlog::warn("container {}: cannot write log: {}", s.cfg.name, std::strerror(errno));
  }
  for (auto& sub : s.subs) self->send(sub.sub, output_atom::value, sub.msgid, stream, data);
  s.deps.host->rearm(stream == stream_stdout ? s.child.out_fd : s.child.err_fd);
}

void close_stream(actor_t* self, int stream) {
  auto& s = self->state;
  int& fd = stream == stream_stdout ? s.child.out_fd : s.child.err_fd;
  s.deps.host->unwatch(fd);
  close_fd(fd);
  (stream == stream_stdout ? s.out_open : s.err_open) = false;
}

void on_exited(actor_t* self, int pid, int code, bool known) {
  auto& s = self->state;
  if (pid != s.st.pid || s.main_ended) return;
  s.main_ended = true;
  s.st.has_exited = true;
  s.st.exit_code = code;
  if (!known)
    s.st.error = "exit code unknown: the process was adopted after a ctrd restart and is not ctrd's child";
  step(self, event::process_exited);
  try_finish(self);
}

void recover(actor_t* self) {
  auto& s = self->state;
  auto me = caf::actor_cast<caf::actor>(self);
  switch (s.st.state) {
    case container_state::removing:
      remove_now(self);
      return;
    case container_state::created:
      // The held child exits by itself once the old ctrd's release pipe closed.
      if (proc::is_same_process(s.st.pid, s.st.pid_start)) ::kill(s.st.pid, SIGKILL);
      s.st.state = container_state::configured;
      s.st.pid = 0;
      break;
    case container_state::stopped:
      s.st.state = container_state::exited;
      s.st.pid = 0;
      break;
    case container_state::running:
    case container_state::paused:
    case container_state::stopping:
      if (s.deps.host->adopt(s.st.pid, s.st.pid_start, me)) {
        s.st.state = container_state::running;
        s.main_ended = false;
        s.group_drained = false;
        spdlog::info("container {}: adopted running pid {}", s.cfg.name, s.st.pid);
      } else {
        s.st.state = container_state::exited;
        s.st.pid = 0;
        s.st.has_exited = true;
        s.st.exit_code = -1;
        s.st.finished_ns = proc::now_ns();
        s.st.error = "the process ended while ctrd was not running; its exit code is unknown";
      }
      break;
    default:
      publish(self);
      return;
  }
  persist(self);
}

caf::behavior container_actor(actor_t* self, stored_container rec, container_deps deps,
                              bool recovering) {
  auto& s = self->state;
  s.cfg = std::move(rec.config);
  s.st = std::move(rec.status);
  s.deps = std::move(deps);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& subs = self->state.subs;
    for (auto it = subs.begin(); it != subs.end();)
      it = it->sub.address() == dm.source ? subs.erase(it) : it + 1;
  });
  if (recovering) recover(self);
  else publish(self);
  return {
      [=](init_atom) -> caf::result<json> {
        if (auto err = step(self, event::init)) return err;
        return reply(self->state.id_reply());
      },
      [=](start_atom, bool attach, caf::actor sub, uint32_t msgid) -> caf::result<json> {
        auto rp = self->make_response_promise<json>();
        auto& st = self->state;
        if (attach) {
          self->monitor(sub);
          st.subs.push_back({sub, msgid, rp});
        }
        if (auto err = step(self, event::start)) {
          if (attach) st.subs.pop_back();
          rp.deliver(err);
        } else if (!attach) {
          rp.deliver(st.id_reply());
        }
        return rp;
      },
      [=](stop_atom, int64_t timeout, bool by_user) -> caf::result<json> {
        auto rp = self->make_response_promise<json>();
        auto& st = self->state;
        request_ctx rc;
        rc.timeout = timeout < 0 ? st.cfg.stop_timeout : static_cast<uint32_t>(timeout);
        rc.lc.stop_timeout_zero = rc.timeout == 0;
        rc.lc.by_user = by_user;
        rc.kind = deferred_kind::stop;
        rc.rp = &rp;
        auto before = st.deferred.size();
        if (auto err = step(self, event::stop, rc)) rp.deliver(err);
        else if (st.deferred.size() == before) rp.deliver(json{{"id", st.cfg.id}, {"escalated", false}});
        return rp;
      },
      [=](kill_atom, int sig) -> caf::result<json> {
        request_ctx rc;
        rc.signal = sig;
        if (auto err = step(self, event::kill, rc)) return err;
        return reply(self->state.id_reply());
      },
      [=](restart_atom, int64_t timeout) -> caf::result<json> {
        auto rp = self->make_response_promise<json>();
        auto& st = self->state;
        request_ctx rc;
        rc.timeout = timeout < 0 ? st.cfg.stop_timeout : static_cast<uint32_t>(timeout);
        rc.lc.stop_timeout_zero = rc.timeout == 0;
        rc.kind = deferred_kind::restart;
        rc.rp = &rp;
        auto before = st.deferred.size();
        if (auto err = step(self, event::restart, rc)) rp.deliver(err);
        else if (st.deferred.size() == before) rp.deliver(st.id_reply());
        return rp;
      },
      [=](remove_atom, bool force) -> caf::result<json> {
        auto rp = self->make_response_promise<json>();
        request_ctx rc;
        rc.kind = deferred_kind::remove;
        rc.rp = &rp;
        if (auto err = step(self, force ? event::remove_force : event::remove, rc)) rp.deliver(err);
        return rp;
      },
      [=](inspect_atom) -> json {
        auto& st = self->state;
        return inspect_view(st.cfg, st.st, st.log_path());
      },
      [=](wait_atom) -> caf::result<json> {
        auto& st = self->state;
        if (st.st.state == container_state::configured || st.st.state == container_state::exited)
          return reply(st.exit_reply());
        auto rp = self->make_response_promise<json>();
        st.waiters.push_back(rp);
        return rp;
      },
      [=](logs_atom) -> json {
        auto& st = self->state;
        return json{{"id", st.cfg.id}, {"path", st.log_path()}};
      },
      [=](exited_atom, int pid, int code, bool known) { on_exited(self, pid, code, known); },
      [=](output_atom, int stream, const std::string& data) { on_output(self, stream, data); },
      [=](eof_atom, int stream) {
        close_stream(self, stream);
        try_finish(self);
      },
      [=](drained_atom) {
        auto& st = self->state;
        st.group_drained = true;
        // Every process of the group is gone. A pipe still open is held by an escapee
        // (setsid); give in-flight output a moment, then stop reading.
        if (st.out_open || st.err_open)
          self->delayed_send(self, std::chrono::milliseconds(100), done_atom::value);
        try_finish(self);
      },
      [=](done_atom) {
        auto& st = self->state;
        if (!st.group_drained) return;
        if (st.out_open) close_stream(self, stream_stdout);
        if (st.err_open) close_stream(self, stream_stderr);
        try_finish(self);
      },
      [=](timeout_atom, uint64_t gen) {
        if (gen == self->state.timer_gen) step(self, event::stop_timeout);
      },
  };
}

}  // namespace

caf::actor spawn_container(caf::actor_system& sys, stored_container rec, const container_deps& deps,
                           bool recovering) {
  return sys.spawn(container_actor, std::move(rec), deps, recovering);
}

}  // namespace ctrd
