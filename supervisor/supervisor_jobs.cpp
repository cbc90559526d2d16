// Dependency-ordered starts (requirements first, independent ones in parallel, each
// dependent waiting for its requirements' readiness) and the ordered shutdown (dependents
// first). Both are re-evaluated whenever a container publishes a new summary.
#include <spdlog/spdlog.h>

#include "actors/caf_error.hpp"
#include "supervisor/supervisor_impl.hpp"

namespace ctrd::sup {
namespace {

/// Tells the job's target why its start waits ("waiting for db: unhealthy"), failed, or
/// ("") no longer waits; the container shows it as State.Error. Sent when it changes.
void report_waiting(actor_t* self, start_job& job, const std::string& text) {
  if (job.waiting == text) return;
  job.waiting = text;
  auto* e =
      job.target_id.empty() ? find_by_name(self, job.target) : find_by_id(self, job.target_id);
  if (e) self->send(e->actor, dep_status_atom::value, text);
}

void fail_job(actor_t* self, uint64_t id, const caf::error& err) {
  auto& jobs = self->state.jobs;
  auto it = jobs.find(id);
  if (it == jobs.end()) return;
  auto [code, text] = from_caf_error(err);
  spdlog::warn("cannot start {}: {}", it->second.target, text);
  report_waiting(self, it->second, text);
  if (it->second.rp) it->second.rp->deliver(err);
  jobs.erase(it);
}

/// Asks `actor` for a start without a client: a boot start for a boot job.
auto request_start(actor_t* self, const container_actor& actor, bool boot) {
  if (boot) return self->request(actor, caf::infinite, boot_atom::value);
  return self->request(actor, caf::infinite, start_atom::value, false, caf::actor{}, uint32_t{0});
}

void forward_start(actor_t* self, start_job& job) {
  auto* e =
      job.target_id.empty() ? find_by_name(self, job.target) : find_by_id(self, job.target_id);
  if (!e) {
    if (job.rp)
      job.rp->deliver(make_caf_error(ec::removed, "container " + job.target + " was removed"));
    return;
  }
  if (job.rp) {
    job.rp->delegate(e->actor, start_atom::value, job.attach, job.sub, job.msgid);
    return;
  }
  auto name = job.target;
  request_start(self, e->actor, job.boot)
      .then([](const json&) {},
            [=](caf::error& err) {
              spdlog::warn("cannot start {}: {}", name, from_caf_error(err).second);
            });
}

/// Moves one job on; returns true when it is finished (started or failed).
bool advance(actor_t* self, uint64_t id) {
  auto& job = self->state.jobs.at(id);
  std::set<std::string> ready;
  // The requirement shown as waited for: the first started one not ready yet, else the
  // first not started yet.
  std::string wait_name, wait_why;
  bool wait_started = false;
  for (const auto& d : job.deps) {
    auto* e = find_by_name(self, d);
    deps::requirement_facts f;
    f.exists = e != nullptr;
    if (e) {
      f.ready = e->summary.ready;
      f.start_acknowledged = job.started.count(d) > 0;
      f.state = e->summary.state;
      f.health = e->summary.health;
      f.restart_pending = e->summary.next_restart_ns != 0;
    }
    auto v = deps::judge_requirement(d, f);
    if (v.verdict == deps::requirement_verdict::fail) {
      auto text = f.exists ? "cannot start " + job.target + ": " + v.why
                           : "container " + job.target + " " + v.why;
      fail_job(self, id, make_caf_error(ec::invalid_state, text));
      return true;
    }
    if (v.verdict == deps::requirement_verdict::ready)
      ready.insert(d);
    else if (wait_name.empty() || (f.start_acknowledged && !wait_started)) {
      wait_name = d;
      wait_why = v.why;
      wait_started = f.start_acknowledged;
    }
  }
  if (ready.size() == job.deps.size()) {
    report_waiting(self, job, "");
    forward_start(self, job);
    self->state.jobs.erase(id);
    return true;
  }
  if (!wait_name.empty()) report_waiting(self, job, deps::waiting_text(wait_name, wait_why));
  for (const auto& d : deps::startable(current_graph(self), job.deps, ready)) {
    if (!job.requested.insert(d).second) continue;
    auto* e = find_by_name(self, d);
    request_start(self, e->actor, job.boot)
        .then(
            [=](const json&) {
              auto it = self->state.jobs.find(id);
              if (it == self->state.jobs.end()) return;
              it->second.started.insert(d);
              advance(self, id);
            },
            [=](caf::error& err) {
              fail_job(self, id,
                       make_caf_error(ec::invalid_state, "cannot start required container " + d +
                                                             ": " + from_caf_error(err).second));
            });
  }
  return false;
}

/// How long past a container's stop timeout the shutdown waits for it.
constexpr std::chrono::seconds shutdown_stop_grace{15};

void finish_shutdown(actor_t* self) {
  auto& s = self->state;
  if (s.networks_down < 1) {  // their bridge networks are torn down first (docs/network.md)
    if (s.networks_down == 0) {
      s.networks_down = -1;
      auto done = [=] {
        self->state.networks_down = 1;
        finish_shutdown(self);
      };
      self->request(s.deps.network, std::chrono::seconds(30), shutdown_atom::value)
          .then([=](bool) { done(); },
                [=](caf::error& e) {
                  spdlog::warn("network teardown at shutdown: {}", from_caf_error(e).second);
                  done();
                });
    }
    return;
  }
  spdlog::info("all containers stopped, ctrd exits");
  for (auto& w : s.shutdown_waiters) w.deliver(true);
  s.shutdown_waiters.clear();
  // Terminate the container actors now: a pending timer (a stop timeout) would otherwise
  // keep one alive, and with it the store and bus it references, delaying ctrd's exit.
  for (auto& [id, e] : s.entries) self->send_exit(e.actor, caf::exit_reason::user_shutdown);
  self->send_exit(s.deps.network, caf::exit_reason::user_shutdown);
  self->quit();
}

void advance_shutdown(actor_t* self) {
  auto& s = self->state;
  if (s.to_stop.empty()) {
    finish_shutdown(self);
    return;
  }
  for (const auto& name : deps::stoppable(s.stop_graph, s.to_stop)) {
    if (!s.stop_sent.insert(name).second) continue;
    auto* e = find_by_name(self, name);
    if (!e) {
      s.to_stop.erase(name);
      continue;
    }
    auto done = [=](auto&&...) {
      self->state.to_stop.erase(name);
      advance_shutdown(self);
    };
    // The container bounds its own stop (SIGKILL after its timeout, a cleanup that cannot
    // finish is given up); this bound is a safety net so that shutdown always ends.
    auto limit = std::chrono::seconds(e->summary.stop_timeout) + shutdown_stop_grace;
    self->request(e->actor, limit, stop_atom::value, int64_t{-1}, false)
        .then([=](const json&) { done(); },
              [=](caf::error& err) {
                if (err == caf::sec::request_timeout)
                  spdlog::error(
                      "container {} did not stop within its stop timeout and {} s: "
                      "ctrd goes on with its shutdown",
                      name, shutdown_stop_grace.count());
                done();
              });
  }
  if (s.to_stop.empty()) finish_shutdown(self);
}

/// Runs `job` once the requirements of its target are ready.
void submit(actor_t* self, start_job job) {
  auto& s = self->state;
  std::vector<std::string> missing;
  std::vector<std::string> order;
  // Most containers require nothing: no need for the whole graph then.
  const auto* target =
      job.target_id.empty() ? find_by_name(self, job.target) : find_by_id(self, job.target_id);
  bool has_reqs = !target || !target->summary.requires_.empty();
  if (has_reqs) order = deps::requirements(current_graph(self), job.target, missing);
  if (!missing.empty()) {
    auto err = make_caf_error(ec::invalid_state, "cannot start " + job.target + ": it requires " +
                                                     missing.front() + ", which does not exist");
    if (job.rp)
      job.rp->deliver(err);
    else
      spdlog::warn("cannot start {}: it requires {}, which does not exist", job.target,
                   missing.front());
    return;
  }
  if (order.empty()) {
    forward_start(self, job);
    return;
  }
  job.deps.insert(order.begin(), order.end());
  auto id = s.next_job++;
  s.jobs.emplace(id, std::move(job));
  advance(self, id);
}

}  // namespace

void start_with_deps(actor_t* self, const std::string& id, std::optional<promise> rp, bool attach,
                     caf::actor sub, uint32_t msgid) {
  start_job job;
  job.target_id = id;
  if (auto* e = find_by_id(self, id)) job.target = e->summary.name;
  job.rp = std::move(rp);
  job.attach = attach;
  job.sub = std::move(sub);
  job.msgid = msgid;
  submit(self, std::move(job));
}

void start_name_with_deps(actor_t* self, const std::string& name, bool boot) {
  start_job job;
  job.target = name;
  job.boot = boot;
  submit(self, std::move(job));
}

void advance_jobs(actor_t* self) {
  auto& s = self->state;
  std::vector<uint64_t> ids;
  for (auto& [id, job] : s.jobs) ids.push_back(id);
  for (auto id : ids)
    if (s.jobs.count(id)) advance(self, id);
}

void hand_over_and_quit(actor_t* self, bool upgrade) {
  auto& s = self->state;
  s.shutting_down = true;
  spdlog::warn("{}: the daemon exits and leaves {} containers running for its successor",
               upgrade ? "daemon-reexec" : "ctrd's holder is gone", s.entries.size());
  if (s.opts.on_handover) s.opts.on_handover(upgrade);
  auto why = upgrade ? "ctrd's daemon is being replaced (daemon-reexec): run the command again"
                     : "ctrd's daemon is exiting: its holder is gone";
  for (auto& [id, job] : s.jobs)
    if (job.rp) job.rp->deliver(make_caf_error(ec::shutting_down, why));
  s.jobs.clear();
  // An actor that ends this way answers what waits on it with `why`, leaves its process
  // running and its pipes to the holder (container state's destructor); the next daemon
  // adopts both.
  for (auto& [id, e] : s.entries) self->send(e.actor, handover_atom::value, std::string(why));
  self->send_exit(s.deps.network, caf::exit_reason::user_shutdown);  // networks stay as they are
  self->quit();
}

void begin_shutdown(actor_t* self) {
  auto& s = self->state;
  if (s.shutting_down) return;
  s.shutting_down = true;
  if (s.opts.on_shutdown) s.opts.on_shutdown();
  for (auto& [id, job] : s.jobs)
    if (job.rp) job.rp->deliver(make_caf_error(ec::shutting_down, "ctrd is shutting down"));
  s.jobs.clear();
  for (auto& [id, e] : s.entries) {
    // No restart policy may bring anything back while ctrd goes down.
    caf::anon_send(e.actor, shutdown_atom::value);  // typed actors send untyped anonymously
    // Every container, whatever the replica says: a start sent just before (a boot start,
    // a client's start) may not have reported yet. The stop reaches the actor after it and
    // is a no-op for a container without a process.
    s.to_stop.insert(e.summary.name);
  }
  s.stop_graph = current_graph(self);
  spdlog::info("shutting down: stopping {} containers, dependents first", s.to_stop.size());
  advance_shutdown(self);
}

}  // namespace ctrd::sup
