// The typed interface of every actor of ctrd, in one place (VAST 2021.07's
// libvast/vast/system/actors.hpp is the model; CAF 0.17 syntax). Each handler has one
// comment; a handle of one of these types can only be sent what its actor understands,
// and the actor's behaviour must match its interface exactly (checked at compile time).
//
// Replies between actors are typed structs, converted to json/msgpack only at the wire
// edge (the control session, actors/control*.cpp). The exceptions are named where they
// are: the container actor still answers json (it is being split up; its typed interface
// below is documentation only until then) and events are the json maps of the protocol
// and of events.log.
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
#include "runtime/event_log.hpp"
#include "runtime/state_store.hpp"

namespace ctrd {

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

}  // namespace ctrd

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
    caf::replies_to<load_atom>::with<load_result>>;

// --- event bus (actors/event_bus.cpp) --------------------------------------------------

/// What the event bus sends to a subscriber (a control session): one event map per message
/// for request `msgid`.
using event_sink_actor = caf::typed_actor<caf::reacts_to<event_atom, uint32_t, json>>;

/// The EVENT BUS: the events history and its subscribers.
using event_bus_actor = caf::typed_actor<
    // Publishes one event (a protocol event map): appended to events.log, sent to matching
    // subscribers.
    caf::reacts_to<event_atom, json>,
    // Subscribes `sink` for request msgid: the stored events in [since_ns, until_ns]
    // (0 = unbounded) that pass the filter, then with `stream` every new one. Answered true
    // once the history is sent (no stream) or `until` has passed (stream).
    caf::replies_to<subscribe_atom, event_sink_actor, uint32_t, event_filter, int64_t, int64_t,
                    bool>::with<bool>,
    // Its own timer: ends the streams whose `until` has passed.
    caf::reacts_to<expire_atom>>;

// --- supervisor (supervisor/supervisor*.cpp) -------------------------------------------

/// The SUPERVISOR: names, ids, dependencies, start jobs, the ordered shutdown. Every
/// request naming a container resolves the reference here, once, and is delegated to the
/// container actor, whose json answer (docs/protocol.md) is the reply.
using supervisor_actor = caf::typed_actor<
    // Creates a container from a create map (durable before the reply).
    caf::replies_to<create_atom, json>::with<created_container>,
    // The container actor of a name, id or unique id prefix (the file methods' grants).
    caf::replies_to<resolve_atom, std::string>::with<caf::actor>,
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
    // delegated as it is.
    caf::replies_to<forward_atom, std::string, caf::message>::with<json>,
    // The same for a request with client input (attach, exec): `sub` first gets
    // (route_atom, msgid, container), where the session sends that input.
    caf::replies_to<forward_atom, std::string, caf::message, caf::actor, uint32_t>::with<json>,
    // Removes a container (force: even if others require it).
    caf::replies_to<remove_atom, std::string, bool>::with<json>,
    // The summaries, pre-encoded (all: not only running ones; sync: reconcile first).
    caf::replies_to<list_atom, bool, bool>::with<packed_list>,
    // Re-reads the service files.
    caf::replies_to<reload_atom>::with<reload_report>,
    // A container's new summary (json: the container actor's message, see above).
    caf::reacts_to<status_atom, std::string, json>,
    // A container was removed.
    caf::reacts_to<gone_atom, std::string>,
    // A daemon signal from the host loop: SIGHUP reloads, the others shut down.
    caf::reacts_to<signal_atom, int>,
    // The watchdog's self-check round trip.
    caf::replies_to<ping_atom>::with<bool>,
    // Stops every container (dependents first) and quits; answered when all are stopped.
    caf::replies_to<shutdown_atom>::with<bool>>;

// --- exec session (actors/exec_session.cpp) --------------------------------------------

/// An EXEC SESSION: one process inside a running container (its answers are json maps: they
/// go through the container actor, whose requests all answer json, to the session).
using exec_session_actor = caf::typed_actor<
    // Runs the process; answered {id, exit_code} once it ended and its output is drained
    // (or {id, detached: true} after a detach).
    caf::replies_to<start_atom>::with<json>,
    // Host loop: a chunk of output of stream 1 or 2 (the pipe stays disarmed until taken).
    caf::reacts_to<output_atom, int, std::string>,
    // Host loop: a stream reached EOF.
    caf::reacts_to<eof_atom, int>,
    // Host loop: a process ended (pid, exit code, whether it was the main one of a pidfd).
    caf::reacts_to<exited_atom, int, int, bool>,
    // Its own timer: the grace period for output after the exit is over.
    caf::reacts_to<grace_atom>,
    // Client stdin (bytes, eof), buffered until the process runs.
    caf::reacts_to<stdin_atom, std::string, bool>,
    // Host loop: the stdin pipe is writable again.
    caf::reacts_to<writable_atom>,
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

// The job itself keeps an untyped handle, like the container actor: most of its inbox comes
// from the host loop (output, eof, exited, writable), which addresses every owner untyped;
// both are typed together with the host seam's replies. The session forwards a copy_in's
// chunks to it as (data_atom, std::string bytes, bool eof).

// --- container (actors/container*.cpp): DOCUMENTATION ONLY, NOT USED YET --------------
//
// The container actor is being split into parts (issue 12 §3) and keeps its untyped handle
// until that lands. Its requests (all answered with json maps) are listed in
// actors/container.hpp. Atoms that still carry two meanings inside it, to split then:
//   put_atom    (put_atom, container_config) replaces a service's config; the store's puts
//               are put_container_atom / put_status_atom now
//   health_atom (health_atom) runs a check for the user; (health_atom, gen) is its timer
//   done_atom   (done_atom) is its drain-grace timer
//   exec_atom   (exec_atom, params, client, msgid) starts an exec; (exec_atom, exit_code)
//               comes back from the exec session at its end

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
