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
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/interfaces.hpp"
#include "messages/security.hpp"
#include "runtime/tar_job.hpp"

namespace ctrd {

class host;

/// A container's root handed to a job: an O_PATH directory descriptor the job owns and
/// closes, plus what the job needs to know about the container.
struct root_grant {
  int fd = -1;
  uint32_t uid = 0, gid = 0;  ///< the container's user (cp chowns to it)
  std::string workdir;        ///< relative container paths start here
  std::string id;
  caf::actor owner;  ///< the container actor, told (release_atom) at the end
  /// The root is a user namespace's idmapped one (a running --uidmap container): uid/gid
  /// are then host ids, the job writes as them, and archive owners go through these maps.
  std::vector<id_range> uid_map, gid_map;
  ctrd::host* host = nullptr;  ///< spawns and reaps the helper, carries its pipes
};

/// Runs the tar job `spec` (its maps and file-system ids are taken from the grant) for
/// request `msgid` of `session`; returns the job actor, to which the session forwards the
/// chunks of a copy_in.
caf::actor spawn_tar_job(caf::actor_system& sys, root_grant grant, file_job_client_actor session,
                         uint32_t msgid, tarjob::tar_job_spec spec);

}  // namespace ctrd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::root_grant)
