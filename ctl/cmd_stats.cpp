// `ctrctl stats`: resource usage of containers as podman prints it (stats_format.hpp).
// Streams by default: a new sample every --interval seconds, the screen cleared before each
// table (podman); --no-stream prints one sample. CPU % is computed here from consecutive
// samples (the first one: since the container started).
#include <chrono>
#include <memory>
#include <thread>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/format.hpp"
#include "ctl/go_template.hpp"
#include "ctl/io.hpp"
#include "ctl/stats_format.hpp"

namespace ctl {
namespace {

// Parses --interval: a positive number of seconds. Throws ctrd::error.
int parse_interval(const std::string& t) {
  if (t.empty() || t.size() > 6 || t.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(t) == 0)
    throw ctrd::error(ctrd::ec::invalid_argument,
                      "invalid interval \"" + t + "\": must be a positive number of seconds");
  return std::stoi(t);
}

}  // namespace

runner add_stats(CLI::App& app) {
  struct options {
    std::vector<std::string> names;
    bool no_stream = false;
    bool all = false;
    std::string format;
    std::string interval = "5";
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("stats", "Show containers' resource usage");
  sub->add_flag("-a,--all", o->all, "Show all containers (default: running and paused ones)");
  sub->add_flag("--no-stream", o->no_stream, "Print one sample instead of streaming");
  sub->add_option(
      "--format", o->format,
      "Output format: table (default), json, or a Go template (\"{{.Name}} {{.CPUPerc}}\")");
  sub->add_option("-i,--interval", o->interval,
                  "Seconds between samples when streaming (default 5)");
  sub->add_option("CONTAINER", o->names, "Container names, ids or unique id prefixes");
  return [o](context& ctx) {
    bool as_json = is_json_format(o->format);
    bool templated = !o->format.empty() && !as_json && o->format != "table";
    if (templated) gotmpl::tmpl::parse(o->format, "stats");  // syntax errors first
    int interval = parse_interval(o->interval);
    if (o->all && !o->names.empty())
      throw ctrd::error(ctrd::ec::invalid_argument,
                        "--all and containers cannot be given together");
    client c;
    connect(c, ctx);
    stats_history history;
    for (;;) {
      uint32_t list_id = 0;
      if (o->all) list_id = c.send("list", json{{"all", true}, {"chunked", true}});
      response r = c.call("stats", json{{"containers", o->names}});
      if (!r.ok()) {
        print_error(r.message());
        return exit_code_of(r.error);
      }
      if (!r.result.is_array()) {
        print_error("ctrd sent malformed stats");
        return 125;
      }
      std::vector<stats_row> rows;
      if (o->all) {
        response l = c.wait(list_id);
        if (!l.ok()) {
          print_error(l.message());
          return exit_code_of(l.error);
        }
        sort_summaries(l.result);
        for (const auto& ctr : l.result) {
          if (!ctr.is_object()) continue;
          std::string id = ctr.value("id", std::string());
          const json* sample = nullptr;
          for (const auto& s : r.result)
            if (s.is_object() && s.value("id", std::string()) == id) sample = &s;
          rows.push_back(sample != nullptr ? compute_stats_row(sample_of(*sample), history)
                                           : idle_stats_row(id, ctr.value("name", std::string())));
        }
      } else {
        for (const auto& s : r.result) rows.push_back(compute_stats_row(sample_of(s), history));
      }
      std::string text = o->no_stream ? std::string() : std::string("\033[2J\033[1;1H");
      if (templated)
        text += render_format(stats_template_rows(rows), o->format, stats_headers(), "stats");
      else
        text += as_json ? stats_json(rows) : stats_table(rows);
      out(text);
      if (o->no_stream) return 0;
      std::this_thread::sleep_for(std::chrono::seconds(interval));
    }
  };
}

}  // namespace ctl
