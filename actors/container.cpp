// The container actor's behaviour: request handlers and recovery after a ctrd restart.
// The lifecycle steps live in container_effects.cpp, supervision in
// container_supervision.cpp (see container_impl.hpp).
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <utility>
#include "actors/guard.hpp"

#include <spdlog/spdlog.h>
#include <caf/typed_event_based_actor.hpp>

#include "actors/caf_error.hpp"
#include "actors/container_handover.hpp"
#include "actors/container_impl.hpp"
#include "actors/host_loop.hpp"
#include "core/restart_clock.hpp"
#include "runtime/container_view.hpp"
#include "runtime/disk_space.hpp"
#include "runtime/netns.hpp"
#include "runtime/proc.hpp"

namespace ctrd {
namespace ctr {

/// A process that ended while no daemon watched it: exited with the code ctrd's holder
/// reaped (holder/holder.hpp), or, without one, exit code unknown (-1) and why.
void mark_ended_unseen(container_status& st) {
  int code = -1;
  bool known = st.pid > 0 && take_over_exit(st.pid, code);
  st.state = container_state::exited;
  st.pid = 0;
  st.has_exited = true;
  st.exit_code = code;
  st.finished_ns = proc::now_ns();
  st.error = known ? std::string()
                   : "the process ended while ctrd was not running; its exit code is unknown";
}

namespace {

using lifecycle::event;

/// How long a recovered container waits for the holder's status of a process that ended
/// just before its adoption: the holder sends it as soon as it reaps it (milliseconds), so
/// this is reached only when the process was not the holder's child after all.
constexpr std::chrono::seconds holder_exit_wait{2};

/// The holder's status of st.pid did not come (recover()): the run ended unseen.
void overdue_expired(actor_t* self, int pid) {
  auto& s = self->state;
  if (!s.awaiting_holder_exit || pid != s.st.pid) return;  // it came: stale timer
  s.awaiting_holder_exit = false;
  s.deps.host->forget_holder_exit(pid);
  s.st.error = "the process ended while ctrd was not running; its exit code is unknown";
  on_exited(self, pid, -1, true);  // "known" only keeps on_exited's own text out of error
}

/// Completes recovery inside the actor: adopt the live process, finish a removal.
void recover(actor_t* self) {
  auto& s = self->state;
  host_client_actor me{self};
  // After a respawn (supervisor_recovery.cpp) the ended actor left the live process's pipes.
  auto pipes = take_over_pipes(s.cfg.id);
  if (s.st.state == container_state::removing) {
    for (int* fd : {&pipes.out_fd, &pipes.err_fd, &pipes.in_fd}) close_fd(*fd);
    remove_now(self);
    return;
  }
  if (s.deps.cgroups && s.deps.cgroups->kind() != cgroup::layout::none)
    s.cg = s.deps.cgroups->open(s.cfg.id);
  if (s.st.state == container_state::running) {
    if (s.deps.host->adopt(s.st.pid, s.st.pid_start, me)) {
      if (s.cg.valid() && s.cg.frozen()) s.st.state = container_state::paused;
      if (pipes.out_fd >= 0) {  // respawned: output goes on through the same pipes
        s.child.out_fd = std::exchange(pipes.out_fd, -1);
        s.child.err_fd = std::exchange(pipes.err_fd, -1);
        s.child.in_fd = std::exchange(pipes.in_fd, -1);
        s.deps.host->watch_output(s.child.out_fd, stream_stdout, me);
        if (s.child.err_fd >= 0) s.deps.host->watch_output(s.child.err_fd, stream_stderr, me);
        open_output_log(self);
        teardown_step(self, lifecycle::teardown_event::spawned);
      } else {
        teardown_step(self, lifecycle::teardown_event::adopted);
      }
      // No readiness signal can be re-observed: an adopted process counts as ready.
      s.st.ready = true;
      s.ready_boot_ns = proc::boot_ns();
      s.started_boot_ns = proc::ticks_to_boot_ns(s.st.pid_start);  // the run began then
      resume_supervision(self);  // health checks keep running, sd_notify keeps listening
      spdlog::info("container {}: adopted running pid {}", s.cfg.name, s.st.pid);
    } else if (s.deps.host->await_holder_exit(static_cast<pid_t>(s.st.pid), me)) {
      // It ended after the holder's hand-over and before this adoption: the holder reaped
      // it and its status is on the way. Until it comes (an exit, as of an adopted
      // process), the run counts as adopted; overdue_expired() gives up on it.
      teardown_step(self, lifecycle::teardown_event::adopted);
      s.awaiting_holder_exit = true;
      self->delayed_send(self, holder_exit_wait, overdue_atom::value, static_cast<int>(s.st.pid));
    } else {  // it died between the check and the adoption
      mark_ended_unseen(s.st);
      s.ended_boot_ns = proc::boot_ns();
    }
  }
  for (int* fd : {&pipes.out_fd, &pipes.err_fd, &pipes.in_fd}) close_fd(*fd);  // not taken
  // A namespace that is gone (a reboot) is torn down as a record: the next start or policy
  // restart sets it up anew.
  if (!s.st.netns.empty() && !s.has_process() && !netns::exists(s.st.netns)) release_network(self);
  resume_policy_restart(self);
  // Networks left set up by a run that ended while ctrd was down (or by a teardown the
  // last ctrd did not finish): torn down unless a restart follows.
  if (!s.has_process() && s.st.restart_due_ns == 0) release_network(self);
  if (!s.has_process() && s.cg.valid()) {  // leftovers of a run that ended while ctrd was down
    kill_cgroup(self);
    retire_cgroup(self, std::move(s.cg));
    s.cg = cgroup::group{};
  }
  release_root(self);
  if (s.cfg.auto_remove && s.st.state == container_state::exited && s.st.has_exited) {
    // An --rm container that ended while ctrd was down, or whose removal was not on disk
    // yet (not fsync'ed: state_store.hpp).
    step(self, event::remove);
    return;
  }
  persist(self);
}

/// Reconciles the record with the process that really exists (podman's Sync).
container_summary sync(actor_t* self) {
  auto& s = self->state;
  if (has_process(s.st.state) && lifecycle::main_running(s.run) && s.st.pid > 0 &&
      !s.awaiting_holder_exit && !proc::is_same_process(s.st.pid, s.st.pid_start))
    on_exited(self, s.st.pid, -1, false);
  return make_summary(s.cfg, s.st, s.dir());
}

/// Test hook: with CTRD_TEST_HOOKS=1 in ctrd's environment (the integration tests set it),
/// `stat <container>:/.ctrd-test-fail-actor` ends the container actor abnormally, as an
/// escaped exception would, so that tests can check that the supervisor respawns it
/// (supervisor_recovery.cpp). Without the variable that path is an ordinary one.
constexpr const char* test_fail_path = "/.ctrd-test-fail-actor";

bool test_hooks_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("CTRD_TEST_HOOKS");
    return v != nullptr && std::string(v) == "1";
  }();
  return on;
}

caf::error fail_on_purpose(actor_t* self) {
  spdlog::warn("container {}: test hook: its actor fails on purpose", self->state.cfg.name);
  self->quit(caf::exit_reason::unhandled_exception);
  return make_caf_error(ec::internal, "the container actor failed on purpose (test hook)");
}

request_ctx stop_ctx(const state& s, int64_t timeout, deferred_kind kind, promise* rp) {
  request_ctx rc;
  rc.timeout = timeout < 0 ? s.cfg.stop_timeout : static_cast<uint32_t>(timeout);
  rc.lc.stop_timeout_zero = rc.timeout == 0;
  rc.kind = kind;
  rc.rp = rp;
  return rc;
}

container_actor::behavior_type container_behavior(actor_t* self, stored_container rec,
                                                  container_deps deps, bool recovering) {
  auto& s = self->state;
  s.cfg = std::move(rec.config);
  s.st = std::move(rec.status);
  s.deps = std::move(deps);
  self->set_down_handler([=](caf::down_msg& dm) { self->state.out.forget(dm.source); });
  connect_fanout(self);
  if (recovering) {
    recover(self);
  } else {
    publish(self);
    emit_event(self, "create");
  }
  return guarded_typed_behavior<container_actor>(
      self,
      [=](init_atom) -> caf::result<json> {
        auto rp = self->make_response_promise<json>();
        ensure_network(self, [=](caf::error nerr) mutable {
          if (nerr) {
            rp.deliver(nerr);
            return;
          }
          if (auto err = step(self, event::init)) {
            rp.deliver(err);
            return;
          }
          rp.deliver(self->state.id_reply());
        });
        return rp;
      },
      [=](start_atom, bool attach, caf::actor sub, uint32_t msgid) -> caf::result<json> {
        auto rp = self->make_response_promise<json>();
        auto& st = self->state;
        if (attach) {
          self->monitor(sub);
          st.out.add({sub, rp}, msgid);
        }
        ensure_network(self, [=](caf::error nerr) mutable {
          auto& st2 = self->state;
          if (!nerr) nerr = step(self, event::start);
          if (nerr) {
            if (attach) st2.out.drop_last();
            rp.deliver(nerr);
          } else if (!attach) {
            rp.deliver(st2.id_reply());
          } else {
            emit_event(self, "attach");  // podman emits attach after start
          }
        });
        return rp;
      },
      [=](boot_atom) -> caf::result<json> {
        auto rp = self->make_response_promise<json>();
        ensure_network(self, [=](caf::error nerr) mutable {
          if (nerr) {
            rp.deliver(nerr);
            return;
          }
          if (auto err = step(self, event::boot_start)) {
            // Lacking a resource, the start is retried with the backoff: dependents wait
            // for it (a pending restart) instead of failing.
            if (!retry_failed_spawn(self, true, from_caf_error(err).second)) {
              rp.deliver(err);
              return;
            }
            auto r = self->state.id_reply();
            r["retrying"] = true;
            {
              rp.deliver(std::move(r));
              return;
            }
          }
          rp.deliver(self->state.id_reply());
        });
        return rp;
      },
      [=](stop_atom, int64_t timeout, bool by_user) -> caf::result<json> {
        auto rp = self->make_response_promise<json>();
        auto& st = self->state;
        auto rc = stop_ctx(st, timeout, deferred_kind::stop, &rp);
        rc.lc.by_user = by_user;
        auto before = st.replies.deferred_count();
        if (auto err = step(self, event::stop, rc))
          rp.deliver(err);
        else if (st.replies.deferred_count() == before)
          rp.deliver(json{{"id", st.cfg.id}, {"escalated", false}});
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
        ensure_network(self, [=](caf::error nerr) mutable {
          if (nerr) {
            rp.deliver(nerr);
            return;
          }
          auto& st = self->state;
          auto rc = stop_ctx(st, timeout, deferred_kind::restart, &rp);
          auto before = st.replies.deferred_count();
          if (auto err = step(self, event::restart, rc))
            rp.deliver(err);
          else if (st.replies.deferred_count() == before)
            rp.deliver(st.id_reply());
        });
        return rp;
      },
      [=](network_atom, const std::string& m, const json& p) -> caf::result<json> {
        return network_method(self, m, p);
      },
      [=](remove_atom, bool force) -> caf::result<json> {
        auto rp = self->make_response_promise<json>();
        request_ctx rc;
        rc.kind = deferred_kind::remove;
        rc.rp = &rp;
        if (auto err = step(self, force ? event::remove_force : event::remove, rc)) rp.deliver(err);
        return rp;
      },
      [=](definition_atom) -> json { return to_json(self->state.cfg); },
      [=](inspect_atom) -> json {
        auto& st = self->state;
        auto j = inspect_view(st.cfg, st.st, st.log_path());
        add_security_view(self, j);
        j["State"]["Health"]["Log"] = st.health.log();
        // Checks ctrd could not start (no descriptor, memory...): not failures.
        j["State"]["Health"]["NotRun"] = st.health.not_run();
        j["State"]["Health"]["NotRunReason"] = st.health.not_run_reason();
        j["CgroupPath"] = st.cg.valid() ? st.cg.path() : std::string();
        j["MountPoint"] = st.root_path();
        // podman's GraphDriver: the overlay's layers (`ctrctl diff` reads UpperDir).
        j["GraphDriver"] = {{"Name", st.cfg.isolation.rootfs_overlay ? "overlay" : ""},
                            {"Data", json::object()}};
        if (st.cfg.isolation.rootfs_overlay)
          j["GraphDriver"]["Data"] = {{"LowerDir", st.cfg.isolation.rootfs},
                                      {"UpperDir", st.overlay_dir("upper")},
                                      {"WorkDir", st.overlay_dir("work")},
                                      {"MergedDir", st.overlay_dir("merged")}};
        json artifacts = json::array();
        std::error_code ec_fs;
        for (const auto& e : std::filesystem::directory_iterator(st.dir() + "/artifacts", ec_fs))
          artifacts.push_back(e.path().filename().string());
        j["Artifacts"] = std::move(artifacts);
        auto dropped = st.deps.space ? st.deps.space->counts(st.log_path()) : log_drop_counts{};
        j["LogDropped"] = {{"Writes", dropped.writes},
                           {"Bytes", dropped.bytes},
                           {"RotatedFiles", dropped.rotated_files},
                           {"RotatedBytes", dropped.rotated_bytes},
                           {"WriteErrors", st.out.log() ? st.out.log()->errors()
                                           : st.journal ? st.journal->errors()
                                                        : 0}};
        return j;
      },
      [=](wait_atom, const std::vector<std::string>& conditions) {
        return wait_for(self, conditions);
      },
      [=](wait_atom) -> caf::result<json> {
        auto& st = self->state;
        if (st.st.state == container_state::configured || st.st.state == container_state::exited)
          return reply(st.exit_reply());
        auto rp = self->make_response_promise<json>();
        st.replies.wait_exit(rp);
        return rp;
      },
      [=](logs_atom, caf::actor sub, uint32_t msgid, const json& query) {
        return logs(self, std::move(sub), msgid, query);
      },
      [=](replayed_atom, const caf::actor& sub, uint32_t msgid) {
        on_replayed(self, sub.address(), msgid);
      },
      [=](health_atom) { return run_health_now(self); },
      [=](rename_atom, const std::string& name) -> caf::result<json> {
        auto& st = self->state;
        auto old = st.cfg.name;
        st.cfg.name = name;
        if (st.pending_cfg) st.pending_cfg->name = name;
        auto rp = self->make_response_promise<json>();
        // Answered once the definition with the new name is durable; a failed write puts
        // the old name back (the supervisor then frees the new one).
        self->request(st.deps.store, caf::infinite, put_container_atom::value, st.cfg, st.st)
            .then(
                [=](bool) mutable {
                  emit_event(self, "rename");
                  rp.deliver(json{{"id", self->state.cfg.id}, {"name", name}});
                },
                [=](caf::error& err) mutable {
                  auto& s2 = self->state;
                  s2.cfg.name = old;
                  if (s2.pending_cfg) s2.pending_cfg->name = old;
                  publish(self);
                  rp.deliver(err);
                });
        publish(self);
        return rp;
      },
      [=](update_atom, const json& changes) { return update_definition(self, changes); },
      [=](replace_config_atom, container_config& next) -> bool {
        // A service file changed: takes effect now if there is no process, else at the next start.
        auto& st = self->state;
        next.id = st.cfg.id;
        next.name = st.cfg.name;
        next.created_ns = st.cfg.created_ns;
        const auto& current = st.pending_cfg ? *st.pending_cfg : st.cfg;
        if (to_json(next) == to_json(current)) return false;
        if (has_process(st.st.state)) {
          st.pending_cfg = std::move(next);
        } else {
          st.cfg = std::move(next);
          st.pending_cfg.reset();
          persist_config(self);
        }
        return true;
      },
      [=](shutdown_atom) {
        self->state.shutting_down = true;
        cancel_policy_restart(self, false);
      },
      [=](handover_atom, const std::string& why) {
        auto& st = self->state;
        auto err = make_caf_error(ec::shutting_down, why);
        st.replies.fail_all(err);
        st.out.end_all([&](output_client& c) { c.rp.deliver(err); });
        st.health.fail_waiters(err);
        self->quit(caf::exit_reason::user_shutdown);
      },
      [=](sync_atom) { return sync(self); },
      [=](exited_atom, int pid, int code, bool known) {
        if (pid == self->state.st.pid) self->state.awaiting_holder_exit = false;
        on_exited(self, pid, code, known);
      },
      [=](output_atom, int stream, const std::string& data) { on_output(self, stream, data); },
      [=](eof_atom, int stream) { on_eof(self, stream); }, [=](drained_atom) { on_drained(self); },
      [=](drained_atom, const std::string& why) {
        note_drain_problem(self, why);
        on_drained(self);
      },
      [=](cleanup_atom, uint64_t gen) { on_cleanup_timer(self, gen); },
      [=](drain_grace_atom) { on_drain_grace(self); },
      [=](overdue_atom, int pid) { overdue_expired(self, pid); },
      [=](timeout_atom, uint64_t gen) {
        if (gen == self->state.timer_gen) step(self, event::stop_timeout);
      },
      [=](respawn_atom, uint64_t gen) { on_restart_timer(self, gen); },
      [=](health_tick_atom, uint64_t gen) { on_health_timer(self, gen); },
      [=](dep_status_atom, const std::string& text) { note_dep_status(self, text); },
      [=](htimeout_atom, uint64_t seq) { on_health_timeout(self, seq); },
      [=](notify_atom, const std::string& payload, int32_t sender) {
        on_notify(self, payload, sender);
      },
      [=](attach_atom, caf::actor sub, uint32_t msgid, bool logs) {
        return attach(self, std::move(sub), msgid, logs);
      },
      [=](detach_atom, caf::actor sub, uint32_t msgid) -> json {
        detach(self, sub.address(), msgid);
        return json::object();
      },
      [=](stdin_atom, const std::string& data, bool eof) { on_stdin(self, data, eof); },
      [=](writable_atom) { on_stdin_writable(self); },
      [=](resize_atom, int rows, int cols) { return resize(self, rows, cols); },
      [=](pause_atom) -> caf::result<json> {
        if (auto err = step(self, event::pause)) return err;
        return reply(self->state.id_reply());
      },
      [=](unpause_atom) -> caf::result<json> {
        if (auto err = step(self, event::unpause)) return err;
        return reply(self->state.id_reply());
      },
      [=](stats_atom) { return reply(stats_sample(self)); },
      [=](mount_atom) { return mount_root(self); },
      [=](unmount_atom, bool force) { return unmount_root(self, force); },
      [=](stat_atom, const std::string& path) -> caf::result<json> {
        if (path == test_fail_path && test_hooks_enabled()) return fail_on_purpose(self);
        return stat_path(self, path);
      },
      [=](grant_atom, bool rootfs_view) { return grant_root(self, rootfs_view); },
      [=](release_atom) { end_grant(self); },
      [=](exec_atom, const json& params, caf::actor client, uint32_t msgid) {
        return start_exec(self, params, std::move(client), msgid);
      },
      [=](exec_ended_atom, int exit_code) { exec_ended(self, exit_code); },
      [=](artifact_atom, const std::string& op, const std::string& name, const std::string& data) {
        return artifact(self, op, name, data);
      });
}

}  // namespace
}  // namespace ctr

bool recover_record(stored_container& rec, bool holder_may_owe) {
  auto& st = rec.status;
  auto before = to_json(st);
  st.ready = false;
  // Restart times stored by an earlier ctrd: onto this boot's clock (or recomputed after a
  // reboot) before anything reads them.
  restart::rebase(st, rec.config.backoff, {proc::boot_ns(), proc::now_ns(), proc::boot_id()});
  switch (st.state) {
    case container_state::created:
      // The held child exits by itself once the old ctrd's release pipe closed.
      if (proc::is_same_process(st.pid, st.pid_start)) ::kill(st.pid, SIGKILL);
      st.state = container_state::configured;
      st.pid = 0;
      break;
    case container_state::stopped:
      st.state = container_state::exited;
      st.pid = 0;
      break;
    case container_state::running:
    case container_state::paused:
    case container_state::stopping:
      if (proc::is_same_process(st.pid, st.pid_start)) {
        st.state = container_state::running;
        st.ready = true;
      } else if (holder_may_owe && st.pid > 0 && !exit_known(st.pid)) {
        st.state = container_state::running;  // its status may be on the way from the holder
      } else {
        ctr::mark_ended_unseen(st);
      }
      break;
    default:
      break;
  }
  return to_json(st) != before;
}

container_actor spawn_container(caf::actor_system& sys, stored_container rec,
                                const container_deps& deps, bool recovering) {
  return sys.spawn(ctr::container_behavior, std::move(rec), deps, recovering);
}

}  // namespace ctrd
