// The dependency graph between containers (`--requires`), as pure functions over a map
// name -> required names. The supervisor uses them to refuse cycles, to start a container's
// requirements first (in waves, independent ones in parallel), to refuse removing a
// container others need, and to stop in reverse order at shutdown.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace ctrd::deps {

/// name -> names it requires.
using graph = std::map<std::string, std::vector<std::string>>;

/// A cycle as a path [a, b, ..., a], or empty if the graph has none. Deterministic: the
/// cycle found from the smallest name is reported.
std::vector<std::string> find_cycle(const graph& g);

/// "a -> b -> a" for error messages.
std::string cycle_text(const std::vector<std::string>& cycle);

/// Everything `name` requires, directly or not, each after its own requirements (a
/// topological order). Names that are not in the graph go to `missing` (each once).
std::vector<std::string> requirements(const graph& g, const std::string& name,
                                      std::vector<std::string>& missing);

/// Names that directly require `name`, sorted.
std::vector<std::string> dependents(const graph& g, const std::string& name);

/// Of `candidates`, those whose requirements (restricted to `candidates`) are all in
/// `done`: what may start next when `done` are ready. Excludes `done` itself.
std::vector<std::string> startable(const graph& g, const std::set<std::string>& candidates,
                                   const std::set<std::string>& done);

/// Of `running`, those that no other member of `running` requires: what may stop next at
/// shutdown.
std::vector<std::string> stoppable(const graph& g, const std::set<std::string>& running);

/// What a start job knows of one requirement (from its summary).
struct requirement_facts {
  bool exists = true;
  bool ready = false;
  bool start_acknowledged = false;  ///< the job's start request for it was answered
  std::string state;                ///< podman's state name: "running", "exited", ...
  std::string health;               ///< "", "starting", "healthy", "unhealthy"
  bool restart_pending = false;     ///< a policy restart is scheduled
};

/// The verdict on one requirement of a waiting start.
struct requirement_verdict {
  enum kind { ready, wait, fail } verdict = wait;
  std::string why;  ///< wait: what it waits for ("unhealthy", "starting"...); fail: the reason
};

/// Judges a requirement: ready; still to wait for (not started yet, starting, unhealthy but
/// running: a health check may pass later, a restart is pending); or failed for good
/// (missing; started, then exited or created without becoming ready and with no restart
/// pending). Texts for fail name `name`.
requirement_verdict judge_requirement(const std::string& name, const requirement_facts& f);

/// "waiting for NAME: WHY": what a dependent shows (inspect State.Error) while it waits.
std::string waiting_text(const std::string& name, const std::string& why);

}  // namespace ctrd::deps
