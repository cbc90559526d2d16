// Internals of the container actor, shared by its source files (not part of any interface):
//   container.cpp              behaviour: request handlers, recovery
//   container_effects.cpp      lifecycle steps and their effects, output, exit, removal
//   container_supervision.cpp  restart policy, readiness (sd_notify)
//   container_health.cpp       health checks (state and rules: health_monitor.hpp)
//   container_io.cpp           clients of the output (output_fanout.hpp), stdin, wait
//   (the replies that wait for later events are in the reply book: reply_book.hpp)
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/atoms.hpp"
#include "actors/close_fd.hpp"
#include "actors/container.hpp"
#include "actors/file_jobs.hpp"
#include "actors/health_monitor.hpp"
#include "actors/output_fanout.hpp"
#include "actors/reply_book.hpp"
#include "core/lifecycle.hpp"
#include "core/restart_policy.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/fs_root.hpp"
#include "runtime/isolation.hpp"
#include "runtime/journal_writer.hpp"
#include "runtime/log_file.hpp"
#include "runtime/spawner.hpp"

namespace ctrd::ctr {

using promise = caf::typed_response_promise<json>;

/// A client of the output fan-out: its session and the request answered when it ends.
struct output_client {
  caf::actor actor;
  promise rp;
  caf::actor_addr key() const { return actor.address(); }
};

using fanout = output_fanout<output_client>;

/// Per-request inputs of one lifecycle step.
struct request_ctx {
  lifecycle::context lc;
  uint32_t timeout = 0;  ///< stop timeout in effect
  int signal = 0;        ///< kill signal
  deferred_kind kind = deferred_kind::stop;
  promise* rp = nullptr;         ///< the request's promise, for defer_reply
  bool release_follows = false;  ///< the outcome releases the process it spawns at once
};

struct state {
  static inline const char* name = "container";
  state() = default;
  state(const state&) = delete;
  state& operator=(const state&) = delete;
  /// The actor ended (removed, or failed): what the host loop still watches for it is
  /// unwatched and closed, so that a respawned actor starts clean (container_effects.cpp).
  ~state();
  container_config cfg;
  container_status st;
  container_deps deps;
  held_child child;  // release fd and output fds of the current process
  fanout out;        // the container log (created at the first spawn) and its output's clients
  std::unique_ptr<journal_writer> journal;              // --log-driver journald (else nullptr)
  lifecycle::teardown run = lifecycle::teardown::idle;  // the run's teardown state (lifecycle.hpp)
  bool escalated = false;                               // the last stop needed SIGKILL
  bool restart_pending = false;                         // a user restart waits for the exit
  bool awaiting_holder_exit = false;                    // recovery: the holder owes st.pid's status
  bool unhealthy_restart = false;                       // the health action asked for a restart
  std::string dep_status;  // the supervisor's last word on a waiting start (note_dep_status)
  uint32_t stop_timeout_used = 0;
  uint64_t timer_gen = 0;    // cancels stale stop timers
  uint64_t restart_gen = 0;  // cancels stale policy-restart timers
  // Boot-clock times of the current run (proc::boot_ns(): wall-clock jumps do not move them)
  int64_t started_boot_ns = 0;  // it started (the health start period counts from here)
  int64_t ready_boot_ns = 0;    // it became ready (0: not yet; the backoff reset counts from here)
  int64_t ended_boot_ns = 0;    // its main process ended
  health_monitor<promise> health;               // health checks (container_health.cpp)
  int notify_fd = -1;                           // NOTIFY_SOCKET of an sdnotify container
  bool shutting_down = false;                   // ctrd is stopping: no policy restarts any more
  std::optional<container_config> pending_cfg;  // a changed service file, applied at the next start
  std::string stdin_buf;                        // bytes for the container's stdin not yet written
  bool stdin_eof = false;                       // close stdin once stdin_buf is written
  bool stdin_waiting = false;                   // the host loop will tell when stdin is writable
  unsigned short tty_rows = 0, tty_cols = 0;    // last terminal size a client sent
  reply_book<promise> replies;  // wait, wait --condition, deferred stop/restart/remove replies
  cgroup::group cg;             // the cgroup of the current run (invalid without cgroups)
  // Transient resource failures (container_retry.cpp, docs/reliability.md).
  bool last_step_transient = false;          // the last failed step() lacked a resource
  uint32_t spawn_failures = 0;               // failed spawns of the current retry streak
  bool retry_boot = false;                   // the pending retry is a boot start's
  std::vector<cgroup::group> stale_cgroups;  // removals to retry
  uint32_t cleanup_failures = 0;             // failed attempts of the current cleanup streak
  uint64_t cleanup_gen = 0;                  // cancels stale cleanup timers
  uint32_t root_users = 0;  // file operations in progress that need the overlay mounted
  userns_plan userns;       // the current run's user namespace (none: empty)

  std::string dir() const { return deps.containers_dir + "/" + cfg.id; }
  /// The container's log folder: its own folder unless ctrd runs with --log-dir.
  std::string log_dir() const { return deps.log_dir + "/" + cfg.id; }
  std::string log_path() const { return log_dir() + "/ctr.log"; }
  /// Unix socket paths are limited to 107 bytes: notify sockets live in the (short) run dir.
  std::string notify_path() const {
    return deps.run_dir + "/notify/" + cfg.id.substr(0, 16) + ".sock";
  }
  std::string overlay_dir(const char* part) const { return dir() + "/" + part; }
  /// Host path of the container's root: the rootfs, its overlay, or "" (the host's /).
  std::string root_path() const {
    if (cfg.isolation.rootfs.empty()) return "";
    return cfg.isolation.rootfs_overlay ? overlay_dir("merged") : cfg.isolation.rootfs;
  }
  bool has_process() const { return st.pid > 0; }
  json id_reply() const { return json{{"id", cfg.id}}; }
  json exit_reply() const { return json{{"id", cfg.id}, {"exit_code", st.exit_code}}; }
};

// A class of its own, not an alias (docs/architecture.md, "Short type names").
using actor_base = container_actor::stateful_base<state>;
struct actor_t final : actor_base {
  using actor_base::actor_base;
};

// container_effects.cpp
caf::error step(actor_t* self, lifecycle::event ev, request_ctx rc = {});
void persist(actor_t* self);
/// Publishes a podman event ("start", "died", ...) for this container.
void emit_event(actor_t* self, const std::string& status);
void publish(actor_t* self);
void on_output(actor_t* self, int stream, const std::string& data);
/// Opens what keeps the output of the run that starts: the log file (k8s-file), the journal
/// (journald) or nothing (none).
void open_output_log(actor_t* self);
void on_eof(actor_t* self, int stream);
void on_exited(actor_t* self, int pid, int code, bool known);
void on_drained(actor_t* self);
void on_drain_grace(actor_t* self);
/// Feeds a teardown event of the current run (lifecycle::teardown) and carries out its effects.
void teardown_step(actor_t* self, lifecycle::teardown_event ev);
void remove_now(actor_t* self);
/// The process ended: `wait` and attached clients get the exit reply.
void answer_exit_waiters(actor_t* self);
/// The spawn spec for `argv` run as container `c` (its env, workdir and user); with
/// `root` >= 0 the working directory and the command are looked up inside that root.
spawn_spec make_spawn_spec(const container_config& c, const std::vector<std::string>& argv,
                           int root = -1);

/// Writes the definition durably (after a service-file change).
void persist_config(actor_t* self);

// container_runtime.cpp
/// Before a spawn: the cgroup (with limits), the overlay, the namespaces and root, and the
/// command resolved inside the root. Fills `spec` (which points into `iso`).
void prepare_run(actor_t* self, spawn_spec& spec, child_isolation& iso);
/// `update`: applies `changes` (core/container_update.hpp) to the definition, writes the
/// limits into the cgroup of a running container (the old ones back if the kernel refuses),
/// stores the definition and emits "update". Refused for a service file's container.
caf::result<json> update_definition(actor_t* self, const json& changes);
/// After the spawn, before release: the process joins the cgroup. Throws ctrd::error.
void join_cgroup(actor_t* self, const held_child& child);
/// Stop/kill escalation and cleanup: SIGKILL to every task of the cgroup.
void kill_cgroup(actor_t* self);
/// After the run: OOM verdict, cgroup removed, overlay released when unused.
void finish_run(actor_t* self);
/// pause / unpause effects. Throw ctrd::error{ec::invalid_state} without a freezer.
void freeze(actor_t* self);
void thaw(actor_t* self);
/// A stats sample (docs/protocol.md "Stats samples").
json stats_sample(actor_t* self);
/// Mounts the overlay (if any) for a user or a file operation; release_root() undoes it
/// once nothing uses it.
void acquire_root(actor_t* self);
void release_root(actor_t* self);
/// A directory descriptor of the container's root as its processes see it: the running
/// process's /proc/<pid>/root, else the rootfs (overlay mounted by the caller), else "/".
fs::unique_fd open_container_root(actor_t* self);

// container_security.cpp
/// Capabilities, seccomp, no_new_privs and keyring for a process of container `c` (the
/// main one, exec and health-check helpers alike). Throws ctrd::error{invalid_argument}
/// for a seccomp profile file that is missing or invalid.
void confine(actor_t* self, const container_config& c, spawn_spec& spec);
/// inspect: EffectiveCaps, BoundingCaps, HostConfig.CapAdd/CapDrop/Privileged/SecurityOpt.
void add_security_view(actor_t* self, json& inspect);

// container_files.cpp
caf::result<json> mount_root(actor_t* self);
/// podman's refusal rules: the reference a running container holds cannot be dropped.
caf::result<json> unmount_root(actor_t* self, bool force);
caf::result<json> stat_path(actor_t* self, const std::string& path);
/// The root for a file job: the container's own view (running: /proc/<pid>/root), or
/// with `rootfs_view` its root file system without bind mounts (export).
caf::result<root_grant> grant_root(actor_t* self, bool rootfs_view);
/// A file job ended (release_atom).
void end_grant(actor_t* self);
/// op: "add", "get", "remove", "list".
caf::result<json> artifact(actor_t* self, const std::string& op, const std::string& name,
                           const std::string& data);

// container_exec.cpp
/// A process that runs inside the running container (exec, health checks): its
/// namespaces joined through a pidfd (owned by the spec's user), its root for lookups.
spawn_spec inside_spec(actor_t* self, const container_config& c,
                       const std::vector<std::string>& argv);
/// `exec` (docs/protocol.md): runs the process through an exec actor; the reply comes
/// when it ends. `client` learns the exec actor with (route_atom, msgid, actor).
caf::result<json> start_exec(actor_t* self, const json& params, caf::actor client, uint32_t msgid);
/// An exec's process ended: the exec_died event.
void exec_ended(actor_t* self, int exit_code);

// container_io.cpp
/// Subscribes `sub` to the output; with `logs`, the history is replayed first.
caf::result<json> attach(actor_t* self, caf::actor sub, uint32_t msgid, bool logs);
/// Ends the attach `msgid` of `sub` with {id, detached: true}.
void detach(actor_t* self, const caf::actor_addr& sub, uint32_t msgid);
/// Bytes (or the end) of stdin from an attached client.
void on_stdin(actor_t* self, const std::string& data, bool eof);
void on_stdin_writable(actor_t* self);
/// Closes stdin when the process ends.
void close_stdin(actor_t* self);
/// Sets the terminal size of a tty container (remembered for the next terminal too).
caf::result<json> resize(actor_t* self, int rows, int cols);
/// Applies the remembered size to the current terminal.
void apply_tty_size(actor_t* self);
/// `logs`: sends the history matching `query` to `sub` (records or chunks), then, with
/// follow, live output until the container is removed.
caf::result<json> logs(actor_t* self, caf::actor sub, uint32_t msgid, const json& query);
/// A log reader finished sending the history to (`sub`, `msgid`).
void on_replayed(actor_t* self, const caf::actor_addr& sub, uint32_t msgid);
/// Connects the fan-out to the clients' sessions (once, when the actor starts).
void connect_fanout(actor_t* self);

/// `wait` with explicit conditions (state names, "healthy", "unhealthy"): answers at once
/// if one holds, else when one does (checked on every transition and health change).
caf::result<json> wait_for(actor_t* self, const std::vector<std::string>& conditions);
/// Answers the conditional waiters whose condition now holds.
void check_waiters(actor_t* self);

// container_supervision.cpp
/// After every exit: pending user restart, restart policy, --rm.
void after_exit(actor_t* self);

// --- bridge networks (container_network.cpp) ----------------------------------------

/// Sets up the container's bridge networks through the network actor unless they are up
/// (docs/network.md); `k` runs once they are (no error) or with the error, at once without
/// networks. Other messages wait meanwhile (an awaited request): the start stays atomic.
void ensure_network(actor_t* self, std::function<void(caf::error)> k);

/// Its run is over for good (no restart follows) or it is removed: its networks are torn
/// down and its namespace removed (the network actor does it in order). `then` runs once
/// that is done (or failed: logged), at once without networks.
void release_network(actor_t* self, std::function<void()> then = {});

/// The last step of a removal: its records are deleted, then the actor ends.
void erase_record(actor_t* self);

/// `network_connect` / `network_disconnect` of this container (params as the protocol's).
caf::result<json> network_method(actor_t* self, const std::string& method, const json& params);
/// The policy-restart timer fired.
void on_restart_timer(actor_t* self, uint64_t gen);
/// Recovery: re-arms a policy restart that was pending when ctrd went down, for the rest of
/// its delay (it still counts as the policy restart it is).
void resume_policy_restart(actor_t* self);
/// Cancels a pending policy restart and forgets the crash history (user start, stop).
void cancel_policy_restart(actor_t* self, bool forget_history);
/// A run started (release): readiness and health checks begin.
void on_run_started(actor_t* self);
/// Recovery adopted the running process: health checks (and the sd_notify socket) are
/// re-armed, keeping the recorded health status and failing streak.
void resume_supervision(actor_t* self);
/// The run ended: health checks stop, readiness is lost.
void on_run_ended(actor_t* self);
/// The container counts as ready from now (sd_notify READY=1, a healthy check, or a run
/// without either).
void set_ready(actor_t* self);

// container_health.cpp
/// Arms the next check after the interval (a timer of the current generation).
void schedule_next_check(actor_t* self);
/// The run ended: pending timers go stale, a running check is killed.
void stop_health_checks(actor_t* self);
/// Health timer / health process events.
void on_health_timer(actor_t* self, uint64_t gen);
void on_health_output(actor_t* self, int stream, const std::string& data);
void on_health_eof(actor_t* self, int stream);
void on_health_timeout(actor_t* self, uint64_t seq);
bool on_health_exit(actor_t* self, int pid, int code);
/// Runs a check now for `ctrctl healthcheck run`: one check, the periodic schedule unchanged.
caf::result<json> run_health_now(actor_t* self);
/// A health check could not be started for a reason on ctrd's side: not a failure.
/// Counted (Health.NotRun), logged once per streak, `healthcheck run` waiters get an error;
/// the next periodic check is armed if this one was `scheduled`.
void note_health_not_run(actor_t* self, const std::string& reason, bool scheduled);
/// The supervisor says why this container's start waits for a requirement or failed on one
/// (State.Error; "": no longer waits, a text it had set is cleared).
void note_dep_status(actor_t* self, const std::string& text);
/// A health check process was started: ends a not-run streak.
void note_health_ran(actor_t* self);
/// A datagram arrived on the container's NOTIFY_SOCKET.
void on_notify(actor_t* self, const std::string& payload, int32_t sender);
/// Creates the NOTIFY_SOCKET of an sdnotify container (once per actor).
void open_notify_socket(actor_t* self);

// container_retry.cpp
/// A policy restart or (`boot`) a boot start failed with `reason`: when the failure was a
/// transient shortage (state::last_step_transient), arms a retry of the same start after
/// the container's backoff, logs once per streak and returns true; otherwise returns false
/// (final).
bool retry_failed_spawn(actor_t* self, bool boot, const std::string& reason);
/// A run started: ends a failed-spawn streak (logged).
void note_spawn_succeeded(actor_t* self);
/// Removes a run's cgroup; a removal that fails is retried with a backoff (cleanup_atom)
/// and given up with an Error after cleanup_attempts.
void retire_cgroup(actor_t* self, cgroup::group cg);
/// The cleanup retry timer fired.
void on_cleanup_timer(actor_t* self, uint64_t gen);
/// The host loop gave up waiting for the group to drain (`why`), or reports it drained.
void note_drain_problem(actor_t* self, const std::string& why);

/// Cleanup attempts before a removal is given up with an Error in inspect.
constexpr uint32_t cleanup_attempts = 8;

/// Wraps a json reply for a caf::result<json>. Never return a json directly there:
/// caf::result brace-initialises its value, which turns a json object into [object].
inline caf::result<json> reply(json j) {
  return caf::expected<json>(std::move(j));
}

}  // namespace ctrd::ctr
