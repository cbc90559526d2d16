// File jobs: `export`, `cp` out of and into a container. Each runs on its own detached
// thread (tar streams block on the disk), one per request in progress, and talks to the
// client's session with messages, so no actor handler ever waits on the file system.
//
// Out (export, copy_out): the job sends (data_atom, msgid, std::string bytes) requests to
// the session; the session answers once the bytes are on their way to the socket and the
// client has not fallen behind (flow control without dropping anything).
// In (copy_in): the session forwards the client's chunks as (data_atom, std::string, bool
// eof); the job answers each consumed chunk with (ack_atom, msgid, uint64 total) to the
// session.
// Both end with (job_done_atom, msgid, json result) or (job_done_atom, msgid, int ec, std::string
// message) to the session, and (release_atom) to the container, which then may unmount an
// overlay it mounted for the job.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/interfaces.hpp"
#include "messages/security.hpp"
#include "runtime/tar_stream.hpp"

namespace ctrd {

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
};

/// Streams a tar of `path` (inside the granted root) to `session` for request `msgid`.
void spawn_tar_out_job(caf::actor_system& sys, root_grant grant, file_job_client_actor session,
                       uint32_t msgid, std::string path, fs::tar_out_options opt);

/// Extracts the tar the client sends for request `msgid` into `dest_dir`; returns the job,
/// to which the session forwards the chunks.
tar_in_job_actor spawn_tar_in_job(caf::actor_system& sys, root_grant grant,
                                  file_job_client_actor session, uint32_t msgid,
                                  std::string dest_dir, fs::tar_in_options opt);

}  // namespace ctrd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ctrd::root_grant)
