// `ctrctl ps` selection over the daemon's `list` summaries (docs/protocol.md), podman's
// semantics: --filter (id, name, label, label!, status, exited, health, before, since,
// restart-policy; the same key ORs, different keys AND, label values AND), --last/--latest,
// --sort, and the template rows and SIZE strings. Pure functions for the unit tests.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ctl/go_template.hpp"
#include "messages/value_codec.hpp"

namespace ctl {

using ctrd::json;

/// `--filter KEY=VALUE` values grouped by key.
using ps_filters = std::map<std::string, std::vector<std::string>>;

/// Parses and checks --filter arguments with podman's messages: `invalid filter "x"` (no
/// '='), `x is an invalid filter` (unknown key), `unknown container state: x: invalid
/// argument`, `exited code out of range "x": ...`, `x invalid restart policy`. Throws
/// ctrd::error (invalid_argument).
ps_filters parse_ps_filters(const std::vector<std::string>& args);

/// The summaries that pass every filter, in their order. before/since name a container (name,
/// id or unique id prefix) among `summaries`; an unknown one throws ctrd::error
/// (invalid_argument: exit 125, podman's `no container with name or ID "x" found: no such
/// container`).
json filter_summaries(const json& summaries, const ps_filters& filters);

/// Sorts summaries oldest first (podman's default order, `--sort created`).
void sort_oldest_first(json& summaries);

/// podman's --sort: command, created (oldest first), id, image (the rootfs), names,
/// runningfor (start time), size (`size_root`, see ps_size_string), status (state name);
/// stable. Throws ctrd::error with podman's "invalid option for --sort, ..." otherwise.
void sort_ps(json& summaries, const std::string& by);

/// --last N: the N most recently created summaries, oldest first; all when n < 0.
json last_summaries(const json& summaries, int64_t n);

/// podman's ps SIZE column: "RW (virtual ROOT)" with go-units sizes of three significant
/// digits ("1.23kB (virtual 5.6MB)").
std::string ps_size_string(int64_t rw, int64_t root);

/// The objects `ps --format` templates see, podman's psReporter fields: ID (short unless
/// `no_trunc`), Id, Names (the name), Image (the rootfs or ""), Command (joined, cut to 17
/// characters plus "..." unless `no_trunc`), Created/CreatedAt (Go time), CreatedHuman,
/// RunningFor, Status, State, Restarts, Labels, Mounts (destinations), Pid, ExitCode, Exited,
/// ExitedAt, StartedAt (unix seconds), Ports, Networks, Pod, PodName (""), AutoRemove,
/// Size ("" unless the summary has size_rw), RestartPolicy, Health, Ready, Error.
json ps_template_rows(const json& summaries, int64_t now, bool no_trunc);

/// Header overrides of `ps --format table`: every template field (for empty lists) with
/// podman's renames (ID -> CONTAINER ID, CreatedHuman -> CREATED, RunningFor -> RUNNING FOR).
header_names ps_headers();

}  // namespace ctl
