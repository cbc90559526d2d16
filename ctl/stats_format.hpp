// `ctrctl stats` and `artifact ls` rendering, podman style: CPU % from consecutive samples,
// the running average podman shows as AVG CPU %, go-units sizes, Go durations, the
// tabwriter table and podman's `stats --format json` objects. Pure functions for the unit
// tests.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "messages/value_codec.hpp"

namespace ctl {

using ctrd::json;

/// One stats sample as ctrd sends it (docs/protocol.md, "Stats samples").
struct stats_sample {
  std::string id;
  std::string name;
  std::string state;
  int64_t read_ns = 0;     ///< when the sample was taken
  int64_t started_ns = 0;  ///< when the container started
  uint64_t cpu_ns = 0;     ///< CPU time used since the start
  uint64_t memory_bytes = 0;
  uint64_t memory_limit = 0;
  uint64_t pids = 0;
  uint64_t block_read = 0;
  uint64_t block_write = 0;
};

/// Reads a sample map; missing or mistyped fields stay 0 / "".
stats_sample sample_of(const json& j);

/// What the previous sample of each container left behind (keyed by id).
struct stats_history {
  struct entry {
    uint64_t cpu_ns = 0;
    int64_t read_ns = 0;
    double avg_cpu = 0;  ///< running mean of the CPU % samples
    int64_t points = 0;  ///< samples in that mean
  };
  std::map<std::string, entry> by_id;
};

/// One table row / JSON object, computed.
struct stats_row {
  std::string id;
  std::string name;
  double cpu_percent = 0;  ///< since the previous sample (or the start)
  double avg_cpu = 0;      ///< podman's AVG CPU %: mean of the CPU % samples so far
  double mem_percent = 0;
  uint64_t mem_usage = 0;
  uint64_t mem_limit = 0;
  uint64_t block_read = 0;
  uint64_t block_write = 0;
  uint64_t pids = 0;
  uint64_t cpu_ns = 0;
};

/// CPU %: 100 * (cpu_ns - prev_cpu_ns) / (read_ns - prev_read_ns); 0 when either delta is
/// not positive. Not divided by the number of CPUs (podman: may exceed 100%).
double cpu_percent(uint64_t cpu_ns, int64_t read_ns, uint64_t prev_cpu_ns, int64_t prev_read_ns);

/// Computes a row from a sample and updates `history`: the first sample of a container
/// measures CPU % since started_ns; later ones since the previous sample. AVG CPU % is
/// podman's running mean ((avg * n + cpu) / (n + 1)).
stats_row compute_stats_row(const stats_sample& s, stats_history& history);

/// A row of zeros for a container without a sample (`stats -a`, not running).
stats_row idle_stats_row(const std::string& id, const std::string& name);

/// Go's time.Duration String(): "0s", "12ns", "1.5µs", "350ms", "1.234s", "1m30s", "1h0m0s".
std::string go_duration(int64_t ns);

/// podman's floatToPercentString: "12.34%", or "--" for 0 (and NaN).
std::string percent_string(double percent);

/// podman's combineHumanValues: "1.5MB / 2GB" with human_size(); "0B / 0B" when both are 0.
std::string combine_human(uint64_t a, uint64_t b);

/// Lays out rows like Go's tabwriter with podman's settings (minwidth 12, padding 2): each
/// column but the last as wide as its widest cell plus 2, at least 12. Newline-terminated.
std::string tab_table(const std::vector<std::vector<std::string>>& rows);

/// podman's stats table: ID NAME CPU % MEM USAGE / LIMIT MEM % NET IO BLOCK IO PIDS
/// CPU TIME AVG CPU % (NET IO is "--": ctrd does not measure it); ids cut to 12 characters.
std::string stats_table(const std::vector<stats_row>& rows);

/// podman's `stats --format json`: an array of objects with id, name, cpu_time,
/// cpu_percent, avg_cpu, mem_usage, mem_percent, net_io, block_io, pids (all strings, in
/// that order), 4-space indent, newline-terminated.
std::string stats_json(const std::vector<stats_row>& rows);

/// The objects `stats --format` templates see, podman's field names: ID (12 characters),
/// ContainerID, Name, CPUPerc, AVGCPU, MemUsage, MemUsageBytes, MemPerc, NetIO, BlockIO,
/// PIDS, UpTime (the CPU time) as the table prints them, and CPU (percent), CPUNano,
/// MemUsageRaw, MemLimit as numbers.
json stats_template_rows(const std::vector<stats_row>& rows);

/// podman's stats column headers for `--format "table ..."` (UpTime -> CPU TIME, ...).
std::map<std::string, std::string> stats_headers();

/// `artifact ls`: NAME SIZE (human_size) for an `artifact_list` result.
std::string artifact_table(const json& list);

}  // namespace ctl
