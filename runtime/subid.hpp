// Subordinate id ranges (/etc/subuid, /etc/subgid) and the slices ctrd hands out of them
// for --userns auto: each container gets its own block of host ids, like podman's
// `containers` user. Pure: the caller reads the files and knows which slices are taken.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ctrd::subid {

/// Host ids [start, start+count).
struct range {
  uint64_t start = 0;
  uint64_t count = 0;

  bool operator==(const range& o) const { return start == o.start && count == o.count; }
};

/// podman's default size of an automatic user namespace.
constexpr uint64_t default_slice = 65536;

/// The ranges of `user` in the text of a subuid/subgid file: lines NAME:START:COUNT where
/// NAME is the user's (group's) name or its numeric id `id` (when given); blank lines and
/// lines starting with '#' are skipped, as are malformed lines (shadow-utils ignores them
/// too). In file order.
std::vector<range> parse(const std::string& text, const std::string& user,
                         std::optional<uint64_t> id = std::nullopt);

/// The lowest block of `size` ids inside one of `ranges` that overlaps none of `used`;
/// nothing if every range is full.
std::optional<uint64_t> allocate(const std::vector<range>& ranges, const std::vector<range>& used,
                                 uint64_t size = default_slice);

}  // namespace ctrd::subid
