// Service files (config/service_file.hpp): at ctrd start and on reload, every
// <name>.toml in the config directory becomes a container: new files are created, changed
// ones replace the definition (applied at the container's next start), deleted ones are
// removed. A bad file is reported with file, line and key and never affects the others.
#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "config/service_file.hpp"
#include "supervisor/supervisor_impl.hpp"

namespace ctrd::sup {
namespace {

struct reload_run {
  reload_report report;
  std::vector<std::string> to_start;
  int pending = 1;  // released by the loader itself once every request is out
  std::function<void(reload_report, std::vector<std::string>)> done;
};

void add_error(reload_run& run, const service_error& e) {
  run.report.errors.push_back(e);
}

void add_error(reload_run& run, const std::string& file, const std::string& message) {
  service_error e;
  e.file = file;
  e.message = message;
  add_error(run, e);
}

void finish(const std::shared_ptr<reload_run>& run) {
  if (--run->pending == 0) run->done(std::move(run->report), std::move(run->to_start));
}

/// Drops definitions that close a dependency cycle, reporting each file on it.
void refuse_cycles(actor_t* self, std::vector<std::pair<service_def, container_config>>& defs,
                   reload_run& run) {
  for (;;) {
    auto g = current_graph(self);
    for (auto& [def, cfg] : defs) g[cfg.name] = cfg.requires_;
    auto cyc = deps::find_cycle(g);
    if (cyc.empty()) return;
    bool dropped = false;
    for (auto it = defs.begin(); it != defs.end();) {
      if (std::find(cyc.begin(), cyc.end(), it->second.name) != cyc.end()) {
        add_error(run, it->first.file, "dependency cycle: " + deps::cycle_text(cyc));
        it = defs.erase(it);
        dropped = true;
      } else {
        ++it;
      }
    }
    if (!dropped) return;  // the cycle is among existing containers only: not ours to fix
  }
}

void load(actor_t* self, bool boot,
          std::function<void(reload_report, std::vector<std::string>)> done) {
  auto& s = self->state;
  auto run = std::make_shared<reload_run>();
  run->done = std::move(done);
  if (s.opts.config_dir.empty()) return finish(run);
  auto dir = load_service_dir(s.opts.config_dir);
  for (const auto& e : dir.errors) add_error(*run, e);
  std::vector<std::pair<service_def, container_config>> defs;
  std::set<std::string> files_seen;
  for (auto& d : dir.services) {
    files_seen.insert(d.file);
    try {
      auto cfg = config_from_json(d.definition);
      cfg.source = d.file;
      apply_daemon_defaults(self, d.definition, cfg);
      apply_create_defaults(cfg);
      if (auto* e = find_by_name(self, cfg.name); e && e->summary.source != d.file) {
        add_error(
            *run, d.file,
            "a container named " + cfg.name + " already exists and was not created from this file");
        continue;
      }
      defs.emplace_back(std::move(d), std::move(cfg));
    } catch (const ctrd::error& e) {
      add_error(*run, d.file, e.what());
    }
  }
  refuse_cycles(self, defs, *run);
  std::set<std::string> names;
  for (auto& [def, cfg] : defs) names.insert(cfg.name);
  for (auto it = defs.begin(); it != defs.end();) {
    std::string missing;
    for (const auto& r : it->second.requires_)
      if (!names.count(r) && !s.reg.has_name(r)) missing = r;
    if (!missing.empty()) {
      add_error(*run, it->first.file, "requires " + missing + ", which does not exist");
      it = defs.erase(it);
    } else {
      ++it;
    }
  }
  // Create requirements before their dependents: create_container checks that they exist.
  std::map<std::string, std::vector<std::string>> order_graph;
  for (auto& [def, cfg] : defs) order_graph[cfg.name] = cfg.requires_;
  std::vector<std::pair<service_def, container_config>> ordered;
  std::set<std::string> placed;
  while (ordered.size() < defs.size()) {
    auto ready = deps::startable(order_graph, names, placed);
    for (auto& [def, cfg] : defs)
      if (!placed.count(cfg.name) &&
          std::find(ready.begin(), ready.end(), cfg.name) != ready.end()) {
        ordered.emplace_back(def, cfg);
        placed.insert(cfg.name);
      }
  }
  for (auto& [def, cfg] : ordered) {
    auto name = cfg.name;
    auto file = def.file;
    bool autostart = cfg.autostart;
    if (auto* e = find_by_name(self, name)) {
      if (boot && autostart && !e->summary.stopped_by_user) run->to_start.push_back(name);
      ++run->pending;
      self->request(e->actor, caf::infinite, replace_config_atom::value, cfg)
          .then(
              [=](bool changed) {
                if (changed) run->report.updated.push_back(name);
                finish(run);
              },
              [=](caf::error& err) {
                add_error(*run, file, from_caf_error(err).second);
                finish(run);
              });
      continue;
    }
    ++run->pending;
    create_container(self, cfg, [=](caf::expected<created_container> r) {
      if (r) {
        run->report.created.push_back(name);
        if (autostart) run->to_start.push_back(name);
      } else {
        add_error(*run, file, from_caf_error(r.error()).second);
      }
      finish(run);
    });
  }
  // Service containers whose file is gone are removed (stopped first if needed).
  const std::string prefix = s.opts.config_dir + "/";
  for (auto& [id, e] : s.entries) {
    const auto& src = e.summary.source;
    if (src.empty() || src.compare(0, prefix.size(), prefix) != 0 || files_seen.count(src))
      continue;
    bool file_had_error = false;
    for (const auto& err : run->report.errors) file_had_error = file_had_error || err.file == src;
    if (file_had_error) continue;  // a broken file does not remove its container
    auto name = e.summary.name;
    ++run->pending;
    self->request(e.actor, caf::infinite, remove_atom::value, true)
        .then(
            [=](const json&) {
              run->report.removed.push_back(name);
              finish(run);
            },
            [=](caf::error& err) {
              add_error(*run, src, "cannot remove " + name + ": " + from_caf_error(err).second);
              finish(run);
            });
  }
  finish(run);
}

}  // namespace

void load_services(actor_t* self, bool boot,
                   std::function<void(reload_report, std::vector<std::string>)> done) {
  load(self, boot, std::move(done));
}

}  // namespace ctrd::sup
