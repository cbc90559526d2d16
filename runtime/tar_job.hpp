// The protocol between ctrd and its tar helper, ctrd-tar (runtime/tar_helper_main.cpp):
// ctrd links no libarchive; every `export`/`cp` stream runs in one ctrd-tar process.
//
//   ctrd-tar out|in JSON      (argv: the direction and a tar_job_spec as json)
//   descriptor 3              the job's root: an O_PATH directory ctrd opened (the same
//                             root-confined openat2 code then works inside it)
//   stdin / stdout            the archive: `in` reads it from stdin, `out` writes it to stdout
//   stderr                    one status line (json, tar_status), then nothing; anything
//                             else (a crash report) is kept for the log
//
// CAF-free and free of libarchive, so both ctrd (file_jobs) and the helper include it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "messages/error.hpp"
#include "messages/security.hpp"

namespace ctrd::tarjob {

/// The descriptor number of the root in the helper.
constexpr int root_fd = 3;

/// What one helper run does (the options of fs::tar_out / fs::tar_in, made of data).
struct tar_job_spec {
  bool in = false;   ///< extract (cp into a container) instead of archive
  std::string path;  ///< out: the path to archive; in: the destination directory
  // out (fs::tar_out_options)
  std::string top_name;
  bool skip_virtual_fs = true;
  // both: the owner written (out: archive entries; in: extracted files)
  std::optional<std::pair<uint32_t, uint32_t>> owner;
  // in (fs::tar_in_options)
  bool overwrite = false;
  /// An idmapped root (a running --uidmap container): the helper writes as host ids
  /// fs_uid/fs_gid and archive owners go through these maps (empty: no mapping).
  std::vector<id_range> uid_map, gid_map;
  uint32_t fs_uid = 0, fs_gid = 0;
};

/// The argv of a helper run: {argv0, "out"|"in", json}.
std::vector<std::string> to_argv(const std::string& argv0, const tar_job_spec& spec);

/// Parses what to_argv made (argv without argv[0]). Throws ctrd::error{invalid_argument}.
tar_job_spec from_args(const std::vector<std::string>& args);

/// The outcome a helper reports: success with counts, or a ctrd::error's code and text.
struct tar_status {
  bool ok = false;
  uint64_t entries = 0;  ///< in: entries extracted
  uint64_t bytes = 0;    ///< in: bytes of file data; out: archive bytes written
  ec code = ec::internal;
  std::string message;
};

/// The status line (json and '\n').
std::string encode_status(const tar_status& s);

/// The status from the helper's stderr text, or nullopt when there is no complete,
/// well-formed first line (the helper died before it could write one).
std::optional<tar_status> decode_status(const std::string& text);

/// Where ctrd finds the helper: $CTRD_TAR_HELPER if set (tests), else ctrd-tar next to
/// the running executable (like ctrctl finds ctrctl-cp).
std::string helper_path();

/// How a helper exit without a status reads ("ctrd-tar exited with code 3", "... was
/// killed by signal 9"); `code` as proc::exit_code (128 + signal for a signal).
std::string describe_exit(int code);

}  // namespace ctrd::tarjob
