#include "core/lifecycle.hpp"

namespace ctrd::lifecycle {
namespace {

using S = container_state;
using E = effect;

outcome ok(S next, std::vector<effect> fx, std::vector<const char*> ev = {}) {
  outcome o;
  o.next = next;
  o.effects = std::move(fx);
  o.events = std::move(ev);
  return o;
}

outcome noop(S s, std::vector<effect> fx = {}) {
  outcome o = ok(s, std::move(fx));
  o.noop = true;
  return o;
}

outcome refuse(S s, const char* text, ec code = ec::invalid_state) {
  outcome o;
  o.ok = false;
  o.next = s;
  o.error = code;
  o.error_text = text;
  return o;
}

constexpr const char* already_created = "container %i has already been created in runtime";
constexpr const char* cannot_start =
    "container %i must be in Created or Stopped state to be started";
constexpr const char* cannot_stop =
    "can only stop created or running containers. %i is in state %s";
constexpr const char* cannot_kill = "can only kill running containers. %i is in state %s";
constexpr const char* cannot_restart_paused =
    "unable to restart a container in a paused or unknown state";
constexpr const char* cannot_restart_busy = "container %i is %s, it cannot be restarted now";
constexpr const char* needs_force =
    "cannot remove container %i as it is %s - running or paused containers cannot be removed "
    "without force";
constexpr const char* being_removed = "container %i is being removed";
constexpr const char* cleaning_up = "container %i is still being cleaned up, try again";
constexpr const char* already_paused = "%i is already paused";
constexpr const char* not_running_pause = "\"%s\" is not running, can't pause";
constexpr const char* not_paused = "%i is not paused, can't unpause";
constexpr const char* cannot_attach = "can only attach to created or running containers";

outcome on_init(S s) {
  switch (s) {
    case S::configured:
    case S::exited:
      return ok(S::created, {E::reset_run, E::spawn_held}, {"init"});
    case S::stopped:
      return refuse(s, cleaning_up);
    case S::removing:
      return refuse(s, being_removed);
    default:
      return refuse(s, already_created);
  }
}

outcome on_start(S s) {
  switch (s) {
    case S::configured:
    case S::exited:
      return ok(S::running, {E::reset_run, E::spawn_held, E::release}, {"init", "start"});
    case S::created:
      return ok(S::running, {E::release}, {"start"});
    case S::running:
      return noop(s);
    case S::removing:
      return refuse(s, being_removed);
    default:
      return refuse(s, cannot_start);
  }
}

outcome on_stop(S s, const context& c) {
  std::vector<effect> fx;
  if (c.by_user) fx.push_back(E::mark_user_stopped);
  fx.push_back(E::signal_stop);
  if (s == S::paused) fx.push_back(E::thaw);
  if (!c.stop_timeout_zero) fx.push_back(E::arm_stop_timer);
  fx.push_back(E::defer_reply);
  switch (s) {
    case S::created:
    case S::running:
    case S::paused:
      return ok(S::stopping, fx, {"stop"});
    case S::stopping:
      return ok(S::stopping, fx);
    case S::configured:
    case S::exited:
      return c.by_user ? noop(s, {E::mark_user_stopped}) : noop(s);
    case S::stopped:
      return c.by_user ? noop(s, {E::mark_user_stopped, E::defer_reply})
                       : noop(s, {E::defer_reply});
    case S::removing:
      return refuse(s, cannot_stop);
  }
  return refuse(s, cannot_stop);
}

outcome on_kill(S s) {
  switch (s) {
    case S::running:
    case S::stopping:
    case S::paused:
      return ok(s, {E::mark_user_stopped, E::signal_user}, {"kill"});
    default:
      return refuse(s, cannot_kill);
  }
}

outcome on_restart(S s, const context& c) {
  switch (s) {
    case S::configured:
    case S::exited:
      return ok(S::running, {E::reset_run, E::spawn_held, E::release},
                {"restart", "init", "start"});
    case S::created:
      return ok(S::running, {E::reset_run, E::release}, {"restart", "start"});
    case S::running: {
      std::vector<effect> fx = {E::mark_user_stopped, E::signal_stop};
      if (!c.stop_timeout_zero) fx.push_back(E::arm_stop_timer);
      fx.push_back(E::schedule_start);
      fx.push_back(E::defer_reply);
      return ok(S::stopping, fx, {"restart"});
    }
    case S::paused:
      return refuse(s, cannot_restart_paused);
    case S::removing:
      return refuse(s, being_removed);
    default:
      return refuse(s, cannot_restart_busy);
  }
}

outcome on_remove(S s, bool force) {
  switch (s) {
    case S::configured:
    case S::exited:
      return ok(S::removing, {E::defer_reply, E::remove_now}, {"remove"});
    case S::created:
      return ok(S::removing,
                {E::mark_user_stopped, E::kill_group, E::schedule_remove, E::defer_reply});
    case S::stopped:
      return ok(S::removing, {E::mark_user_stopped, E::schedule_remove, E::defer_reply});
    case S::running:
    case S::stopping:
      if (!force) return refuse(s, needs_force);
      return ok(S::removing,
                {E::mark_user_stopped, E::kill_group, E::schedule_remove, E::defer_reply});
    case S::paused:
      if (!force) return refuse(s, needs_force);
      return ok(S::removing,
                {E::mark_user_stopped, E::kill_group, E::thaw, E::schedule_remove, E::defer_reply});
    case S::removing:
      return refuse(s, being_removed);
  }
  return refuse(s, being_removed);
}

outcome on_pause(S s) {
  if (s == S::running) return ok(S::paused, {E::freeze}, {"pause"});
  if (s == S::paused) return refuse(s, already_paused);
  return refuse(s, not_running_pause);
}

outcome on_unpause(S s) {
  if (s == S::paused) return ok(S::running, {E::thaw}, {"unpause"});
  return refuse(s, not_paused);
}

outcome on_attach(S s) {
  if (s == S::created || s == S::running) return ok(s, {E::subscribe}, {"attach"});
  return refuse(s, cannot_attach);
}

outcome on_process_exited(S s) {
  switch (s) {
    case S::created:
    case S::running:
    case S::paused:
    case S::stopping:
      return ok(S::stopped, {E::begin_cleanup}, {"died"});
    case S::removing:
      return ok(S::removing, {E::begin_cleanup}, {"died"});
    default:
      return noop(s);
  }
}

outcome on_cleaned_up(S s) {
  if (s == S::stopped) return ok(S::exited, {E::finish_exit}, {"cleanup"});
  if (s == S::removing)
    return ok(S::removing, {E::finish_exit, E::remove_now}, {"cleanup", "remove"});
  return noop(s);
}

outcome on_policy_restart(S s) {
  // Keeps RestartCount (no reset_run); a stale timer finds another state and does nothing.
  if (s == S::exited)
    return ok(S::running, {E::spawn_held, E::release}, {"restart", "init", "start"});
  return noop(s);
}

outcome on_boot_start(S s) {
  // Like a user start, but RestartCount, the backoff and a parked crash loop are kept:
  // a restart of ctrd is not a decision of the user's (docs/supervision.md).
  switch (s) {
    case S::configured:
    case S::exited:
      return ok(S::running, {E::resume_run, E::spawn_held, E::release}, {"init", "start"});
    case S::created:
      return ok(S::running, {E::release}, {"start"});
    default:
      return noop(s);
  }
}

outcome on_stop_timeout(S s) {
  if (s == S::stopping) return ok(s, {E::kill_group, E::note_escalation});
  return noop(s);
}

}  // namespace

outcome apply(container_state s, event e, const context& c) {
  switch (e) {
    case event::init:
      return on_init(s);
    case event::start:
      return on_start(s);
    case event::stop:
      return on_stop(s, c);
    case event::kill:
      return on_kill(s);
    case event::restart:
      return on_restart(s, c);
    case event::remove:
      return on_remove(s, false);
    case event::remove_force:
      return on_remove(s, true);
    case event::pause:
      return on_pause(s);
    case event::unpause:
      return on_unpause(s);
    case event::attach:
      return on_attach(s);
    case event::process_exited:
      return on_process_exited(s);
    case event::cleaned_up:
      return on_cleaned_up(s);
    case event::stop_timeout:
      return on_stop_timeout(s);
    case event::policy_restart:
      return on_policy_restart(s);
    case event::boot_start:
      return on_boot_start(s);
  }
  return refuse(s, "unknown event", ec::internal);
}

std::string render_error(const char* text, const std::string& id, container_state s) {
  std::string out;
  for (const char* p = text; *p; ++p) {
    if (p[0] == '%' && p[1] == 'i') {
      out += id;
      ++p;
    } else if (p[0] == '%' && p[1] == 's') {
      out += to_string(s);
      ++p;
    } else {
      out += *p;
    }
  }
  return out;
}

const char* to_string(event e) {
  switch (e) {
    case event::init:
      return "init";
    case event::start:
      return "start";
    case event::stop:
      return "stop";
    case event::kill:
      return "kill";
    case event::restart:
      return "restart";
    case event::remove:
      return "remove";
    case event::remove_force:
      return "remove_force";
    case event::pause:
      return "pause";
    case event::unpause:
      return "unpause";
    case event::attach:
      return "attach";
    case event::process_exited:
      return "process_exited";
    case event::cleaned_up:
      return "cleaned_up";
    case event::stop_timeout:
      return "stop_timeout";
    case event::policy_restart:
      return "policy_restart";
    case event::boot_start:
      return "boot_start";
  }
  return "unknown";
}

namespace {

using T = teardown;
using TE = teardown_event;
using TF = teardown_effect;

struct teardown_row {
  T from;
  TE on;
  T to;
  std::vector<TF> effects;
};

/// The teardown table (docs/lifecycle.md, "Teardown"); pairs not listed are ignored.
const std::vector<teardown_row>& teardown_table() {
  static const std::vector<teardown_row> rows = {
      {T::idle, TE::spawned, T::up, {}},
      {T::idle, TE::adopted, T::up_quiet, {}},
      {T::up, TE::output_drained, T::up_quiet, {}},
      {T::up, TE::main_exited, T::finish, {}},
      {T::up_quiet, TE::main_exited, T::finish_quiet, {}},
      {T::finish, TE::output_drained, T::finish_quiet, {}},
      {T::finish, TE::group_drained, T::lastup, {TF::arm_grace}},
      {T::finish_quiet, TE::group_drained, T::idle, {TF::cleaned_up}},
      {T::lastup, TE::output_drained, T::idle, {TF::cleaned_up}},
      {T::lastup, TE::grace_expired, T::idle, {TF::close_output, TF::cleaned_up}},
  };
  return rows;
}

}  // namespace

teardown_outcome apply(teardown t, teardown_event e) {
  for (const auto& r : teardown_table())
    if (r.from == t && r.on == e) return {true, r.to, r.effects};
  return {false, t, {}};
}

bool main_running(teardown t) {
  return t == T::up || t == T::up_quiet;
}

container_state visible(teardown t, container_state s) {
  switch (t) {
    case T::finish:
    case T::finish_quiet:
    case T::lastup:
      return s == container_state::removing ? s : container_state::stopped;
    default:
      return s;
  }
}

const char* to_string(teardown t) {
  switch (t) {
    case T::idle:
      return "idle";
    case T::up:
      return "up";
    case T::up_quiet:
      return "up_quiet";
    case T::finish:
      return "finish";
    case T::finish_quiet:
      return "finish_quiet";
    case T::lastup:
      return "lastup";
  }
  return "unknown";
}

const char* to_string(teardown_event e) {
  switch (e) {
    case TE::spawned:
      return "spawned";
    case TE::adopted:
      return "adopted";
    case TE::main_exited:
      return "main_exited";
    case TE::output_drained:
      return "output_drained";
    case TE::group_drained:
      return "group_drained";
    case TE::grace_expired:
      return "grace_expired";
  }
  return "unknown";
}

}  // namespace ctrd::lifecycle
