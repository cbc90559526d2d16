#include "core/dependencies.hpp"

#include <algorithm>
#include <functional>

namespace ctrd::deps {

std::vector<std::string> find_cycle(const graph& g) {
  enum class mark { none, active, done };
  std::map<std::string, mark> marks;
  std::vector<std::string> stack;
  std::vector<std::string> cycle;
  std::function<bool(const std::string&)> visit = [&](const std::string& n) {
    auto& m = marks[n];
    if (m == mark::done) return false;
    if (m == mark::active) {
      auto it = std::find(stack.begin(), stack.end(), n);
      cycle.assign(it, stack.end());
      cycle.push_back(n);
      return true;
    }
    m = mark::active;
    stack.push_back(n);
    if (auto it = g.find(n); it != g.end())
      for (const auto& r : it->second)
        if (visit(r)) return true;
    stack.pop_back();
    marks[n] = mark::done;
    return false;
  };
  for (const auto& [name, reqs] : g)
    if (visit(name)) return cycle;
  return {};
}

std::string cycle_text(const std::vector<std::string>& cycle) {
  std::string out;
  for (const auto& n : cycle) out += (out.empty() ? "" : " -> ") + n;
  return out;
}

std::vector<std::string> requirements(const graph& g, const std::string& name,
                                      std::vector<std::string>& missing) {
  std::vector<std::string> order;
  std::set<std::string> seen{name};
  std::function<void(const std::string&)> visit = [&](const std::string& n) {
    auto it = g.find(n);
    if (it == g.end()) return;
    for (const auto& r : it->second) {
      if (!seen.insert(r).second) continue;
      if (g.count(r) == 0) {
        missing.push_back(r);
        continue;
      }
      visit(r);
      order.push_back(r);
    }
  };
  visit(name);
  return order;
}

std::vector<std::string> dependents(const graph& g, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [n, reqs] : g)
    if (std::find(reqs.begin(), reqs.end(), name) != reqs.end()) out.push_back(n);
  return out;
}

std::vector<std::string> startable(const graph& g, const std::set<std::string>& candidates,
                                   const std::set<std::string>& done) {
  std::vector<std::string> out;
  for (const auto& c : candidates) {
    if (done.count(c)) continue;
    bool ok = true;
    if (auto it = g.find(c); it != g.end())
      for (const auto& r : it->second)
        if (candidates.count(r) && !done.count(r)) ok = false;
    if (ok) out.push_back(c);
  }
  return out;
}

std::vector<std::string> stoppable(const graph& g, const std::set<std::string>& running) {
  // One pass over the requirements of `running` (O(n log n): shutdowns of thousands).
  std::set<std::string> needed;
  for (const auto& other : running)
    if (auto it = g.find(other); it != g.end())
      for (const auto& r : it->second)
        if (r != other) needed.insert(r);
  std::vector<std::string> out;
  for (const auto& c : running)
    if (!needed.count(c)) out.push_back(c);
  return out;
}

requirement_verdict judge_requirement(const std::string& name, const requirement_facts& f) {
  using V = requirement_verdict;
  if (!f.exists) return {V::fail, "requires " + name + ", which does not exist"};
  if (f.ready) return {V::ready, {}};
  if (!f.start_acknowledged) return {V::wait, "not started yet"};
  if ((f.state == "exited" || f.state == "created") && !f.restart_pending)
    return {V::fail, "required container " + name + " is " + f.state + " and did not become ready"};
  if (f.restart_pending) return {V::wait, "restarting"};
  if (f.health == "unhealthy" || f.health == "starting") return {V::wait, f.health};
  if (f.state != "running") return {V::wait, f.state};
  return {V::wait, "not ready"};
}

std::string waiting_text(const std::string& name, const std::string& why) {
  return "waiting for " + name + ": " + why;
}

}  // namespace ctrd::deps
