#include "runtime/subid.hpp"

#include <algorithm>

namespace ctrd::subid {
namespace {

bool number(const std::string& t, uint64_t& out) {
  if (t.empty() || t.size() > 10 || t.find_first_not_of("0123456789") != std::string::npos)
    return false;
  out = std::stoull(t);
  return out <= 0xffffffffull;
}

}  // namespace

std::vector<range> parse(const std::string& text, const std::string& user,
                         std::optional<uint64_t> id) {
  std::vector<range> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto c1 = line.find(':');
    auto c2 = c1 == std::string::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string::npos || line.find(':', c2 + 1) != std::string::npos) continue;
    auto name = line.substr(0, c1);
    uint64_t start, count, name_id;
    if (!number(line.substr(c1 + 1, c2 - c1 - 1), start) || !number(line.substr(c2 + 1), count) ||
        count == 0 || start + count > 0x100000000ull)
      continue;
    bool mine = name == user || (id && number(name, name_id) && name_id == *id);
    if (mine) out.push_back({start, count});
  }
  return out;
}

std::optional<uint64_t> allocate(const std::vector<range>& ranges, const std::vector<range>& used,
                                 uint64_t size) {
  if (size == 0) return std::nullopt;
  auto taken = used;
  std::sort(taken.begin(), taken.end(),
            [](const range& a, const range& b) { return a.start < b.start; });
  std::optional<uint64_t> best;
  for (const auto& r : ranges) {
    uint64_t candidate = r.start;
    const uint64_t end = r.start + r.count;
    for (const auto& t : taken) {
      if (t.count == 0) continue;
      if (candidate + size <= t.start) break;  // fits before this one
      candidate = std::max(candidate, t.start + t.count);
    }
    // `taken` is sorted by start: anything after the break begins beyond candidate + size.
    if (candidate + size <= end && (!best || candidate < *best)) best = candidate;
  }
  return best;
}

}  // namespace ctrd::subid
