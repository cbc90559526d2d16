// The typed interface of every actor of ctrd, in one place (VAST 2021.07's
// libvast/vast/system/actors.hpp is the model; CAF 0.17 syntax). Each handler has one
// comment; a handle of one of these types can only be sent what its actor understands,
// and the actor's behaviour must match its interface exactly (checked at compile time).
//
// Replies between actors are typed structs, converted to json/msgpack only at the wire
// edge (the control session, actors/control*.cpp). The exceptions are named where they
// are: a container's answers to the requests a session makes (inspect, wait, logs, exec,
// ...) are the protocol's json maps, passed through unchanged (the supervisor and the
// container only relay them), and events are the json maps of the protocol and of
// events.log.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/io/system_messages.hpp>
#include <caf/message.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "config/service_file.hpp"
#include "messages/rpc.hpp"
#include "messages/security.hpp"
#include "runtime/event_log.hpp"
#include "runtime/state_store.hpp"

namespace ctrd {

class host;

// --- replies -------------------------------------------------------------------------

/// The supervisor's answer to a create: the new container's id and name, and warnings
/// (e.g. a rootfs owned by another user) to show the user.
struct created_container {
  std::string id;
  std::string name;
  std::vector<std::string> warnings;
};

/// What a reload of the service files did: names created, updated and removed, and the
/// files that could not be used (their services are left as they were).
struct reload_report {
  std::vector<std::string> created, updated, removed;
  std::vector<service_error> errors;
};

/// What the supervisor keeps of a container (its replica, for dependencies, start jobs and
/// `list`): sent by the container actor on every transition and answered to sync_atom.
/// Made by make_summary() (actors/container.hpp).
struct container_summary {
  std::string name;
  std::string state;   ///< podman's state name ("running", "exited", ...)
  std::string health;  ///< "", "starting", "healthy", "unhealthy"
  std::string source;  ///< the service file it came from ("" = created by a client)
  std::vector<std::string> requires_;
  uint32_t stop_timeout = 10;
  int64_t next_restart_ns = 0;  ///< a policy restart is pending (0: none)
  bool ready = false;
  bool stopped_by_user = false;
  std::vector<std::string> networks;  ///< the bridge networks it joins (`network rm` checks)
  /// The whole summary map (docs/protocol.md `list`) as msgpack: the wire edge, encoded
  /// once by the container so that `list` only concatenates.
  std::string packed;
};

/// The owner of a root grant (a container actor), told (release_atom) when the job ended.
using grant_owner_actor = caf::typed_actor<caf::reacts_to<release_atom>>;

/// A container's root handed to a file job (the container's answer to grant_atom): an
/// O_PATH directory descriptor the job owns and closes, plus what the job needs to know
/// about the container (actors/file_jobs.hpp).
struct root_grant {
  int fd = -1;
  uint32_t uid = 0, gid = 0;  ///< the container's user (cp chowns to it)
  std::string workdir;        ///< relative container paths start here
  std::string id;
  grant_owner_actor owner;  ///< the container actor, told (release_atom) at the end
  /// The root is a user namespace's idmapped one (a running --uidmap container): uid/gid
  /// are then host ids, the job writes as them, and archive owners go through these maps.
  std::vector<id_range> uid_map, gid_map;
  ctrd::host* host = nullptr;  ///< spawns and reaps the helper, carries its pipes
};

}  // namespace ctrd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::container_summary)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::root_grant)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::load_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::packed_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::event_filter)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::created_container)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::reload_report)

namespace ctrd {

// --- store (actors/store.cpp) ----------------------------------------------------------

/// The STORE: the only owner of the LevelDB database; group commit (docs/architecture.md).
using store_actor = caf::typed_actor<
    // A new container's config and first state; answered once fsync'ed (not for --rm).
    caf::replies_to<put_container_atom, container_config, container_status>::with<bool>,
    // A container's new state, committed with the next group (no fsync); failures logged.
    caf::reacts_to<put_status_atom, std::string, container_status>,
    // Deletes a container's records (id, durable: fsync'ed); answered once committed.
    caf::replies_to<erase_atom, std::string, bool>::with<bool>,
    // Commits what is staged (the store sends it to itself; a request of it is a round
    // trip that returns once everything queued before it is written).
    caf::reacts_to<flush_atom>,
    // Every record on disk (after committing what is staged).
    caf::replies_to<load_atom>::with<load_result>,
    // One container's record by id (after committing what is staged): none when it has none.
    caf::replies_to<load_atom, std::string>::with<load_result>,
    // A record of another kind (key below "v1/", value, durable); answered once committed.
    caf::replies_to<put_record_atom, std::string, json, bool>::with<bool>,
    // Deletes a record (fsync'ed); answered once committed.
    caf::replies_to<erase_record_atom, std::string>::with<bool>,
    // Every record whose key starts with the prefix: {key: value} (after committing).
    caf::replies_to<load_records_atom, std::string>::with<json>>;

// --- event bus (actors/event_bus.cpp) --------------------------------------------------

/// What the event bus and its history readers send to a subscriber (a control session)
/// for request `msgid`.
using event_sink_actor = caf::typed_actor<
    // Bus: a new event (an event map); dropped by a session whose client is too slow.
    caf::reacts_to<event_atom, uint32_t, json>,
    // History reader: one stored event; answered once the client has room (the reader
    // sends the next one then, actors/paced_sender.hpp).
    caf::replies_to<record_atom, uint32_t, json>::with<bool>,
    // Bus: this many new events were dropped before reaching the session (its client was
    // too slow while its history was sent); the client is told.
    caf::reacts_to<event_atom, uint32_t, uint64_t>>;

/// The EVENT BUS: the events history and its subscribers.
using event_bus_actor = caf::typed_actor<
    // Publishes one event (a protocol event map): appended to events.log, sent to matching
    // subscribers.
    caf::reacts_to<event_atom, json>,
    // Subscribes `sink` for request msgid: the stored events in [since_ns, until_ns]
    // (0 = unbounded) that pass the filter, at the client's pace (a history reader), then
    // with `stream` every new one. Answered true once the history is sent (no stream) or
    // `until` has passed (stream).
    caf::replies_to<subscribe_atom, event_sink_actor, uint32_t, event_filter, int64_t, int64_t,
                    bool>::with<bool>,
    // The history reader of subscription `id` sent what it had (false: the session did
    // not take it; the subscription ends with an error): answered with the new events
    // queued meanwhile (an array), for the reader to send too; an empty one once the
    // subscription is live (or answered and over).
    caf::replies_to<replayed_atom, uint64_t, bool>::with<json>,
    // Its own timer: ends the streams whose `until` has passed.
    caf::reacts_to<expire_atom>>;

// --- host clients (actors/host.hpp: what the host loop sends) --------------------------

/// Every owner of a process or pipe the host loop watches (container, exec session, file
/// job): the host seam (actors/host.hpp) takes this handle.
using host_client_actor = caf::typed_actor<
    // A process ended (pid, exit code, known: false for an adopted process, whose status
    // is lost: code -1).
    caf::reacts_to<exited_atom, int, int, bool>,
    // A chunk of output of stream 1 or 2 (the pipe stays disarmed until rearm()).
    caf::reacts_to<output_atom, int, std::string>,
    // A stream reached EOF.
    caf::reacts_to<eof_atom, int>,
    // The stdin pipe is writable again (one shot: watch_writable()).
    caf::reacts_to<writable_atom>>;

/// The owner of a process group being torn down and of a NOTIFY_SOCKET (a container):
/// watch_group() and watch_notify() take this handle.
using host_group_client_actor = host_client_actor::extend<
    // No process of the group (and no task of its cgroup) is left.
    caf::reacts_to<drained_atom>,
    // The host loop gave up waiting for the group (the reason): reported drained anyway.
    caf::reacts_to<drained_atom, std::string>,
    // A datagram on the NOTIFY_SOCKET (payload, sender pid; 0: unknown).
    caf::reacts_to<notify_atom, std::string, int32_t>>;

// --- container (actors/container*.cpp) --------------------------------------------------

/// What a container actor sends its supervisor (supervisor_actor has both).
using container_owner_actor = caf::typed_actor<
    // The container's new summary, after every transition.
    caf::reacts_to<status_atom, std::string, container_summary>,
    // The container was removed (its record is deleted).
    caf::reacts_to<gone_atom, std::string>>;

/// A CONTAINER: the only writer of one container's state (actors/container.hpp). The
/// supervisor holds this handle and sends every request it makes through it; requests of a
/// session reach it through the supervisor's forward_atom as they are (an arbitrary
/// caf::message, delegated through the untyped view of this handle: CAF 0.17 cannot delegate
/// an opaque message to a typed handle), and a session's routes (stdin, resize, detach)
/// are untyped. Answers marked (json) are protocol maps that go to the session unchanged
/// (docs/protocol.md); errors are caf::errors from make_caf_error.
using container_actor = host_group_client_actor::extend<
    // Creates the held process without starting it (podman init): (json) {id}.
    caf::replies_to<init_atom>::with<json>,
    // Starts it (attach, sub, msgid): (json) {id} once started; with attach, `sub` gets
    // (output_atom, msgid, stream, bytes) for the output, then {id, exit_code} at the end.
    caf::replies_to<start_atom, bool, caf::actor, uint32_t>::with<json>,
    // ctrd's own start at boot or for a service (restart count kept): (json) {id}, with
    // retrying: true when a transient shortage is retried with the backoff.
    caf::replies_to<boot_atom>::with<json>,
    // Stops it (timeout in s, -1: its own; by_user): (json) {id, escalated, ...} once exited.
    caf::replies_to<stop_atom, int64_t, bool>::with<json>,
    // Sends a signal to the main process: (json) {id}.
    caf::replies_to<kill_atom, int>::with<json>,
    // Restarts it (timeout in s, -1: its own): (json) {id} once running again.
    caf::replies_to<restart_atom, int64_t>::with<json>,
    // `network_connect` / `network_disconnect` of it (method, params): (json) {id, network}.
    caf::replies_to<network_atom, std::string, json>::with<json>,
    // Removes it (force: stop it first): (json) {id} once the record is deleted.
    caf::replies_to<remove_atom, bool>::with<json>,
    // (json) the inspect map.
    caf::replies_to<inspect_atom>::with<json>,
    // (json) its stored definition, the create map (`generate service`).
    caf::replies_to<definition_atom>::with<json>,
    // Waits for one of the conditions (state names, "healthy", "unhealthy"): (json).
    caf::replies_to<wait_atom, std::vector<std::string>>::with<json>,
    // Waits for the exit: (json) {id, exit_code}.
    caf::replies_to<wait_atom>::with<json>,
    // Sends `sub` the log records matching the query for msgid (then live ones with follow).
    caf::replies_to<logs_atom, caf::actor, uint32_t, json>::with<json>,
    // A log reader finished sending the history to (sub, msgid).
    caf::reacts_to<replayed_atom, caf::actor, uint32_t>,
    // `healthcheck run`: runs a check now; (json) its result.
    caf::replies_to<health_atom>::with<json>,
    // `rename`: takes the new name (the supervisor checked and reserved it); (json) {id,
    // name} once the definition with it is stored.
    caf::replies_to<rename_atom, std::string>::with<json>,
    // `update`: new resources / restart policy (a create map's keys, core/container_update.hpp),
    // written to a running container's cgroup, then stored: (json) {id}.
    caf::replies_to<update_atom, json>::with<json>,
    // A changed service file: applied now without a process, else at the next start;
    // answers whether the config changed.
    caf::replies_to<replace_config_atom, container_config>::with<bool>,
    // ctrd is shutting down: no policy restarts any more.
    caf::reacts_to<shutdown_atom>,
    // Why its dependency-ordered start waits or failed ("": it no longer waits).
    caf::reacts_to<dep_status_atom, std::string>,
    // The daemon hands over (daemon-reexec, or its holder is gone): every request still
    // waiting here (wait, logs -f, attach, stop ...) gets `why`, and the actor ends; the
    // process runs on for the next daemon.
    caf::reacts_to<handover_atom, std::string>,
    // Reconciles with the real process (podman's sync); answers the summary.
    caf::replies_to<sync_atom>::with<container_summary>,
    // Its own timers, each with the generation that cancels stale ones: cleanup retry,
    // stop timeout, policy restart, health check, health check too long (sequence).
    caf::reacts_to<cleanup_atom, uint64_t>, caf::reacts_to<timeout_atom, uint64_t>,
    caf::reacts_to<respawn_atom, uint64_t>, caf::reacts_to<health_tick_atom, uint64_t>,
    caf::reacts_to<htimeout_atom, uint64_t>,
    // Its own timer: the grace period for output after the group drained is over.
    caf::reacts_to<drain_grace_atom>,
    // Its own timer: the status of a process that ended before its adoption (pid) did not
    // come from ctrd's holder in time (recovery, container.cpp).
    caf::reacts_to<overdue_atom, int>,
    // Subscribes `sub` to the output for msgid (with logs: the history first): (json).
    caf::replies_to<attach_atom, caf::actor, uint32_t, bool>::with<json>,
    // Ends the attach msgid of `sub` ({id, detached: true} to the attach): (json) {}.
    caf::replies_to<detach_atom, caf::actor, uint32_t>::with<json>,
    // Client stdin (bytes, eof).
    caf::reacts_to<stdin_atom, std::string, bool>,
    // The client's terminal size (rows, cols): (json) {id}.
    caf::replies_to<resize_atom, int, int>::with<json>,
    // Freezes / thaws the cgroup: (json) {id}.
    caf::replies_to<pause_atom>::with<json>, caf::replies_to<unpause_atom>::with<json>,
    // (json) one stats sample (docs/protocol.md "Stats samples").
    caf::replies_to<stats_atom>::with<json>,
    // Mounts its root for the user / drops that reference (force): (json).
    caf::replies_to<mount_atom>::with<json>, caf::replies_to<unmount_atom, bool>::with<json>,
    // Stats a path inside its root: (json).
    caf::replies_to<stat_atom, std::string>::with<json>,
    // The root for a file job (rootfs_view: its root file system without bind mounts).
    caf::replies_to<grant_atom, bool>::with<root_grant>,
    // A file job's root is no longer used.
    caf::reacts_to<release_atom>,
    // Runs an exec (params, client, msgid): `client` learns the exec session with
    // (route_atom, msgid, actor); (json) {id, exit_code} at its end.
    caf::replies_to<exec_atom, json, caf::actor, uint32_t>::with<json>,
    // An exec session's process ended with this code (the exec_died event).
    caf::reacts_to<exec_ended_atom, int>,
    // Artifacts (op: add, get, remove, list; name; data): (json).
    caf::replies_to<artifact_atom, std::string, std::string, std::string>::with<json>>;

// --- supervisor (supervisor/supervisor*.cpp) -------------------------------------------

/// The SUPERVISOR: names, ids, dependencies, start jobs, the ordered shutdown. Every
/// request naming a container resolves the reference here, once, and is delegated to the
/// container actor, whose json answer (docs/protocol.md) is the reply.
using supervisor_actor = caf::typed_actor<
    // Creates a container from a create map (durable before the reply).
    caf::replies_to<create_atom, json>::with<created_container>,
    // The container actor of a name, id or unique id prefix (the file methods' grants).
    caf::replies_to<resolve_atom, std::string>::with<container_actor>,
    // Starts a container after its requirements are ready; with attach, `sub` first gets
    // (route_atom, msgid, container) for its stdin and then the container's output.
    caf::replies_to<start_atom, std::string, bool, caf::actor, uint32_t>::with<json>,
    // Stops a container (timeout in s, -1: its own; by_user).
    caf::replies_to<stop_atom, std::string, int64_t, bool>::with<json>,
    // Sends a signal to a container's main process.
    caf::replies_to<kill_atom, std::string, int>::with<json>,
    // Restarts a container (timeout in s, -1: its own); refused while a requirement is not
    // running, as podman (docs/supervision.md).
    caf::replies_to<restart_atom, std::string, int64_t>::with<json>,
    // Any other request to one container (inspect, wait, logs, ...): the request is
    // delegated as it is (untyped: see container_actor).
    caf::replies_to<forward_atom, std::string, caf::message>::with<json>,
    // The same for a request with client input (attach, exec): `sub` first gets
    // (route_atom, msgid, container), where the session sends that input.
    caf::replies_to<forward_atom, std::string, caf::message, caf::actor, uint32_t>::with<json>,
    // Removes a container (force: even if others require it).
    caf::replies_to<remove_atom, std::string, bool>::with<json>,
    // A `network_*` method of the protocol (method, params): docs/protocol.md "Networks".
    caf::replies_to<network_atom, std::string, json>::with<json>,
    // Renames a container (ref, new name): refused for a taken or invalid name, a service
    // file's container and one others require; the registry holds the new name at once.
    caf::replies_to<rename_atom, std::string, std::string>::with<json>,
    // The summaries, pre-encoded (all: not only running ones; sync: reconcile first).
    caf::replies_to<list_atom, bool, bool>::with<packed_list>,
    // Re-reads the service files.
    caf::replies_to<reload_atom>::with<reload_report>,
    // A container's new summary (container_owner_actor).
    caf::reacts_to<status_atom, std::string, container_summary>,
    // A container was removed.
    caf::reacts_to<gone_atom, std::string>,
    // A daemon signal from the host loop: SIGHUP reloads, the others shut down.
    caf::reacts_to<signal_atom, int>,
    // The watchdog's self-check round trip.
    caf::replies_to<ping_atom>::with<bool>,
    // Stops every container (dependents first) and quits; answered when all are stopped.
    caf::replies_to<shutdown_atom>::with<bool>,
    // Ends the daemon without stopping anything (`upgrade`: daemon-reexec; otherwise the
    // holder is gone): every container actor ends and leaves its process running, its
    // pipes with the holder; answered once they are told, then the supervisor quits.
    caf::replies_to<handover_atom, bool>::with<bool>>;

// --- exec session (actors/exec_session.cpp) --------------------------------------------

/// An EXEC SESSION: one process inside a running container (its answers are json maps: the
/// container passes them on to the session unchanged). The host loop's events:
/// host_client_actor.
using exec_session_actor = host_client_actor::extend<
    // Runs the process; answered {id, exit_code} once it ended and its output is drained
    // (or {id, detached: true} after a detach).
    caf::replies_to<start_atom>::with<json>,
    // Its own timer: the grace period for output after the exit is over.
    caf::reacts_to<grace_atom>,
    // Client stdin (bytes, eof), buffered until the process runs.
    caf::reacts_to<stdin_atom, std::string, bool>,
    // The client's terminal size (rows, cols); answered {id}.
    caf::replies_to<resize_atom, int, int>::with<json>,
    // The client detaches (session, msgid): the start is answered {id, detached: true}.
    caf::replies_to<detach_atom, caf::actor, uint32_t>::with<json>>;

// --- file jobs (actors/file_jobs.cpp: one actor per ctrd-tar helper) ------------------

/// What a file job sends to the session it serves (a control session).
using file_job_client_actor = caf::typed_actor<
    // A chunk of tar for request msgid; answered once the client has room for more.
    caf::replies_to<data_atom, uint32_t, std::string>::with<bool>,
    // A copy_in job consumed this many bytes of request msgid in total.
    caf::reacts_to<ack_atom, uint32_t, uint64_t>,
    // The job of request msgid ended with this result map.
    caf::reacts_to<job_done_atom, uint32_t, json>,
    // The job of request msgid failed (ctrd::ec code, message).
    caf::reacts_to<job_done_atom, uint32_t, int, std::string>>;

/// A FILE JOB: one ctrd-tar helper for one request of a session. The host loop's events:
/// host_client_actor.
using file_job_actor = host_client_actor::extend<
    // copy_in: a chunk of the client's archive (bytes, eof) for the helper's stdin (the
    // session forwards them through its untyped routes).
    caf::reacts_to<data_atom, std::string, bool>,
    // Its own timer: a copy_in's client has stopped sending for too long?
    caf::reacts_to<timeout_atom>>;

/// The NETWORK actor (actors/network.cpp, docs/network.md): the only owner of the bridge
/// networks, the addresses allocated to containers, their network namespaces and netavark's
/// runs (one at a time). Errors carry ec::no_such_network, conflict,
/// network_in_use, invalid_argument or internal (netavark's own text).
using network_actor = caf::typed_actor<
    // `network_create`, `network_list`, `network_inspect`, `network_remove` (the supervisor
    // has checked the containers that use it) and `exists` (params {"network"}; -> {}):
    // (method, params) -> the protocol's result.
    caf::replies_to<network_atom, std::string, json>::with<json>,
    // Makes container (id, name)'s set-up match the request (a network_request as json:
    // networks, static_ip, ports, aliases): what is new is set up, what is gone torn down.
    // -> {"netns", "endpoints": [network_endpoint]}.
    caf::replies_to<netattach_atom, std::string, std::string, json>::with<json>,
    // Tears down every network of container id, removes its namespace and frees its
    // addresses (nothing to do is no error).
    caf::replies_to<netdetach_atom, std::string>::with<bool>,
    // Tears down and sets up again container id's networks with the same addresses (its
    // processes keep running): "" or what failed.
    caf::replies_to<netreload_atom, std::string>::with<std::string>,
    // ctrd shuts down: every attachment is torn down (after what is queued); answered then.
    caf::replies_to<shutdown_atom>::with<bool>>;

/// A HELPER RUN (actors/helper_run.hpp): one program through the host loop.
using helper_run_actor = host_client_actor::extend<
    // The program's exit code, stdout and stderr, once it has exited and its pipes are
    // drained (asked once).
    caf::replies_to<run_atom>::with<int, std::string, std::string>>;

// --- control session (actors/control*.cpp) ---------------------------------------------

/// A connection accepted on the control socket by the accept thread (actors/accept_guard.cpp);
/// the acceptor owns `fd` from then on.
struct accepted_fd {
  int fd = -1;
};

/// A CONTROL SESSION: one client connection, a typed broker on the middleman's thread
/// (actors/control_session.cpp). The middleman sends it the connection's events; the actors
/// that serve its requests send it output, routes and file-job data. Every message the
/// session sends is a request with a typed reply handler or an anonymous message (to the
/// untyped container and exec handles), so no reply arrives that it does not declare.
using session_actor = caf::typed_actor<
    // Middleman: bytes from the client (at most 64 KiB); frames are dispatched while the
    // client's budget allows (docs/io.md "Bounded memory").
    caf::reacts_to<caf::io::new_data_msg>,
    // Middleman: the client closed the connection (or it failed): the session ends.
    caf::reacts_to<caf::io::connection_closed_msg>,
    // Middleman: bytes went out; `remaining` still wait for the socket (ack_writes).
    caf::reacts_to<caf::io::data_transferred_msg>,
    // Its own timer: generation 0 is the hello deadline, a later one a frame's deadline.
    caf::reacts_to<timeout_atom, uint64_t>,
    // Container, exec session, log reader: output of request msgid (stream 1 or 2);
    // answered once the client has room (the source keeps its bytes in flight until then).
    caf::replies_to<output_atom, uint32_t, int, std::string>::with<bool>,
    // Container: this many bytes of output were dropped for this slow client; answered so.
    caf::replies_to<output_atom, uint32_t, uint64_t>::with<bool>,
    // Container, log reader: one log record (msgid, stream, text, time, partial); answered so.
    caf::replies_to<record_atom, uint32_t, int, std::string, std::string, bool>::with<bool>,
    // Supervisor, container: the client input of request msgid goes to this actor (a
    // container or an exec session); input that came earlier is delivered now.
    caf::reacts_to<route_atom, uint32_t, caf::actor>>::
    // The event bus's events for an `events` request, and the file jobs' messages.
    extend_with<event_sink_actor>::extend_with<file_job_client_actor>;

/// A connection that may not be served (a peer not allowed, too many connections): a typed
/// broker that writes the refusal and closes once it is on the socket.
using refused_session_actor = caf::typed_actor<
    // Middleman: whatever the peer sends is ignored.
    caf::reacts_to<caf::io::new_data_msg>,
    // Middleman: the peer went away: the broker ends.
    caf::reacts_to<caf::io::connection_closed_msg>,
    // Middleman: the refusal is on the socket once nothing remains: the broker ends.
    caf::reacts_to<caf::io::data_transferred_msg>,
    // Its own timer: the peer had a second to take the refusal; the broker ends.
    caf::reacts_to<grace_atom>>;

/// The ACCEPTOR: a broker that forks a session (or a refusal) per connection, monitors
/// them, and at shutdown ends them all before itself.
using acceptor_actor = caf::typed_actor<
    // The accept thread: a new connection.
    caf::reacts_to<accepted_fd>>;

/// The CONTROL KEEPER: owns the listening socket and keeps an acceptor on it (a new one if
/// it ever ends). It acts on down and exit messages only; start_atom (a no-op) is the one
/// handler a behaviour needs.
using control_keeper_actor = caf::typed_actor<
    // Nothing to do: keeps the behaviour non-empty.
    caf::reacts_to<start_atom>>;

}  // namespace ctrd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::accepted_fd)
