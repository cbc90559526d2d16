// The container lifecycle as a pure transition table: (state, event) -> outcome.
// No CAF, no syscalls. The container actor feeds it user operations and process events and
// carries out the returned effects in order (docs/lifecycle.md has the same table).
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

/// The transition function.
outcome apply(container_state s, event e, const context& ctx = {});

/// Fills "%i" and "%s" in an outcome's error_text.
std::string render_error(const char* text, const std::string& id, container_state s);

/// Stable name of an event (for logs and tests).
const char* to_string(event e);

}  // namespace ctrd::lifecycle
