// The container lifecycle as a pure transition table: (state, event) -> outcome.
// No CAF, no syscalls. The container actor feeds it user operations and process events and
// carries out the returned effects in order. The table is data, rows listed in
// lifecycle.cpp (table()); docs/lifecycle.md shows the same rows, and a unit test
// (tests/unit/lifecycle_table_test.cpp) compares the two.
//
// State names follow podman (podman-semantics.md §1): `configured` prints as "created",
// `created` as "initialized". Error texts are podman's, with the container id filled in by
// the caller via render_error().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/container_state.hpp"
#include "messages/error.hpp"

namespace ctrd::lifecycle {

/// Everything that can happen to a container.
enum class event : uint8_t {
  init,            ///< user: fork the process and hold it before exec
  start,           ///< user: (init if needed and) let the process exec
  stop,            ///< user: stop signal to the group, SIGKILL after the timeout
  kill,            ///< user: send a signal to the main process
  restart,         ///< user: stop if running, then start
  remove,          ///< user: remove a container that has no running process
  remove_force,    ///< user: remove, killing the process first if needed
  pause,           ///< user: freeze (needs a cgroup freezer)
  unpause,         ///< user: thaw
  attach,          ///< user: subscribe to output
  process_exited,  ///< runtime: the main process has ended
  cleaned_up,      ///< runtime: no process of the group is left and output is drained
  stop_timeout,    ///< runtime: the stop timeout expired
  policy_restart,  ///< supervisor: the restart policy (or the health action) restarts it
  boot_start,      ///< supervisor: ctrd's own start starts it (no user start: history kept)
};

constexpr int event_count = 15;

/// Side effects, carried out by the actor in the order given.
enum class effect : uint8_t {
  reset_run,          ///< user (re)start: restart count 0, clear error, stopped_by_user, exit code
  resume_run,         ///< boot start: clear error, stopped_by_user, exit code; keep restart count
  spawn_held,         ///< fork the child, held before exec; capture its output
  release,            ///< let the held child exec; record the start time
  mark_user_stopped,  ///< stopped_by_user = true (suppresses the restart policy)
  signal_stop,        ///< stop signal to the process group (SIGKILL when the timeout is 0)
  arm_stop_timer,     ///< deliver stop_timeout after the stop timeout
  signal_user,        ///< the user's signal to the main process
  kill_group,         ///< SIGKILL to every process of the group
  thaw,               ///< unfreeze (a paused container must run to die)
  freeze,             ///< freeze the group
  begin_cleanup,      ///< record the exit, wait for the group to empty and output to drain
  finish_exit,        ///< record "exited": answer waiters and deferred replies
  defer_reply,        ///< answer this request once the container has exited
  schedule_start,     ///< restart: start again once the exit is recorded
  schedule_remove,    ///< remove -f: remove once the exit is recorded
  remove_now,         ///< delete the record and files, then stop the actor
  subscribe,          ///< add the requester to the output subscribers
  note_escalation,    ///< remember that SIGKILL was needed (stop reply, log)
};

/// Result of applying an event.
struct outcome {
  bool ok = true;                    ///< false: refused, state unchanged, reply with error
  container_state next;              ///< state after the event (== current when refused)
  std::vector<effect> effects;       ///< to run in order
  std::vector<const char*> events;   ///< podman event names to publish, in order
  ec error = ec::none;               ///< when !ok
  const char* error_text = nullptr;  ///< podman's text; "%i" = id, "%s" = state name
  bool noop = false;                 ///< accepted without changing anything (podman CLI no-op)
};

/// Per-request facts the table needs besides the state.
struct context {
  bool stop_timeout_zero = false;  ///< the stop/restart timeout in effect is 0 s
  bool by_user = true;             ///< stop requested by a user (not a daemon shutdown)
};

// --- The table, as data (lifecycle.cpp; docs/lifecycle.md shows the same rows) ---

/// When an effect of a row is carried out.
enum class only_if : uint8_t {
  always,
  by_user,  ///< context::by_user (a user's stop, not a daemon shutdown)
  timed,    ///< the stop timeout is not 0 (!context::stop_timeout_zero)
};

/// One effect of a row and its condition.
struct step {
  effect fx;
  only_if cond = only_if::always;
};

/// What a row does with the request or event.
enum class verdict : uint8_t {
  move,    ///< accepted: `to` (or the same state), effects and events
  noop,    ///< accepted, the state is unchanged (podman's CLI no-op); effects may still run
  refuse,  ///< refused with invalid_state and `error_text`; nothing changes
};

/// One row of the lifecycle table: event `on` in any of the states `from`.
struct row {
  event on;
  std::vector<container_state> from;
  verdict kind = verdict::move;
  bool same = false;                 ///< the state stays (noop, refuse, or a move that keeps it)
  container_state to{};              ///< the next state when !same
  std::vector<step> effects;         ///< in order, each when its condition holds
  std::vector<const char*> events;   ///< podman event names to publish, in order
  const char* error_text = nullptr;  ///< refuse: podman's text ("%i" = id, "%s" = state)
};

/// Every row, in the order docs/lifecycle.md lists them: each (state, event) pair is in
/// exactly one row (tests/unit/lifecycle_table_test.cpp checks it and the doc).
const std::vector<row>& table();

/// The row of (s, e), or nullptr if the table has none (never, for valid values).
const row* find(container_state s, event e);

/// The transition function: the row of (s, e) with the context's conditions applied.
outcome apply(container_state s, event e, const context& ctx = {});

/// Fills "%i" and "%s" in an outcome's error_text.
std::string render_error(const char* text, const std::string& id, container_state s);

/// Stable name of an event (for logs and tests).
const char* to_string(event e);
/// Stable names of an effect, a condition and a verdict (for the doc and tests).
const char* to_string(effect fx);
const char* to_string(only_if c);
const char* to_string(verdict v);

// --- Teardown: the internal states of a run between "main process ended" and "exited" ---
//
// s6-supervise's FINISH and LASTUP are the model. The visible states above say `stopped`
// while a run is torn down; underneath, the container actor walks this table, fed by the
// host loop's events, and feeds `cleaned_up` to the table above when it reaches `idle`
// again. Not stored: a ctrd restart reconciles the visible state (recover_record), and an
// adopted process starts at `up_quiet` (no pipes).

/// Where the current run is.
enum class teardown : uint8_t {
  idle,          ///< no run: before the first spawn, after cleanup
  up,            ///< the main process runs; its output pipes are open
  up_quiet,      ///< the main process runs; its output is at EOF (or adopted: no pipes)
  finish,        ///< FINISH: the main process ended, the group is being emptied, output open
  finish_quiet,  ///< FINISH: the main process ended, the group is being emptied, output at EOF
  lastup,        ///< LASTUP: the group is empty, a pipe is still open (an escapee): short grace
};

constexpr int teardown_count = 6;

/// What the host loop reports about a run.
enum class teardown_event : uint8_t {
  spawned,         ///< a process was spawned with output pipes
  adopted,         ///< recovery adopted a live process (no pipes)
  main_exited,     ///< the main process ended
  output_drained,  ///< every output pipe reached EOF (or was closed)
  group_drained,   ///< no process of the group is left
  grace_expired,   ///< the grace after group_drained expired
};

constexpr int teardown_event_count = 6;

/// Effects of a teardown step, carried out in order.
enum class teardown_effect : uint8_t {
  arm_grace,     ///< deliver grace_expired after 100 ms (in-flight output of an escapee)
  close_output,  ///< stop reading the pipes still open
  cleaned_up,    ///< feed event::cleaned_up to the lifecycle table (then the restart policy)
};

/// Result of a teardown event: events not in the table change nothing (a late or duplicate
/// report).
struct teardown_outcome {
  bool accepted = false;
  teardown next = teardown::idle;
  std::vector<teardown_effect> effects;
};

/// The teardown transition function (a table of rows in lifecycle.cpp).
teardown_outcome apply(teardown t, teardown_event e);

/// The main process of the run is alive (an exit report is expected).
bool main_running(teardown t);

/// The visible state a container in teardown state `t` shows, given the recorded one `s`:
/// FINISH and LASTUP are `stopped` (or `removing` for a removal); the others show `s`.
container_state visible(teardown t, container_state s);

const char* to_string(teardown t);
const char* to_string(teardown_event e);

}  // namespace ctrd::lifecycle
