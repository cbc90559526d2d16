// File jobs: `export`, `cp` out of and into a container. ctrd links no libarchive: each job
// is a small actor that runs one ctrd-tar helper process (runtime/tar_job.hpp) through the
// host loop, which spawns it, carries its pipes and reaps it, so no actor handler and no
// thread of ctrd ever waits on the file system or on the helper.
//
// Out (export, copy_out): each chunk of the helper's stdout goes to the session as a
// (data_atom, msgid, std::string bytes) request; the session answers once the bytes are on
// their way to the socket and the client has not fallen behind, and only then is the next
// chunk read (flow control without dropping anything: a slow client stalls the helper).
// In (copy_in): the session forwards the client's chunks as (data_atom, std::string, bool
// eof); the job writes them to the helper's stdin and answers each chunk written with
// (ack_atom, msgid, uint64 total) to the session.
// Both end with (job_done_atom, msgid, json result) or (job_done_atom, msgid, int ec,
// std::string message) to the session (the helper's status: the same codes and texts as the tar
// functions throw), and (release_atom) to the container once the helper has exited, which
// then may unmount an overlay it mounted for the job. A session that goes away (monitored)
// gets the helper killed; a helper that dies without a status gives ec::internal naming its
// exit; a missing helper gives ec::internal "ctrd-tar not found at PATH: ...".
// Its protocol is file_job_actor, and root_grant is declared with it (actors/interfaces.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/interfaces.hpp"
#include "runtime/tar_job.hpp"

namespace ctrd {

/// Runs the tar job `spec` (its maps and file-system ids are taken from the grant) for
/// request `msgid` of `session`; returns the job actor, to which the session forwards the
/// chunks of a copy_in.
file_job_actor spawn_tar_job(caf::actor_system& sys, root_grant grant,
                             file_job_client_actor session, uint32_t msgid,
                             tarjob::tar_job_spec spec);

}  // namespace ctrd
