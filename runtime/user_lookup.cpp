#include "runtime/user_lookup.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <sstream>

#include "messages/error.hpp"
#include "runtime/fs_root.hpp"

namespace ctrd {
namespace {

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    auto colon = line.find(':', pos);
    out.push_back(line.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos));
    if (colon == std::string::npos) return out;
    pos = colon + 1;
  }
}

template <typename F>
void each_line(const std::string& text, F f) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    f(fields(line));
  }
}

[[noreturn]] void not_found(const char* what, const std::string& name, const char* file) {
  throw error(ec::invalid_argument, std::string("unable to find ") + what + " " + name +
                                        ": no matching entries in " + file + " file");
}

// A group by name or number: its gid (a number without an entry is taken as it is).
uint32_t group_id(const std::string& g, const std::vector<group_entry>& groups) {
  for (const auto& e : groups)
    if (e.name == g) return e.gid;
  if (auto n = numeric_id(g)) return *n;
  not_found("group", g, "group");
}

}  // namespace

std::optional<uint32_t> numeric_id(const std::string& t) {
  if (t.empty() || t.size() > 10 || t.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  auto v = std::stoull(t);
  if (v >= 0xffffffffull) return std::nullopt;
  return static_cast<uint32_t>(v);
}

std::vector<passwd_entry> parse_passwd(const std::string& text) {
  std::vector<passwd_entry> out;
  each_line(text, [&](const std::vector<std::string>& f) {
    if (f.size() < 4 || f[0].empty()) return;
    auto uid = numeric_id(f[2]);
    auto gid = numeric_id(f[3]);
    if (uid && gid) out.push_back({f[0], *uid, *gid});
  });
  return out;
}

std::vector<group_entry> parse_group(const std::string& text) {
  std::vector<group_entry> out;
  each_line(text, [&](const std::vector<std::string>& f) {
    if (f.size() < 3 || f[0].empty()) return;
    auto gid = numeric_id(f[2]);
    if (!gid) return;
    group_entry e{f[0], *gid, {}};
    if (f.size() > 3) {
      std::size_t pos = 0;
      const std::string& m = f[3];
      while (pos < m.size()) {
        auto comma = m.find(',', pos);
        auto name = m.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (!name.empty()) e.members.push_back(name);
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
    }
    out.push_back(std::move(e));
  });
  return out;
}

resolved_user resolve_user(const std::string& user, const std::vector<std::string>& group_add,
                           const std::vector<passwd_entry>& passwd,
                           const std::vector<group_entry>& groups) {
  resolved_user r;
  auto colon = user.find(':');
  std::string u = user.substr(0, colon);
  std::string g = colon == std::string::npos ? std::string() : user.substr(colon + 1);
  const passwd_entry* entry = nullptr;
  for (const auto& e : passwd)
    if (e.name == u) entry = &e;  // names first, as getpwnam
  if (!entry)
    if (auto n = numeric_id(u)) {
      r.uid = *n;
      for (const auto& e : passwd)
        if (e.uid == *n && !entry) entry = &e;
    }
  if (!entry && !numeric_id(u)) not_found("user", u, "passwd");
  if (entry) {
    r.uid = entry->uid;
    r.gid = entry->gid;
  }
  if (!g.empty()) r.gid = group_id(g, groups);
  if (entry && !numeric_id(u))
    for (const auto& e : groups)
      for (const auto& m : e.members)
        if (m == entry->name && e.gid != r.gid) r.groups.push_back(e.gid);
  for (const auto& a : group_add) {
    uint32_t id = group_id(a, groups);
    bool dup = id == r.gid;
    for (auto x : r.groups) dup = dup || x == id;
    if (!dup) r.groups.push_back(id);
  }
  return r;
}

std::string read_in_root(const std::string& root_dir, const std::string& path) {
  fs::unique_fd fd;
  try {
    auto root = fs::open_root(root_dir);
    fd = fs::open_in_root(root.get(), path, O_RDONLY | O_CLOEXEC);
  } catch (const error& e) {
    if (e.code() == ec::no_such_file) return {};
    throw;
  }
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > (16u << 20)) break;  // a sane table is far smaller
  }
  return text;
}

}  // namespace ctrd
