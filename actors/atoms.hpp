// CAF vocabulary of the daemon: every atom and every type sent between actors. Local
// messages only (nothing is serialised by CAF), so non-inspectable types are allowed with
// CAF_ALLOW_UNSAFE_MESSAGE_TYPE. The message protocol of each actor is documented in its
// typed interface (actors/interfaces.hpp). An atom has one meaning.
#pragma once

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include "messages/container_config.hpp"
#include "messages/container_status.hpp"
#include "messages/value_codec.hpp"

namespace ctrd {

// User operations (session -> supervisor / container).
using create_atom = caf::atom_constant<caf::atom("create")>;
using init_atom = caf::atom_constant<caf::atom("init")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using kill_atom = caf::atom_constant<caf::atom("kill")>;
using restart_atom = caf::atom_constant<caf::atom("restart")>;
using remove_atom = caf::atom_constant<caf::atom("remove")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using inspect_atom = caf::atom_constant<caf::atom("inspect")>;
using definition_atom = caf::atom_constant<caf::atom("definition")>;  // the stored create map
using wait_atom = caf::atom_constant<caf::atom("wait")>;
using logs_atom = caf::atom_constant<caf::atom("logs")>;
using resolve_atom = caf::atom_constant<caf::atom("resolve")>;
using forward_atom =
    caf::atom_constant<caf::atom("forward")>;  // session -> supervisor: a request for one container

// Internal notifications.
using status_atom = caf::atom_constant<caf::atom("status")>;  // container -> supervisor replica
using gone_atom = caf::atom_constant<caf::atom("gone")>;      // container removed
using exited_atom = caf::atom_constant<caf::atom("exited")>;  // host -> container: main pid ended
using output_atom =
    caf::atom_constant<caf::atom("output")>;            // host -> container, container -> session
using eof_atom = caf::atom_constant<caf::atom("eof")>;  // host -> container: stream closed
using drained_atom = caf::atom_constant<caf::atom("drained")>;  // host -> container: group empty
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;  // stop timer (with generation)
using drain_grace_atom =
    caf::atom_constant<caf::atom("draingrace")>;  // container -> itself: drain-grace timer
using overdue_atom =
    caf::atom_constant<caf::atom("overdue")>;  // container -> itself: the holder's status is late
using cleanup_atom =
    caf::atom_constant<caf::atom("cleanup")>;  // container -> itself: retry cleanup (with gen)
using grace_atom = caf::atom_constant<caf::atom("grace")>;  // a self-timer: a grace period ended
using job_done_atom =
    caf::atom_constant<caf::atom("jobdone")>;  // file job -> session: the request's answer
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;  // signal -> supervisor
using handover_atom = caf::atom_constant<caf::atom("handover")>;  // daemon-reexec -> supervisor
using boot_atom = caf::atom_constant<caf::atom("boot")>;      // supervisor -> container: boot start
using signal_atom = caf::atom_constant<caf::atom("signal")>;  // host -> supervisor: a daemon signal

using health_atom = caf::atom_constant<caf::atom("health")>;  // `healthcheck run` (user)
using health_tick_atom =
    caf::atom_constant<caf::atom("healthtick")>;  // container -> itself: health timer (with gen)
using htimeout_atom = caf::atom_constant<caf::atom("htimeout")>;  // a health check ran too long
using respawn_atom = caf::atom_constant<caf::atom("respawn")>;    // policy-restart timer
using notify_atom =
    caf::atom_constant<caf::atom("notify")>;              // host -> container: sd_notify datagram
using sync_atom = caf::atom_constant<caf::atom("sync")>;  // reconcile with the real process
using reload_atom = caf::atom_constant<caf::atom("reload")>;  // re-read service files
using ready_atom = caf::atom_constant<caf::atom("ready")>;    // dependency start bookkeeping

using attach_atom = caf::atom_constant<caf::atom("attach")>;  // subscribe to output (+stdin)
using detach_atom = caf::atom_constant<caf::atom("detach")>;  // end an attach
using stdin_atom =
    caf::atom_constant<caf::atom("stdin")>;  // bytes (or eof) for the container's stdin
using resize_atom = caf::atom_constant<caf::atom("resize")>;  // terminal size
using writable_atom =
    caf::atom_constant<caf::atom("writable")>;  // host -> container: stdin fd writable
// A history reader (of a log, of the events history) -> its container or the event bus:
// the history is sent.
using replayed_atom = caf::atom_constant<caf::atom("replayed")>;
// A history reader -> session: one log record or stored event.
using record_atom = caf::atom_constant<caf::atom("record")>;
using event_atom =
    caf::atom_constant<caf::atom("event")>;  // container -> event bus, bus -> session
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;

// Isolation and files (issue 5).
using pause_atom = caf::atom_constant<caf::atom("pause")>;
using unpause_atom = caf::atom_constant<caf::atom("unpause")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using mount_atom = caf::atom_constant<caf::atom("mount")>;  // ctrctl mount / unmount
using unmount_atom = caf::atom_constant<caf::atom("unmount")>;
using stat_atom = caf::atom_constant<caf::atom("stat")>;          // stat a path inside the root
using artifact_atom = caf::atom_constant<caf::atom("artifact")>;  // (artifact_atom, op, name, data)
using grant_atom =
    caf::atom_constant<caf::atom("grant")>;  // session -> container: root for a file job
using release_atom =
    caf::atom_constant<caf::atom("release")>;  // file job -> container: root no longer used
using data_atom = caf::atom_constant<caf::atom("data")>;  // file job <-> session: tar bytes
using ack_atom = caf::atom_constant<caf::atom("ack")>;    // file job -> session: bytes consumed
using exec_atom = caf::atom_constant<caf::atom("exec")>;  // session -> container: start an exec
using exec_ended_atom =
    caf::atom_constant<caf::atom("execended")>;  // exec session -> container: its exit code
using route_atom = caf::atom_constant<caf::atom("route")>;    // where stdin/resize of a msgid go
using rename_atom = caf::atom_constant<caf::atom("rename")>;  // session -> supervisor -> container
using update_atom = caf::atom_constant<caf::atom("update")>;  // session -> container: resources

// Store protocol.
using load_atom = caf::atom_constant<caf::atom("load")>;
using put_container_atom =
    caf::atom_constant<caf::atom("putctr")>;  // a new container's config and state (durable)
using put_status_atom = caf::atom_constant<caf::atom("putstatus")>;  // a container's new state
using replace_config_atom =
    caf::atom_constant<caf::atom("replacecfg")>;  // supervisor -> container: new service config
using erase_atom = caf::atom_constant<caf::atom("erase")>;
// supervisor -> container: why its start waits for a requirement or failed on one ("": no
// longer); shown as State.Error.
using dep_status_atom = caf::atom_constant<caf::atom("depstatus")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;        // store -> itself: group commit
using put_record_atom = caf::atom_constant<caf::atom("putrec")>;  // a network or attachment
using erase_record_atom = caf::atom_constant<caf::atom("eraserec")>;
using load_records_atom = caf::atom_constant<caf::atom("loadrecs")>;

// Network protocol (session -> supervisor -> network actor, container -> network actor).
using network_atom = caf::atom_constant<caf::atom("network")>;      // a `network_*` method
using netattach_atom = caf::atom_constant<caf::atom("netattach")>;  // set up a container's networks
using netdetach_atom = caf::atom_constant<caf::atom("netdetach")>;  // tear them down
using netreload_atom = caf::atom_constant<caf::atom("netreload")>;  // set them up again
using run_atom = caf::atom_constant<caf::atom("run")>;        // helper run: its result, once done
using expire_atom = caf::atom_constant<caf::atom("expire")>;  // event bus -> itself: `until` passed
using ping_atom = caf::atom_constant<caf::atom("ping")>;      // watchdog self-check -> supervisor

}  // namespace ctrd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::json)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::container_config)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::container_status)
