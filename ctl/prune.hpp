// What `container prune` and `system prune` remove, and how `system df` measures: podman's
// prune filters (until=, label=, label!=) over ctrd's container list, the states that
// count as "not running", and the on-disk size of a container's folder (its log files,
// artifacts and overlay upper layer). Filter parsing and matching are pure (the clock is a
// parameter) for the unit tests.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "messages/value_codec.hpp"

namespace ctl {

using ctrd::json;

/// Parsed `--filter` values of a prune.
struct prune_filter {
  int64_t until_ns = 0;  ///< only containers created before this (0: any)
  /// label=K or label=K=V (each must match) and label!=K[=V] (none may match); an empty
  /// value means "the key is set".
  std::vector<std::pair<std::string, std::string>> labels, not_labels;
  std::vector<bool> labels_have_value, not_labels_have_value;
  bool needs_labels() const { return !labels.empty() || !not_labels.empty(); }
};

/// Parses --filter values ("until=24h", "until=2026-01-02T00:00:00Z", "label=tier=db",
/// "label!=keep"). Throws ctrd::error{invalid_argument} "invalid filter ..." like podman.
prune_filter parse_prune_filters(const std::vector<std::string>& values, int64_t now_ns);

/// True when a container created at `created_ns` with `labels` (a K->V map) passes.
bool prune_matches(const prune_filter& f, int64_t created_ns, const json& labels);

/// True for the states a prune removes (podman: every container that is not running:
/// created, initialized, stopped, exited).
bool prunable_state(const std::string& state);

/// Bytes used by `dir` and everything under it (st_blocks * 512, hard links once; never
/// follows symlinks or crosses into a mount point); 0 when unreadable.
uint64_t disk_usage(const std::string& dir);

/// The folder ctrd keeps a container in (the parent of its LogPath), "" when unknown.
std::string container_dir(const json& inspect_result);

}  // namespace ctl

namespace ctl {

class client;

/// What a prune removed: the full ids (in list order) and the bytes their folders held.
struct prune_result {
  std::vector<std::string> ids;
  uint64_t reclaimed = 0;
  int status = 0;  ///< exit status of the last failed removal (0: none)
};

/// Removes every container in a prunable state that passes `f`, except those of service
/// files (the file owns them: `reload` would create them again). Each id is printed as it
/// is removed (unless `quiet`); a failure ("required by ...") prints "Error: ..." and goes
/// on. Measures the folders first when `measure`.
prune_result prune_containers(client& c, const prune_filter& f, bool measure, bool quiet);

/// podman's confirmation: prints `warning` and "Are you sure you want to continue? [y/N] "
/// and reads a line from stdin; true for an answer starting with y or Y.
bool confirm(const std::string& warning);

}  // namespace ctl
