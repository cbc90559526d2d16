// The container actor's lifecycle steps: the table lookup, the effects, output handling,
// the exit path (group teardown, drain) and removal. See container_impl.hpp.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <optional>

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/close_fd.hpp"
#include "actors/container_handover.hpp"
#include "actors/container_impl.hpp"
#include "actors/host_loop.hpp"
#include "messages/signals.hpp"
#include "runtime/container_view.hpp"
#include "runtime/disk_space.hpp"
#include "runtime/etc_files.hpp"
#include "runtime/log_file.hpp"
#include "runtime/log_format.hpp"
#include "runtime/netns.hpp"
#include "runtime/proc.hpp"
#include "runtime/process_defaults.hpp"
#include "runtime/resource_error.hpp"

namespace ctrd::ctr {

using lifecycle::effect;
using lifecycle::event;

state::~state() {
  if (deps.host == nullptr) return;
  if (lifecycle::main_running(run) && st.pid > 0) {
    // The process lives on: its pipes wait for the actor the supervisor respawns.
    handed_pipes p{child.out_fd, child.err_fd, child.in_fd};
    for (int fd : {p.out_fd, p.err_fd, p.in_fd})
      if (fd >= 0) deps.host->unwatch(fd);
    if (p.any()) hand_over_pipes(cfg.id, p);
    child.out_fd = child.err_fd = child.in_fd = -1;
  }
  for (int* fd : {&child.out_fd, &child.err_fd, &child.in_fd, &notify_fd, &health.fd(health_stdout),
                  &health.fd(health_stderr)}) {
    if (*fd < 0) continue;
    deps.host->unwatch(*fd);
    close_fd(*fd);
  }
  close_fd(child.release_fd);
}

void publish(actor_t* self) {
  auto& s = self->state;
  self->send(s.deps.supervisor, status_atom::value, s.cfg.id, make_summary(s.cfg, s.st, s.dir()));
  if (s.replies.has_condition_waiters()) check_waiters(self);
}

void emit_event(actor_t* self, const std::string& status) {
  auto& s = self->state;
  spdlog::debug("container {} {}: {}", s.cfg.id.substr(0, 12), s.cfg.name, status);
  if (s.deps.events) self->send(s.deps.events, event_atom::value, event_view(s.cfg, s.st, status));
}

void persist(actor_t* self) {
  auto& s = self->state;
  self->send(s.deps.store, put_status_atom::value, s.cfg.id, s.st);
  publish(self);
}

void persist_config(actor_t* self) {
  auto& s = self->state;
  auto name = s.cfg.name;
  self->request(s.deps.store, caf::infinite, put_container_atom::value, s.cfg, s.st)
      .then([](bool) {},
            [=](caf::error& err) {
              spdlog::error("container {}: cannot store its new definition: {}", name,
                            from_caf_error(err).second);
            });
  publish(self);
}

void answer_exit_waiters(actor_t* self) {
  auto& s = self->state;
  auto reply = s.exit_reply();
  s.replies.answer_exit(reply);
  // Attached clients and `logs -f` followers end with the process (podman's follow ends
  // at the container's exit, also when a restart policy starts it again).
  s.out.end_attached([&](output_client& c) { c.rp.deliver(reply); });
  s.out.end_followers([&](output_client& c) { c.rp.deliver(reply); });
}

spawn_spec make_spawn_spec(const container_config& c, const std::vector<std::string>& argv,
                           int root) {
  auto bad_workdir = [&] {
    return error(ec::invalid_argument,
                 "working directory \"" + c.workdir + "\" does not exist or is not a directory");
  };
  if (root >= 0) {
    try {
      fs::open_in_root(root, c.workdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    } catch (const error&) {
      throw bad_workdir();
    }
  } else {
    struct stat st;
    if (::stat(c.workdir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) throw bad_workdir();
  }
  spawn_spec spec;
  spec.path = resolve_command(argv[0], c.env, c.workdir, root);
  spec.argv = argv;
  spec.env = c.env;
  add_default_env(spec.env, "HOSTNAME", container_hostname(c.isolation, c.name));  // podman's
  spec.workdir = c.workdir;
  if (!c.user.empty()) {
    uint32_t uid, gid;
    bool has_gid;
    parse_user(c.user, uid, gid, has_gid);
    spec.set_user = true;
    spec.uid = uid;
    spec.gid = gid;
  } else if (!c.group_add.empty()) {
    spec.set_user = true;  // ctrd's own user, with the added groups
    spec.uid = ::geteuid();
    spec.gid = ::getegid();
  }
  if (spec.set_user && !c.group_add.empty()) {
    spec.groups.push_back(spec.gid);
    for (auto g : c.group_add)
      if (g != spec.gid) spec.groups.push_back(g);
  }
  apply_process_limits(c.proc_limits, spec);
  return spec;
}

namespace {

void spawn_process(actor_t* self, bool release_follows) {
  auto& s = self->state;
  if (s.pending_cfg) {
    spdlog::info("container {}: starting with its changed service definition", s.cfg.name);
    s.cfg = std::move(*s.pending_cfg);
    s.pending_cfg.reset();
    persist_config(self);
  }
  spawn_spec spec;
  child_isolation iso;
  try {
    prepare_run(self, spec, iso);
  } catch (...) {
    finish_run(self);  // nothing half-made stays: cgroup removed, overlay released
    throw;
  }
  spec.interactive = s.cfg.interactive;
  spec.tty = s.cfg.tty;
  if (spec.tty) add_default_env(spec.env, "TERM", "xterm");  // as podman -t
  // Nothing to do between clone and exec: it may exec at once (spawner.hpp, `hold`).
  spec.hold = !release_follows || s.cg.needs_add_after_clone();
  std::error_code ec_ignored;
  std::filesystem::create_directories(s.dir(), ec_ignored);
  if (s.log_dir() != s.dir() && s.cfg.log_driver != "none" && s.cfg.log_driver != "journald") {
    // A --log-dir that cannot hold it (read-only, full): the log's own error would only
    // say that ctr.log does not exist, so the cause is named here (the container runs).
    std::error_code ec;
    std::filesystem::create_directories(s.log_dir(), ec);
    if (ec)
      spdlog::warn("container {}: cannot make its log directory {}: {}", s.cfg.name, s.log_dir(),
                   ec.message());
  }
  if (s.cfg.sdnotify) {
    open_notify_socket(self);
    spec.env.push_back("NOTIFY_SOCKET=" + s.notify_path());
  }
  open_output_log(self);
  if (spec.isolation) {
    // Into its cgroups before it isolates itself (its cgroup namespace is made there);
    // its id maps and idmapped mounts (userns.hpp).
    spec.setup = [self](pid_t pid, bool in_cgroup, setup_channel& channel) {
      join_cgroup(self, held_child{pid, -1, -1, -1, -1, in_cgroup});
      send_fds(channel, userns_setup(pid, self->state.userns));
    };
  }
  host_client_actor me{self};
  try {
    // On bridge networks it is cloned inside its namespace (this thread enters it for the
    // clone only: docs/network.md).
    std::optional<netns::scoped_enter> in_netns;
    if (s.cfg.isolation.bridge_net()) {
      if (s.st.netns.empty())
        throw error(ec::internal,
                    "its networks are not set up (network " + s.cfg.isolation.network + ")");
      in_netns.emplace(s.st.netns);
    }
    s.child = s.deps.host->spawn(spec, me);
    in_netns.reset();
    if (!spec.setup) join_cgroup(self, s.child);
  } catch (...) {
    if (s.child.pid > 0) s.deps.host->signal_pid(s.child.pid, SIGKILL);
    for (int* fd : {&s.child.release_fd, &s.child.out_fd, &s.child.err_fd, &s.child.in_fd})
      close_fd(*fd);
    s.child = held_child{};
    finish_run(self);
    throw;
  }
  s.st.oom_killed = false;
  s.st.pid = s.child.pid;
  s.st.pid_start = proc::start_time(s.child.pid);
  teardown_step(self, lifecycle::teardown_event::spawned);
  s.stdin_waiting = false;
  apply_tty_size(self);
  // ctrd's holder keeps duplicates: the process outlives a daemon crash without EPIPE.
  s.deps.host->keep_pipes(s.cfg.id, s.child.out_fd, s.child.err_fd, s.child.in_fd);
  s.deps.host->watch_output(s.child.out_fd, stream_stdout, me);
  if (s.child.err_fd >= 0)  // a tty has one stream
    s.deps.host->watch_output(s.child.err_fd, stream_stderr, me);
  if (!s.stdin_buf.empty() || s.stdin_eof)
    on_stdin(self, {}, s.stdin_eof);  // sent before the start
}

/// Forgets how the last run ended (a new run begins).
void clear_last_run(state& s) {
  s.st.error.clear();
  s.st.stopped_by_user = false;
  s.st.exit_code = 0;
  s.st.has_exited = false;
  s.escalated = false;
  s.unhealthy_restart = false;
}

void run_effect(actor_t* self, effect fx, request_ctx& rc) {
  auto& s = self->state;
  switch (fx) {
    case effect::reset_run:
      s.st.restart_count = 0;
      s.st.restart_reason.clear();
      cancel_policy_restart(self, true);
      clear_last_run(s);
      return;
    case effect::resume_run:
      cancel_policy_restart(self, false);
      clear_last_run(s);
      return;
    case effect::spawn_held:
      spawn_process(self, rc.release_follows);
      return;
    case effect::release:
      release_child(s.child);
      s.st.started_ns = proc::now_ns();
      s.started_boot_ns = proc::boot_ns();
      on_run_started(self);
      return;
    case effect::mark_user_stopped:
      s.st.stopped_by_user = true;
      cancel_policy_restart(self, false);
      return;
    case effect::signal_stop:
      s.escalated = false;
      s.stop_timeout_used = rc.timeout;
      {
        // podman: with its own PID namespace only the main process gets the stop signal (the
        // rest dies with it, the namespace's init); on the host's PID namespace the whole
        // group does (podman's `kill --all` there).
        int sig = rc.lc.stop_timeout_zero ? SIGKILL : s.cfg.stop_signal;
        if (s.cfg.isolation.private_pid())
          s.deps.host->signal_pid(s.st.pid, sig);
        else
          s.deps.host->signal_group(s.st.pid, sig);
        return;
      }
    case effect::arm_stop_timer:
      self->delayed_send(self, std::chrono::seconds(rc.timeout), timeout_atom::value,
                         ++s.timer_gen);
      return;
    case effect::signal_user:
      s.deps.host->signal_pid(s.st.pid, rc.signal);
      // A frozen task dies of SIGKILL only once thawed on cgroup v1: let it.
      if (rc.signal == SIGKILL && s.st.state == container_state::paused) thaw(self);
      return;
    case effect::kill_group:
      s.deps.host->signal_group(s.st.pid, SIGKILL);
      kill_cgroup(self);
      return;
    case effect::freeze:
      freeze(self);
      return;
    case effect::thaw:
      thaw(self);
      return;
    case effect::begin_cleanup:
      s.st.finished_ns = proc::now_ns();
      s.ended_boot_ns = proc::boot_ns();
      close_fd(s.child.release_fd);
      close_stdin(self);
      on_run_ended(self);
      s.deps.host->signal_group(s.st.pid, SIGKILL);
      kill_cgroup(self);  // nothing escapes: double-forked daemons live in the cgroup too
      s.deps.host->watch_group(s.st.pid, host_group_client_actor{self}, s.cg);
      return;
    case effect::finish_exit:
      s.st.pid = 0;
      s.st.pid_start = 0;
      finish_run(self);
      ++s.timer_gen;
      s.out.close_log();  // an exited container holds no descriptor
      // With --rm, `run` and `wait` answer only once the container is gone (as podman).
      if (!s.cfg.auto_remove || s.restart_pending) answer_exit_waiters(self);
      s.replies.settle(deferred_kind::stop, json{{"id", s.cfg.id},
                                                 {"escalated", s.escalated},
                                                 {"signal", signal_name(s.cfg.stop_signal)},
                                                 {"timeout", s.stop_timeout_used}});
      return;
    case effect::defer_reply:
      if (rc.rp) s.replies.defer(rc.kind, *rc.rp);
      return;
    case effect::schedule_start:
      s.restart_pending = true;
      return;
    case effect::schedule_remove:
      return;  // the removing state itself remembers it
    case effect::remove_now:
      remove_now(self);
      return;
    case effect::subscribe:
      return;  // done by the start/attach handlers
    case effect::note_escalation:
      s.escalated = true;
      spdlog::warn("StopSignal {} failed to stop container {} in {} seconds, resorting to SIGKILL",
                   signal_name(s.cfg.stop_signal), s.cfg.name, s.stop_timeout_used);
      return;
  }
}

/// Stops reading one output stream of the process.
void close_stream(actor_t* self, int stream) {
  auto& s = self->state;
  int& fd = stream == stream_stdout ? s.child.out_fd : s.child.err_fd;
  if (fd < 0) return;
  s.deps.host->unwatch(fd);
  close_fd(fd);
}

}  // namespace

caf::error step(actor_t* self, event ev, request_ctx rc) {
  auto& s = self->state;
  auto out = lifecycle::apply(s.st.state, ev, rc.lc);
  if (!out.ok)
    return make_caf_error(out.error, lifecycle::render_error(out.error_text, s.cfg.id, s.st.state));
  auto prev = s.st.state;
  s.st.state = out.next;
  rc.release_follows =
      std::find(out.effects.begin(), out.effects.end(), effect::release) != out.effects.end();
  try {
    for (auto fx : out.effects) run_effect(self, fx, rc);
  } catch (const ctrd::error& e) {
    s.st.state = prev;
    s.st.error = e.what();
    persist(self);
    s.last_step_transient = is_transient(e);
    if (s.last_step_transient && s.spawn_failures > 0)  // a retry streak: logged once
      spdlog::debug("container {}: {} failed: {}", s.cfg.name, lifecycle::to_string(ev), e.what());
    else
      spdlog::info("container {}: {} failed: {}", s.cfg.name, lifecycle::to_string(ev), e.what());
    return make_caf_error(e.code(), e.what());
  }
  for (const char* name : out.events) emit_event(self, name);
  if (!out.noop || !out.effects.empty()) persist(self);
  return caf::none;
}

void remove_now(actor_t* self) {
  auto& s = self->state;
  cancel_policy_restart(self, true);
  if (s.notify_fd >= 0) {
    s.deps.host->unwatch(s.notify_fd);
    ::unlink(s.notify_path().c_str());
  }
  close_fd(s.notify_fd);
  // Its networks first: `rm` answers once nothing of it is left (docs/network.md).
  release_network(self, [self] { erase_record(self); });
}

void erase_record(actor_t* self) {
  auto& s = self->state;
  self->request(s.deps.store, caf::infinite, erase_atom::value, s.cfg.id, !s.cfg.auto_remove)
      .then(
          [=](bool) {
            auto& st = self->state;
            std::error_code ignored;
            st.st.mount_count = 0;
            unmount_overlay(st.overlay_dir("merged"));  // never recurse into the rootfs it shows
            if (!is_mount_point(st.overlay_dir("merged")))
              std::filesystem::remove_all(st.dir(), ignored);
            if (st.log_dir() != st.dir()) std::filesystem::remove_all(st.log_dir(), ignored);
            st.out.drop_log();
            if (st.deps.space) st.deps.space->forget_log(st.log_path());
            st.deps.host->release_pipes(st.cfg.id);  // the holder's duplicates
            self->send(st.deps.supervisor, gone_atom::value, st.cfg.id);
            answer_exit_waiters(self);
            st.out.end_all([&](output_client& c) { c.rp.deliver(st.id_reply()); });  // followers
            st.replies.settle(deferred_kind::remove, st.id_reply());
            auto gone = make_caf_error(ec::removed, "container " + st.cfg.id + " was removed");
            st.replies.fail_all(gone);  // stop/restart replies, conditional waiters
            st.health.fail_waiters(gone);
            spdlog::info("container {} {} removed", st.cfg.id.substr(0, 12), st.cfg.name);
            self->quit();
          },
          [=](caf::error& err) {
            auto& st = self->state;
            st.st.state = container_state::exited;
            st.st.error = "removal failed: " + from_caf_error(err).second;
            persist(self);
            answer_exit_waiters(self);
            st.replies.settle(deferred_kind::remove, err);
          });
}

void open_output_log(actor_t* self) {
  auto& s = self->state;
  if (s.cfg.log_driver == "journald") {
    s.journal = std::make_unique<journal_writer>(journal_socket_path(), s.cfg.id, s.cfg.name);
  } else if (s.cfg.log_driver != "none") {
    log_limits asked{s.cfg.log_max_size, s.cfg.log_max_files};
    s.out.open_log(s.log_path(),
                   s.deps.space ? under_cap(asked, s.deps.space->limits().logs_max_total) : asked,
                   s.deps.space);
  }
}

void on_output(actor_t* self, int stream, const std::string& data) {
  auto& s = self->state;
  if (stream == health_stdout || stream == health_stderr) {
    on_health_output(self, stream, data);
    return;
  }
  // A failing log write never stops the container: reported once per failure streak,
  // counted, and the data dropped. The fanout writes the log file (k8s-file) and feeds the
  // attached clients whatever the driver.
  bool is_stderr = stream == stream_stderr;
  if (s.out.write(proc::now_ns(), stream, is_stderr, data) == append_result::failed_first)
    spdlog::warn("container {}: cannot write its log: {} (further failures are counted)",
                 s.cfg.name, s.out.log()->last_error());
  if (s.journal && s.journal->append(is_stderr, data) == append_result::failed_first)
    spdlog::warn(
        "container {}: cannot send its output to the journal: {} (further failures "
        "are counted)",
        s.cfg.name, s.journal->last_error());
  s.deps.host->rearm(stream == stream_stdout ? s.child.out_fd : s.child.err_fd);
}

void teardown_step(actor_t* self, lifecycle::teardown_event ev) {
  auto& s = self->state;
  auto out = lifecycle::apply(s.run, ev);
  if (!out.accepted) return;  // a late or duplicate report
  s.run = out.next;
  for (auto fx : out.effects) {
    switch (fx) {
      case lifecycle::teardown_effect::arm_grace:
        // Every process of the group is gone. A pipe still open is held by an escapee
        // (setsid): give in-flight output a moment, then stop reading.
        self->delayed_send(self, std::chrono::milliseconds(100), drain_grace_atom::value);
        break;
      case lifecycle::teardown_effect::close_output:
        close_stream(self, stream_stdout);
        close_stream(self, stream_stderr);
        break;
      case lifecycle::teardown_effect::cleaned_up:
        if (s.st.state != container_state::stopped && s.st.state != container_state::removing)
          break;
        step(self, event::cleaned_up);
        after_exit(self);
        break;
    }
  }
}

void on_eof(actor_t* self, int stream) {
  if (stream == health_stdout || stream == health_stderr) {
    on_health_eof(self, stream);
    return;
  }
  auto& s = self->state;
  close_stream(self, stream);
  if (s.child.out_fd < 0 && s.child.err_fd < 0)
    teardown_step(self, lifecycle::teardown_event::output_drained);
}

void on_exited(actor_t* self, int pid, int code, bool known) {
  auto& s = self->state;
  if (on_health_exit(self, pid, code)) return;
  if (pid != s.st.pid || !lifecycle::main_running(s.run)) return;
  teardown_step(self, lifecycle::teardown_event::main_exited);
  s.st.has_exited = true;
  s.st.exit_code = code;
  if (!known)
    s.st.error =
        "exit code unknown: the process was adopted after a ctrd restart and is not ctrd's child";
  step(self, event::process_exited);
}

void on_drained(actor_t* self) {
  teardown_step(self, lifecycle::teardown_event::group_drained);
}

/// The 100 ms grace after a drained group expired: stop reading pipes held by escapees.
void on_drain_grace(actor_t* self) {
  teardown_step(self, lifecycle::teardown_event::grace_expired);
}

}  // namespace ctrd::ctr
