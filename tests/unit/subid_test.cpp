// The subordinate id file parser and the slice allocator of --userns auto (runtime/subid.hpp).
#include "runtime/subid.hpp"

#include <catch2/catch.hpp>

namespace subid_test {

using ctrd::subid::allocate;
using ctrd::subid::parse;
using ctrd::subid::range;

TEST_CASE("subid: the ranges of a user by name or numeric id, in file order", "[subid]") {
  const std::string text =
      "# comment\n"
      "root:100000:65536\n"
      "ctrd:200000:131072\n"
      "\n"
      "  \n"
      "ctrd:1000000:65536\r\n"
      "999:5000000:70000\n"
      "ctrdx:300000:65536\n"
      "ctrd:bad:65536\n"
      "ctrd:400000:0\n"
      "ctrd:1:2:3\n"
      "ctrd:4294967295:2\n"
      "ctrd:600000:65536";
  struct row {
    std::string user;
    std::optional<uint64_t> id;
    std::vector<range> want;
  };
  for (const auto& r : std::vector<row>{
           {"ctrd", std::nullopt, {{200000, 131072}, {1000000, 65536}, {600000, 65536}}},
           {"ctrd", 999, {{200000, 131072}, {1000000, 65536}, {5000000, 70000}, {600000, 65536}}},
           {"root", std::nullopt, {{100000, 65536}}},
           {"nobody", std::nullopt, {}},
           {"nobody", 999, {{5000000, 70000}}},
       }) {
    INFO(r.user);
    CHECK(parse(text, r.user, r.id) == r.want);
  }
  CHECK(parse("", "ctrd").empty());
}

TEST_CASE("subid: slices are the lowest free block, skip taken ones and fit inside a range",
          "[subid]") {
  const std::vector<range> ranges{{100000, 65536 * 3}, {1000000, 65536}};
  struct row {
    std::vector<range> used;
    uint64_t size;
    std::optional<uint64_t> want;
  };
  for (const auto& r : std::vector<row>{
           {{}, 65536, 100000},
           {{{100000, 65536}}, 65536, 165536},
           {{{165536, 65536}}, 65536, 100000},  // a removed container's slice is reused
           {{{100000, 65536}, {165536, 65536}}, 65536, 231072},
           {{{100000, 65536}, {165536, 65536}, {231072, 65536}}, 65536, 1000000},
           {{{100000, 65536 * 3}, {1000000, 65536}}, 65536, std::nullopt},
           {{{100000, 1}}, 65536, 100001},  // an overlap moves the block past it
           {{{100001, 10}}, 65536, 100011},
           {{{500, 10}, {0, 0}}, 65536, 100000},  // outside every range, empty: ignored
           {{}, 65536 * 4, std::nullopt},         // larger than any range
           {{{1000000, 65536}}, 65536 * 3, 100000},
           {{}, 0, std::nullopt},
       }) {
    INFO(r.used.size() << " used, size " << r.size);
    CHECK(allocate(ranges, r.used, r.size) == r.want);
  }
  CHECK_FALSE(allocate({}, {}).has_value());
}

}  // namespace subid_test
