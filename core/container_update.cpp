#include "core/container_update.hpp"

#include "messages/error.hpp"

namespace ctrd {

bool updatable_key(const std::string& key) {
  return key == "memory" || key == "cpus" || key == "cpu_shares" || key == "pids_limit" ||
         key == "restart";
}

container_config apply_update(const container_config& c, const json& changes) {
  if (!changes.is_object() || changes.empty())
    throw error(ec::invalid_argument,
                "nothing to update: give at least one of --memory, --cpus, --cpu-shares, "
                "--pids-limit, --restart");
  json j = to_json(c);
  for (auto it = changes.begin(); it != changes.end(); ++it) {
    if (!updatable_key(it.key()))
      throw error(ec::invalid_argument,
                  "\"" + it.key() +
                      "\" cannot be updated: only memory, cpus, cpu_shares, pids_limit and "
                      "restart can change in an existing container");
    j[it.key()] = it.value();
  }
  container_config next = config_from_json(j);
  validate(next);
  return next;
}

}  // namespace ctrd
