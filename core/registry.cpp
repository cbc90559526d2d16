#include "core/registry.hpp"

#include <sys/random.h>
#include <random>

namespace ctrd {

void registry::add(const std::string& id, const std::string& name) {
  by_id_[id] = name;
  by_name_[name] = id;
}

void registry::remove(const std::string& id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  by_name_.erase(it->second);
  by_id_.erase(it);
}

std::string registry::id_of_name(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? std::string() : it->second;
}

std::string registry::resolve(const std::string& ref) const {
  if (ref.empty()) throw error(ec::invalid_argument, "container name or ID must not be empty");
  if (auto it = by_name_.find(ref); it != by_name_.end()) return it->second;
  auto it = by_id_.lower_bound(ref);
  if (it != by_id_.end() && it->first.compare(0, ref.size(), ref) == 0) {
    auto next = std::next(it);
    if (it->first.size() == ref.size() || next == by_id_.end() ||
        next->first.compare(0, ref.size(), ref) != 0)
      return it->first;
    throw error(ec::ambiguous_id, "more than one container matches the ID prefix \"" + ref +
                                      "\": use more characters");
  }
  throw error(ec::no_such_container,
              "no container with name or ID \"" + ref + "\" found: no such container");
}

std::string generate_id() {
  unsigned char bytes[32];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    auto n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
  }
  static const char hex[] = "0123456789abcdef";
  std::string id(64, '0');
  for (int i = 0; i < 32; ++i) {
    id[2 * i] = hex[bytes[i] >> 4];
    id[2 * i + 1] = hex[bytes[i] & 15];
  }
  return id;
}

std::string random_name() {
  static const char* const adjectives[] = {
      "brave",  "calm",    "eager",  "fair",   "gentle", "happy",   "jolly", "kind",
      "lively", "merry",   "nimble", "proud",  "quiet",  "swift",   "tidy",  "vivid",
      "witty",  "zealous", "bold",   "clever", "daring", "focused", "keen",  "loyal",
      "modest", "patient", "sharp",  "steady", "upbeat", "wise"};
  static const char* const nouns[] = {
      "otter",   "falcon",  "maple",  "harbor", "comet",  "badger",  "cedar",  "lynx",
      "meadow",  "orbit",   "pebble", "quartz", "raven",  "spruce",  "tundra", "willow",
      "beacon",  "canyon",  "dune",   "ember",  "fjord",  "glacier", "heron",  "island",
      "juniper", "kestrel", "lagoon", "marlin", "nebula", "osprey"};
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> a(0, std::size(adjectives) - 1);
  std::uniform_int_distribution<std::size_t> n(0, std::size(nouns) - 1);
  return std::string(adjectives[a(rng)]) + "_" + nouns[n(rng)];
}

}  // namespace ctrd
