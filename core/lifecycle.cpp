#include "core/lifecycle.hpp"

namespace ctrd::lifecycle {
namespace {

using S = container_state;
using E = effect;
using V = verdict;

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
    "without force: container state improper";
constexpr const char* being_removed = "container %i is being removed";
constexpr const char* cleaning_up = "container %i is still being cleaned up, try again";
constexpr const char* already_paused = "%i is already paused";
constexpr const char* not_running_pause = "\"%s\" is not running, can't pause";
constexpr const char* not_paused = "%i is not paused, can't unpause";
constexpr const char* cannot_attach = "can only attach to created or running containers";

using states = std::vector<S>;
using steps = std::vector<step>;
using names = std::vector<const char*>;

/// Accepted: moves to `to`.
row to(event on, states from, S next, steps fx, names ev = {}) {
  row r;
  r.on = on;
  r.from = std::move(from);
  r.to = next;
  r.effects = std::move(fx);
  r.events = std::move(ev);
  return r;
}

/// Accepted: the state stays (not a no-op: effects and events).
row stay(event on, states from, steps fx, names ev = {}) {
  row r = to(on, std::move(from), S::configured, std::move(fx), std::move(ev));
  r.same = true;
  return r;
}

/// Accepted as a no-op (podman's CLI treats it as success).
row noop(event on, states from, steps fx = {}) {
  row r = stay(on, std::move(from), std::move(fx));
  r.kind = V::noop;
  return r;
}

/// Refused with podman's text.
row refuse(event on, states from, const char* text) {
  row r = stay(on, std::move(from), {});
  r.kind = V::refuse;
  r.error_text = text;
  return r;
}

constexpr step by_user(effect fx) {
  return {fx, only_if::by_user};
}
constexpr step timed(effect fx) {
  return {fx, only_if::timed};
}

const std::vector<row>& rows() {
  using ev = event;
  // Grouped by event, in the order of the enum; docs/lifecycle.md lists the same rows.
  static const std::vector<row> r = {
      to(ev::init, {S::configured, S::exited}, S::created, {{E::reset_run}, {E::spawn_held}},
         {"init"}),
      refuse(ev::init, {S::created, S::running, S::paused, S::stopping}, already_created),
      refuse(ev::init, {S::stopped}, cleaning_up),
      refuse(ev::init, {S::removing}, being_removed),

      to(ev::start, {S::configured, S::exited}, S::running,
         {{E::reset_run}, {E::spawn_held}, {E::release}}, {"init", "start"}),
      to(ev::start, {S::created}, S::running, {{E::release}}, {"start"}),
      noop(ev::start, {S::running}),
      refuse(ev::start, {S::paused, S::stopping, S::stopped}, cannot_start),
      refuse(ev::start, {S::removing}, being_removed),

      noop(ev::stop, {S::configured, S::exited}, {by_user(E::mark_user_stopped)}),
      to(ev::stop, {S::created, S::running}, S::stopping,
         {by_user(E::mark_user_stopped),
          {E::signal_stop},
          timed(E::arm_stop_timer),
          {E::defer_reply}},
         {"stop"}),
      to(ev::stop, {S::paused}, S::stopping,
         {by_user(E::mark_user_stopped),
          {E::signal_stop},
          {E::thaw},
          timed(E::arm_stop_timer),
          {E::defer_reply}},
         {"stop"}),
      to(ev::stop, {S::stopping}, S::stopping,
         {by_user(E::mark_user_stopped),
          {E::signal_stop},
          timed(E::arm_stop_timer),
          {E::defer_reply}}),
      noop(ev::stop, {S::stopped}, {by_user(E::mark_user_stopped), {E::defer_reply}}),
      refuse(ev::stop, {S::removing}, cannot_stop),

      stay(ev::kill, {S::running, S::paused, S::stopping},
           {{E::mark_user_stopped}, {E::signal_user}}, {"kill"}),
      refuse(ev::kill, {S::configured, S::created, S::stopped, S::exited, S::removing},
             cannot_kill),

      to(ev::restart, {S::configured, S::exited}, S::running,
         {{E::reset_run}, {E::spawn_held}, {E::release}}, {"restart", "init", "start"}),
      to(ev::restart, {S::created}, S::running, {{E::reset_run}, {E::release}},
         {"restart", "start"}),
      to(ev::restart, {S::running}, S::stopping,
         {{E::mark_user_stopped},
          {E::signal_stop},
          timed(E::arm_stop_timer),
          {E::schedule_start},
          {E::defer_reply}},
         {"restart"}),
      refuse(ev::restart, {S::paused}, cannot_restart_paused),
      refuse(ev::restart, {S::stopping, S::stopped}, cannot_restart_busy),
      refuse(ev::restart, {S::removing}, being_removed),

      to(ev::remove, {S::configured, S::exited}, S::removing, {{E::defer_reply}, {E::remove_now}},
         {"remove"}),
      to(ev::remove, {S::created}, S::removing,
         {{E::mark_user_stopped}, {E::kill_group}, {E::schedule_remove}, {E::defer_reply}}),
      to(ev::remove, {S::stopped}, S::removing,
         {{E::mark_user_stopped}, {E::schedule_remove}, {E::defer_reply}}),
      refuse(ev::remove, {S::running, S::paused, S::stopping}, needs_force),
      refuse(ev::remove, {S::removing}, being_removed),

      to(ev::remove_force, {S::configured, S::exited}, S::removing,
         {{E::defer_reply}, {E::remove_now}}, {"remove"}),
      to(ev::remove_force, {S::created, S::running, S::stopping}, S::removing,
         {{E::mark_user_stopped}, {E::kill_group}, {E::schedule_remove}, {E::defer_reply}}),
      to(ev::remove_force, {S::paused}, S::removing,
         {{E::mark_user_stopped},
          {E::kill_group},
          {E::thaw},
          {E::schedule_remove},
          {E::defer_reply}}),
      to(ev::remove_force, {S::stopped}, S::removing,
         {{E::mark_user_stopped}, {E::schedule_remove}, {E::defer_reply}}),
      refuse(ev::remove_force, {S::removing}, being_removed),

      to(ev::pause, {S::running}, S::paused, {{E::freeze}}, {"pause"}),
      refuse(ev::pause, {S::paused}, already_paused),
      refuse(ev::pause,
             {S::configured, S::created, S::stopping, S::stopped, S::exited, S::removing},
             not_running_pause),

      to(ev::unpause, {S::paused}, S::running, {{E::thaw}}, {"unpause"}),
      refuse(
          ev::unpause,
          {S::configured, S::created, S::running, S::stopping, S::stopped, S::exited, S::removing},
          not_paused),

      stay(ev::attach, {S::created, S::running}, {{E::subscribe}}, {"attach"}),
      refuse(ev::attach,
             {S::configured, S::paused, S::stopping, S::stopped, S::exited, S::removing},
             cannot_attach),

      to(ev::process_exited, {S::created, S::running, S::paused, S::stopping}, S::stopped,
         {{E::begin_cleanup}}, {"died"}),
      to(ev::process_exited, {S::removing}, S::removing, {{E::begin_cleanup}}, {"died"}),
      noop(ev::process_exited, {S::configured, S::stopped, S::exited}),

      to(ev::cleaned_up, {S::stopped}, S::exited, {{E::finish_exit}}, {"cleanup"}),
      to(ev::cleaned_up, {S::removing}, S::removing, {{E::finish_exit}, {E::remove_now}},
         {"cleanup", "remove"}),
      noop(ev::cleaned_up,
           {S::configured, S::created, S::running, S::paused, S::stopping, S::exited}),

      to(ev::stop_timeout, {S::stopping}, S::stopping, {{E::kill_group}, {E::note_escalation}}),
      noop(ev::stop_timeout,
           {S::configured, S::created, S::running, S::paused, S::stopped, S::exited, S::removing}),

      // Keeps RestartCount (no reset_run); a stale timer finds another state and does nothing.
      to(ev::policy_restart, {S::exited}, S::running, {{E::spawn_held}, {E::release}},
         {"restart", "init", "start"}),
      noop(ev::policy_restart, {S::configured, S::created, S::running, S::paused, S::stopping,
                                S::stopped, S::removing}),

      // Like a user start, but RestartCount, the backoff and a parked crash loop are kept:
      // a restart of ctrd is not a decision of the user's (docs/supervision.md).
      to(ev::boot_start, {S::configured, S::exited}, S::running,
         {{E::resume_run}, {E::spawn_held}, {E::release}}, {"init", "start"}),
      to(ev::boot_start, {S::created}, S::running, {{E::release}}, {"start"}),
      noop(ev::boot_start, {S::running, S::paused, S::stopping, S::stopped, S::removing}),
  };
  return r;
}

/// (event, state) -> its row; built once from the rows (a pair listed twice keeps the
/// first, which the table test refuses).
struct index {
  const row* cell[event_count][container_state_count] = {};
  index() {
    for (const auto& r : rows())
      for (S s : r.from) {
        auto& c = cell[static_cast<int>(r.on)][static_cast<int>(s)];
        if (!c) c = &r;
      }
  }
};

bool holds(only_if c, const context& ctx) {
  switch (c) {
    case only_if::always:
      return true;
    case only_if::by_user:
      return ctx.by_user;
    case only_if::timed:
      return !ctx.stop_timeout_zero;
  }
  return false;
}

}  // namespace

const std::vector<row>& table() {
  return rows();
}

const row* find(container_state s, event e) {
  static const index idx;
  auto ei = static_cast<int>(e);
  auto si = static_cast<int>(s);
  if (ei < 0 || ei >= event_count || si < 0 || si >= container_state_count) return nullptr;
  return idx.cell[ei][si];
}

outcome apply(container_state s, event e, const context& c) {
  outcome o;
  o.next = s;
  const row* r = find(s, e);
  if (!r) {
    o.ok = false;
    o.error = ec::internal;
    o.error_text = "unknown event";
    return o;
  }
  if (r->kind == V::refuse) {
    o.ok = false;
    o.error = ec::invalid_state;
    o.error_text = r->error_text;
    return o;
  }
  o.noop = r->kind == V::noop;
  if (!r->same) o.next = r->to;
  for (const auto& st : r->effects)
    if (holds(st.cond, c)) o.effects.push_back(st.fx);
  o.events = r->events;
  return o;
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

const char* to_string(effect fx) {
  switch (fx) {
    case E::reset_run:
      return "reset_run";
    case E::resume_run:
      return "resume_run";
    case E::spawn_held:
      return "spawn_held";
    case E::release:
      return "release";
    case E::mark_user_stopped:
      return "mark_user_stopped";
    case E::signal_stop:
      return "signal_stop";
    case E::arm_stop_timer:
      return "arm_stop_timer";
    case E::signal_user:
      return "signal_user";
    case E::kill_group:
      return "kill_group";
    case E::thaw:
      return "thaw";
    case E::freeze:
      return "freeze";
    case E::begin_cleanup:
      return "begin_cleanup";
    case E::finish_exit:
      return "finish_exit";
    case E::defer_reply:
      return "defer_reply";
    case E::schedule_start:
      return "schedule_start";
    case E::schedule_remove:
      return "schedule_remove";
    case E::remove_now:
      return "remove_now";
    case E::subscribe:
      return "subscribe";
    case E::note_escalation:
      return "note_escalation";
  }
  return "unknown";
}

const char* to_string(only_if c) {
  switch (c) {
    case only_if::always:
      return "always";
    case only_if::by_user:
      return "by user";
    case only_if::timed:
      return "timeout > 0";
  }
  return "unknown";
}

const char* to_string(verdict v) {
  switch (v) {
    case V::move:
      return "move";
    case V::noop:
      return "no-op";
    case V::refuse:
      return "refuse";
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
