// `ctrctl system df|prune|info`: disk use of ctrd's containers (podman's table: TYPE TOTAL
// ACTIVE SIZE RECLAIMABLE; -v per container), the prune of everything ctrd keeps that
// can go (the containers that are not running: ctrd has no images, volumes or build cache,
// and its networks stay: `network prune`), and `info` again.
#include <dirent.h>
#include <sys/stat.h>

#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/format.hpp"
#include "ctl/io.hpp"
#include "ctl/prune.hpp"
#include "ctl/size_units.hpp"
#include "ctl/stats_format.hpp"
#include "ctl/system_verbs.hpp"

namespace ctl {
namespace {

/// Bytes of the container's log files (ctr.log and its rotations) in `dir`.
uint64_t log_bytes(const std::string& dir, const std::string& log_path) {
  std::string base = log_path.substr(log_path.rfind('/') + 1);
  uint64_t total = 0;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d || base.empty()) return 0;
  while (auto* e = ::readdir(d.get())) {
    std::string n = e->d_name;
    if (n.rfind(base, 0) != 0) continue;
    struct stat st {};
    if (::lstat((dir + "/" + n).c_str(), &st) == 0 && S_ISREG(st.st_mode))
      total += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  return total;
}

std::string reclaimable(uint64_t bytes, uint64_t of) {
  auto pct = of == 0 ? 0 : static_cast<int>(bytes * 100 / of);
  return human_size(static_cast<double>(bytes)) + " (" + std::to_string(pct) + "%)";
}

struct df_row {
  std::string id, name, state, command, status;
  int64_t created_ns = 0;
  uint64_t size = 0, logs = 0;
  bool active = false;
};

int run_df(client& c, bool verbose, const std::string& format) {
  response l = c.call("list", json{{"all", true}, {"chunked", true}});
  if (!l.ok()) {
    print_error(l.message());
    return exit_code_of(l.error);
  }
  std::vector<df_row> rows;
  std::vector<uint32_t> msgids;
  for (const auto& s : l.result.is_array() ? l.result : json::array()) {
    if (!s.is_object()) continue;
    df_row r;
    r.id = s.value("id", std::string());
    r.name = s.value("name", std::string());
    r.state = s.value("state", std::string());
    r.created_ns = s.value("created_ns", int64_t{0});
    r.command = command_string(s.value("command", json::array()), false);
    r.active = !prunable_state(r.state);
    r.status = status_string(r.state, s.value("exit_code", 0), s.value("started_ns", int64_t{0}),
                             s.value("finished_ns", int64_t{0}), now_ns());
    rows.push_back(std::move(r));
    msgids.push_back(c.send("inspect", json{{"container", rows.back().id}}));
  }
  uint64_t size = 0, logs = 0, rec = 0, rec_logs = 0;
  int64_t active = 0, with_logs = 0, active_logs = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    response r = c.wait(msgids[i]);
    if (!r.ok()) continue;
    std::string dir = container_dir(r.result);
    rows[i].size = disk_usage(dir);
    rows[i].logs = log_bytes(dir, r.result.value("LogPath", std::string()));
    size += rows[i].size;
    logs += rows[i].logs;
    if (rows[i].logs > 0) ++with_logs;
    if (rows[i].active) {
      ++active;
      if (rows[i].logs > 0) ++active_logs;
    } else {
      rec += rows[i].size;
      rec_logs += rows[i].logs;
    }
  }
  auto total = static_cast<int64_t>(rows.size());
  if (format == "json") {
    json j = json::array();
    j.push_back({{"Type", "Containers"},
                 {"Total", total},
                 {"Active", active},
                 {"RawSize", size},
                 {"RawReclaimable", rec},
                 {"Size", human_size(static_cast<double>(size))},
                 {"Reclaimable", reclaimable(rec, size)}});
    j.push_back({{"Type", "Logs"},
                 {"Total", with_logs},
                 {"Active", active_logs},
                 {"RawSize", logs},
                 {"RawReclaimable", rec_logs},
                 {"Size", human_size(static_cast<double>(logs))},
                 {"Reclaimable", reclaimable(rec_logs, logs)}});
    out_line(j.dump(4));
    return 0;
  }
  if (verbose) {
    std::vector<std::vector<std::string>> t{
        {"CONTAINER ID", "COMMAND", "SIZE", "LOGS", "CREATED", "STATUS", "NAMES"}};
    for (const auto& r : rows)
      t.push_back({short_id(r.id), r.command, human_size(static_cast<double>(r.size)),
                   human_size(static_cast<double>(r.logs)), ago_string(r.created_ns, now_ns()),
                   r.status, r.name});
    out("Containers space usage:\n\n" + tab_table(t));
    return 0;
  }
  out(tab_table({{"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"},
                 {"Containers", std::to_string(total), std::to_string(active),
                  human_size(static_cast<double>(size)), reclaimable(rec, size)},
                 {"Logs", std::to_string(with_logs), std::to_string(active_logs),
                  human_size(static_cast<double>(logs)), reclaimable(rec_logs, logs)}}));
  return 0;
}

}  // namespace

runner add_system(CLI::App& app) {
  struct options {
    bool verbose = false;
    std::string df_format;
    bool force = false, all = false, volumes = false;
    std::vector<std::string> filters;
  };
  auto o = std::make_shared<options>();
  auto* sys = app.add_subcommand("system", "Manage ctrd: disk use, prune, info");
  sys->require_subcommand(1);
  auto* df = sys->add_subcommand("df", "Show ctrd's disk usage");
  df->add_flag("-v,--verbose", o->verbose, "Show each container's usage");
  df->add_option("--format", o->df_format, "Output format: table (default) or json");
  auto* prune = sys->add_subcommand("prune", "Remove the containers that are not running");
  prune->add_flag("-f,--force", o->force, "Do not ask for confirmation");
  prune->add_flag("-a,--all", o->all, "Accepted for podman: ctrd has no images (no effect)");
  prune->add_flag("--volumes", o->volumes, "Accepted for podman: ctrd has no volumes (no effect)");
  prune->add_option("--filter", o->filters, "until=TIME, label=K[=V], label!=K[=V]; repeatable");
  prune->footer(
      "ctrd keeps no images, volumes or build cache: system prune removes the created, "
      "initialized, stopped and exited containers, except those of service files, and reports "
      "the space their folders (logs, artifacts, overlay layer) held. Networks stay (network "
      "prune).");
  auto* info = sys->add_subcommand("info", "Display information about ctrd and the host");
  auto info_run = add_info_command(*info, std::make_shared<std::string>());
  return [o, df, prune, info_run](context& ctx) {
    if (df->parsed()) {
      if (!o->df_format.empty() && o->df_format != "json" && o->df_format != "table")
        throw ctrd::error(ctrd::ec::invalid_argument,
                          "unsupported format \"" + o->df_format + "\": use table or json");
      client c;
      connect(c, ctx);
      return run_df(c, o->verbose, o->df_format);
    }
    if (prune->parsed()) {
      auto f = parse_prune_filters(o->filters, now_ns());
      if (!o->force && !confirm("WARNING! This command removes:\n"
                                "\t- all stopped containers\n\n"))
        return 0;
      client c;
      connect(c, ctx);
      auto res = prune_containers(c, f, true, true);
      if (!res.ids.empty()) {
        out_line("Deleted Containers");
        for (const auto& id : res.ids) out_line(id);
      }
      out_line("Total reclaimed space: " + human_size(static_cast<double>(res.reclaimed)));
      return res.status;
    }
    return info_run(ctx);
  };
}

}  // namespace ctl
