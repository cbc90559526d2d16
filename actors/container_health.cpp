// The container actor's side of health checks: it runs the check process through the
// container's helpers (inside_spec, the host loop, its cgroup), arms the delayed messages
// (next check, check timeout) and carries out a verdict (persist, events, the unhealthy
// action). The state and the pure rules are the health monitor's (actors/health_monitor.hpp).
#include <unistd.h>
#include <chrono>
#include <csignal>

#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "actors/container_impl.hpp"
#include "actors/host_loop.hpp"
#include "runtime/proc.hpp"
#include "runtime/resource_error.hpp"

namespace ctrd::ctr {

using lifecycle::event;

namespace {

/// Starts a check: `scheduled` by the periodic timer (its end arms the next one), or for
/// `healthcheck run` (the schedule stays as it is). A check already running is shared.
void start_check(actor_t* self, bool scheduled) {
  auto& s = self->state;
  auto& h = s.health;
  if (h.busy()) {  // one check at a time
    if (scheduled) h.take_schedule();
    return;
  }
  h.begin(proc::now_ns(), proc::boot_ns(), scheduled);
  try {
    host_client_actor me{self};
    auto spec = inside_spec(self, s.cfg, s.cfg.health.cmd);  // in the container's namespaces
    spec.hold = s.cg.needs_add_after_clone();                // released right below
    held_child child;
    try {
      child = s.deps.host->spawn(spec, me);
    } catch (...) {
      if (spec.join_pidfd >= 0) ::close(spec.join_pidfd);
      throw;
    }
    if (spec.join_pidfd >= 0) ::close(spec.join_pidfd);
    try {
      if (s.cg.valid()) s.cg.add(child.pid, child.in_cgroup);
    } catch (const ctrd::error& e) {  // the check still runs, outside the container's cgroup
      spdlog::warn("container {}: health check outside its cgroup: {}", s.cfg.name, e.what());
    }
    release_child(child);
    auto seq = h.started(child);
    s.deps.host->watch_output(child.out_fd, health_stdout, me);
    s.deps.host->watch_output(child.err_fd, health_stderr, me);
    self->delayed_send(self, std::chrono::milliseconds(s.cfg.health.timeout_ms),
                       htimeout_atom::value, seq);
    note_health_ran(self);
  } catch (const ctrd::error& e) {
    // ctrd lacked a resource (descriptors, memory, processes) before the check process
    // existed: the check did not run, which says nothing about the container. What fails
    // once the process runs (e.g. its own forks at the container's pids limit) is its exit.
    if (is_transient(e)) {
      h.not_started();
      note_health_not_run(self, e.what(), scheduled);
      return;
    }
    // The check cannot even start (no such command...): a failed check with the reason.
    h.failed_to_start(e.what(), exit_code_for(e.code()));
  }
}

void apply_unhealthy_action(actor_t* self) {
  auto& s = self->state;
  request_ctx rc;
  switch (s.cfg.health.on_failure) {
    case health_action::none:
      return;
    case health_action::kill:
      rc.signal = SIGKILL;
      step(self, event::kill, rc);
      return;
    case health_action::restart:
      s.unhealthy_restart = true;
      rc.lc.by_user = false;
      [[fallthrough]];
    case health_action::stop:
      rc.timeout = s.cfg.stop_timeout;
      rc.lc.stop_timeout_zero = rc.timeout == 0;
      step(self, event::stop, rc);
      return;
  }
}

/// A check finished (exited and its output drained): record, answer, judge, act, schedule.
void finish_check(actor_t* self) {
  auto& s = self->state;
  auto r = s.health.finish(proc::now_ns(), s.cfg.id);
  if (!r.for_run_since(s.started_boot_ns) || s.st.state != container_state::running) return;
  health_status now;
  now.status = s.st.health;
  now.streak = s.st.failing_streak;
  now.ready = s.st.ready;
  now.sdnotify = s.cfg.sdnotify;
  now.retries = s.cfg.health.retries;
  now.in_start_period =
      s.st.health == "starting" &&
      proc::boot_ns() - s.started_boot_ns < int64_t{s.cfg.health.start_period_ms} * 1000000;
  auto v = judge_health(now, r.healthy);
  s.st.health = v.next.status;
  s.st.failing_streak = v.next.streak;
  if (v.became_ready) set_ready(self);
  if (v.became_unhealthy) {
    spdlog::info("container {}: health_status unhealthy ({} failed checks)", s.cfg.name,
                 s.st.failing_streak);
    persist(self);
    emit_event(self, "health_status");
    apply_unhealthy_action(self);
    if (r.scheduled && s.st.state == container_state::running) schedule_next_check(self);
    return;
  }
  if (v.changed) persist(self);
  if (v.became_healthy) emit_event(self, "health_status");
  if (r.scheduled) schedule_next_check(self);
}

void maybe_finish_check(actor_t* self) {
  if (self->state.health.finished()) finish_check(self);
}

}  // namespace

void schedule_next_check(actor_t* self) {
  auto& s = self->state;
  self->delayed_send(self, std::chrono::milliseconds(s.cfg.health.interval_ms),
                     health_tick_atom::value, s.health.gen());
}

void stop_health_checks(actor_t* self) {
  auto& s = self->state;
  s.health.new_generation();
  if (s.health.busy()) s.deps.host->signal_group(s.health.child().pid, SIGKILL);
}

void on_health_timer(actor_t* self, uint64_t gen) {
  auto& s = self->state;
  if (gen != s.health.gen() || s.st.state != container_state::running) return;
  start_check(self, true);
  maybe_finish_check(self);  // a check that could not start finishes at once
}

void on_health_timeout(actor_t* self, uint64_t seq) {
  auto& h = self->state.health;
  if (h.timed_out(seq)) self->state.deps.host->signal_group(h.child().pid, SIGKILL);
}

void on_health_output(actor_t* self, int stream, const std::string& data) {
  auto& h = self->state.health;
  h.output(data);
  self->state.deps.host->rearm(h.fd(stream));
}

void on_health_eof(actor_t* self, int stream) {
  auto& s = self->state;
  auto& h = s.health;
  s.deps.host->unwatch(h.fd(stream));
  close_fd(h.fd(stream));
  h.stream_closed(stream);
  maybe_finish_check(self);
}

bool on_health_exit(actor_t* self, int pid, int code) {
  if (!self->state.health.exited(pid, code)) return false;
  // Its group may hold the pipes open (a background child of the check): kill it.
  self->state.deps.host->signal_group(pid, SIGKILL);
  maybe_finish_check(self);
  return true;
}

caf::result<json> run_health_now(actor_t* self) {
  auto& s = self->state;
  if (s.cfg.health.cmd.empty())
    return make_caf_error(ec::invalid_argument,
                          "container " + s.cfg.name + " has no defined healthcheck");
  if (s.st.state != container_state::running)
    return make_caf_error(ec::invalid_state, "container " + s.cfg.name + " is not running");
  auto rp = self->make_response_promise<json>();
  s.health.wait(rp);
  start_check(self, false);
  maybe_finish_check(self);
  return rp;
}

void note_health_not_run(actor_t* self, const std::string& reason, bool scheduled) {
  auto& s = self->state;
  auto& h = s.health;
  if (h.note_not_run(reason))
    spdlog::warn(
        "container {}: health check not run: {} (not counted as a failure; further ones are "
        "logged at debug level)",
        s.cfg.name, reason);
  else
    spdlog::debug("container {}: health check not run again ({} in a row): {}", s.cfg.name,
                  h.not_run_streak(), reason);
  h.fail_waiters(make_caf_error(ec::internal, "the health check could not be run: " + reason));
  if (scheduled && s.st.state == container_state::running) schedule_next_check(self);
}

void note_health_ran(actor_t* self) {
  auto& s = self->state;
  if (auto streak = s.health.note_ran(); streak > 0)
    spdlog::info("container {}: health checks run again after {} not run", s.cfg.name, streak);
}

}  // namespace ctrd::ctr
