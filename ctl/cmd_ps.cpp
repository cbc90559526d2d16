// `ctrctl ps`: the container list as a podman-style table, ids, JSON or a Go template,
// oldest first like podman, with podman's selection flags (ps_filter.hpp).
#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <set>
#include <utility>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/format.hpp"
#include "ctl/go_template.hpp"
#include "ctl/io.hpp"
#include "ctl/ps_filter.hpp"

namespace ctl {
namespace {

// Bytes in the files under `dir` (hard links counted once, symlinks not followed), like
// containers/storage's directory size; 0 when it cannot be read.
int64_t dir_size(const std::string& dir) {
  namespace fs = std::filesystem;
  if (dir.empty()) return 0;
  int64_t total = 0;
  std::set<std::pair<dev_t, ino_t>> seen;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || S_ISDIR(st.st_mode)) continue;
    if (st.st_nlink > 1 && !seen.emplace(st.st_dev, st.st_ino).second) continue;
    total += static_cast<int64_t>(st.st_size);
  }
  return total;
}

// Adds size_rw and size_root to each summary: an overlay container's upper layer is its
// writable part (the rootfs below it adds to the virtual size); a plain rootfs is written
// in place (both sizes are the rootfs); a container on the host's file system has 0.
void add_sizes(json& summaries) {
  for (auto& c : summaries) {
    std::string rootfs = c.value("rootfs", std::string());
    std::string upper = c.value("upper_dir", std::string());
    int64_t rw = 0, root = 0;
    if (!rootfs.empty()) {
      int64_t lower = dir_size(rootfs);
      if (c.value("rootfs_overlay", false)) {
        rw = dir_size(upper);
        root = lower + rw;
      } else {
        rw = root = lower;
      }
    }
    c["size_rw"] = rw;
    c["size_root"] = root;
  }
}

bool listed_by_default(const json& c) {
  std::string st = c.value("state", std::string());
  return st == "running" || st == "paused" || st == "stopping";  // as ctrd's `list`
}

}  // namespace

runner add_ps(CLI::App& app) {
  struct options {
    bool all = false;
    bool quiet = false;
    bool no_trunc = false;
    bool sync = false;
    bool latest = false;
    bool size = false;
    bool noheading = false;
    int64_t last = -1;
    std::string format;
    std::string sort;
    std::vector<std::string> filters;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("ps", "List containers");
  sub->add_flag("-a,--all", o->all, "Show all containers (default: only running ones)");
  sub->add_flag("-q,--quiet", o->quiet, "Print only the container ids");
  sub->add_flag("--no-trunc", o->no_trunc, "Do not truncate ids and commands");
  sub->add_option("--format", o->format,
                  "Output format: table (default), json, or a Go template "
                  "(\"table {{.ID}}\\t{{.Names}}\")");
  sub->add_option("-f,--filter", o->filters,
                  "Filter: id, name, label, label!, status, exited, health, before, since, "
                  "restart-policy (KEY=VALUE, repeatable)")
      ->allow_extra_args(false);
  sub->add_flag("-l,--latest", o->latest, "Show only the latest created container (all states)");
  sub->add_option("-n,--last", o->last, "Show the N last created containers (all states)");
  sub->add_option("--sort", o->sort,
                  "Sort by command, created, id, image, names, runningfor, size or status");
  sub->add_flag("-s,--size", o->size, "Show the size of each container's writable layer");
  sub->add_flag("--noheading", o->noheading, "Do not print the header row");
  sub->add_flag("--sync", o->sync,
                "First make ctrd reconcile its records with the processes that really exist");
  return [o](context& ctx) {
    if (o->last >= 0 && o->latest)
      throw ctrd::error(ctrd::ec::invalid_argument, "last and latest are mutually exclusive");
    if (o->quiet && o->size)
      throw ctrd::error(ctrd::ec::invalid_argument, "quiet conflicts with size and namespace");
    if (!o->sort.empty()) {
      json none = json::array();
      sort_ps(none, o->sort);  // checks the value before asking ctrd
    }
    ps_filters filters = parse_ps_filters(o->filters);
    int64_t last = o->latest ? 1 : o->last;
    bool all = o->all || last >= 0 || filters.count("status") != 0;
    client c;
    connect(c, ctx);
    json params{{"all", all || !filters.empty()}, {"chunked", true}};
    if (o->sync) params["sync"] = true;
    response r = c.call("list", params);
    if (!r.ok()) {
      print_error(r.message());
      return exit_code_of(r.error);
    }
    if (!r.result.is_array()) {
      print_error("ctrd sent a malformed container list");
      return 125;
    }
    json list = std::move(r.result);
    if (!filters.empty()) {
      list = filter_summaries(list, filters);
      if (!all) {
        json shown = json::array();
        for (auto& x : list)
          if (listed_by_default(x)) shown.push_back(std::move(x));
        list = std::move(shown);
      }
    }
    list = last_summaries(list, last);  // oldest first; all of them when last < 0
    if (o->size) add_sizes(list);
    if (!o->sort.empty()) sort_ps(list, o->sort);
    int64_t now = now_ns();
    if (is_json_format(o->format)) {
      out_line(ps_json(list, now).dump(4, ' ', false, json::error_handler_t::replace));
      return 0;
    }
    if (o->quiet && o->format.empty()) {
      out(ps_quiet(list, o->no_trunc));
      return 0;
    }
    std::string format = o->format;
    if (format.empty() || format == "table") {
      if (!o->size && !o->noheading) {
        out(ps_table(list, now, o->no_trunc));
        return 0;
      }
      format =
          "table {{.ID}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Restarts}}\t{{.Ports}}\t"
          "{{.Names}}";
      if (o->size) format += "\t{{.Size}}";
    }
    if (o->noheading && is_table_format(format)) format = format.substr(format.size() > 5 ? 6 : 5);
    out(render_format(ps_template_rows(list, now, o->no_trunc), format, ps_headers(), "ps"));
    return 0;
  };
}

}  // namespace ctl
