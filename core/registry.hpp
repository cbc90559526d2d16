// The container registry index: unique names and id prefixes (plain class, no CAF).
// Owned by the supervisor actor; resolve() implements podman's lookup rules.
#pragma once

#include <map>
#include <string>
#include <unordered_map>

#include "messages/error.hpp"

namespace ctrd {

class registry {
 public:
  /// Adds a container. Precondition: id and name are not registered.
  void add(const std::string& id, const std::string& name);

  /// Removes a container (no-op if unknown).
  void remove(const std::string& id);

  /// True if `name` is taken.
  bool has_name(const std::string& name) const { return by_name_.count(name) != 0; }

  /// True if `id` is registered.
  bool has_id(const std::string& id) const { return by_id_.count(id) != 0; }

  /// The id holding `name` ("" if none).
  std::string id_of_name(const std::string& name) const;

  /// Resolves a name, full id or unique id prefix, in that order (podman). Throws
  /// ctrd::error: no_such_container, ambiguous_id.
  std::string resolve(const std::string& ref) const;

  std::size_t size() const { return by_id_.size(); }

 private:
  std::map<std::string, std::string> by_id_;              // id -> name (sorted: prefix search)
  std::unordered_map<std::string, std::string> by_name_;  // name -> id
};

/// A random 64-hex container id.
std::string generate_id();

/// A readable name ("adjective_noun") not accepted by `taken`; falls back to a suffix.
template <class Taken>
std::string generate_name(Taken&& taken);

/// One random "adjective_noun" candidate.
std::string random_name();

template <class Taken>
std::string generate_name(Taken&& taken) {
  for (int i = 0; i < 32; ++i) {
    auto n = random_name();
    if (!taken(n)) return n;
  }
  for (int i = 0;; ++i) {
    auto n = random_name() + "_" + generate_id().substr(0, 6);
    if (!taken(n)) return n;
  }
}

}  // namespace ctrd
