#include "ctl/overlay_diff.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "messages/error.hpp"

namespace ctl {
namespace {

std::vector<std::string> entries(const std::string& dir, bool& ok) {
  std::vector<std::string> out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  ok = static_cast<bool>(d);
  if (!d) return out;
  while (auto* e = ::readdir(d.get())) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(std::move(n));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool is_whiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0;
}

bool has_opaque_xattr(const std::string& path) {
  for (const char* name : {"trusted.overlay.opaque", "user.overlay.opaque"}) {
    char v[4] = {};
    auto n = ::lgetxattr(path.c_str(), name, v, sizeof v);
    if (n == 1 && v[0] == 'y') return true;
  }
  return false;
}

// Walks upper directory `rel` ("" is the root); `lower_visible`: the lower layer shows
// through here (not under an opaque or added directory).
void walk(const std::string& upper, const std::string& lower, const std::string& rel,
          bool lower_visible, std::vector<fs_change>& out) {
  bool ok = false;
  auto names = entries(upper + rel, ok);
  if (!ok) {
    if (rel.empty())
      throw ctrd::error(ctrd::ec::internal,
                        "cannot read the upper layer \"" + upper + "\": " + std::strerror(errno));
    return;
  }
  for (const auto& n : names) {
    std::string path = rel + "/" + n;
    struct stat st {};
    if (::lstat((upper + path).c_str(), &st) != 0) continue;
    if (is_whiteout(st)) {
      out.push_back({'D', path});
      continue;
    }
    struct stat lst {};
    bool in_lower = lower_visible && ::lstat((lower + path).c_str(), &lst) == 0;
    out.push_back({in_lower ? 'C' : 'A', path});
    if (!S_ISDIR(st.st_mode)) continue;
    bool lower_dir = in_lower && S_ISDIR(lst.st_mode);
    bool opaque = lower_dir && has_opaque_xattr(upper + path);
    if (opaque) {  // the lower contents are hidden: each one not re-created is deleted
      bool lok = false;
      auto upper_names = entries(upper + path, lok);
      for (const auto& ln : entries(lower + path, lok))
        if (!std::binary_search(upper_names.begin(), upper_names.end(), ln))
          out.push_back({'D', path + "/" + ln});
    }
    walk(upper, lower, path, lower_dir && !opaque, out);
  }
}

}  // namespace

std::vector<fs_change> overlay_changes(const std::string& upper, const std::string& lower) {
  std::vector<fs_change> out;
  walk(upper, lower, "", true, out);
  std::sort(out.begin(), out.end(),
            [](const fs_change& a, const fs_change& b) { return a.path < b.path; });
  return out;
}

std::string changes_text(const std::vector<fs_change>& changes) {
  std::string out;
  for (const auto& c : changes) out += std::string(1, c.kind) + " " + c.path + "\n";
  return out;
}

ctrd::json changes_json(const std::vector<fs_change>& changes) {
  ctrd::json j{{"changed", ctrd::json::array()},
               {"added", ctrd::json::array()},
               {"deleted", ctrd::json::array()}};
  for (const auto& c : changes)
    j[c.kind == 'A' ? "added" : c.kind == 'C' ? "changed" : "deleted"].push_back(c.path);
  return j;
}

}  // namespace ctl
