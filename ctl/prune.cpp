#include "ctl/prune.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <memory>
#include <set>

#include "ctl/stream_flags.hpp"
#include "messages/error.hpp"

namespace ctl {
namespace {

[[noreturn]] void bad_filter(const std::string& v, const std::string& why) {
  throw ctrd::error(ctrd::ec::invalid_argument, "invalid filter \"" + v + "\": " + why);
}

bool label_matches(const json& labels, const std::string& key, const std::string& value,
                   bool has_value) {
  if (!labels.is_object()) return false;
  auto it = labels.find(key);
  if (it == labels.end()) return false;
  return !has_value || (it->is_string() && it->get<std::string>() == value);
}

void usage(const std::string& path, dev_t dev, std::set<std::pair<dev_t, ino_t>>& seen,
           uint64_t& total, int depth) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || st.st_dev != dev) return;
  if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) && !seen.insert({st.st_dev, st.st_ino}).second)
    return;
  total += static_cast<uint64_t>(st.st_blocks) * 512;
  if (!S_ISDIR(st.st_mode) || depth > 256) return;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(path.c_str()), ::closedir);
  if (!d) return;
  while (auto* e = ::readdir(d.get())) {
    std::string n = e->d_name;
    if (n != "." && n != "..") usage(path + "/" + n, dev, seen, total, depth + 1);
  }
}

}  // namespace

prune_filter parse_prune_filters(const std::vector<std::string>& values, int64_t now_ns) {
  prune_filter f;
  for (const auto& v : values) {
    auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0) bad_filter(v, "use KEY=VALUE");
    bool negate = v[eq - 1] == '!';
    std::string key = v.substr(0, negate ? eq - 1 : eq), value = v.substr(eq + 1);
    if (key == "until" && !negate) {
      if (value.empty()) bad_filter(v, "until needs a time");
      f.until_ns = parse_time_ns(value, now_ns);
    } else if (key == "label") {
      if (value.empty()) bad_filter(v, "label needs a key");
      auto e2 = value.find('=');
      std::string k = value.substr(0, e2);
      std::string val = e2 == std::string::npos ? std::string() : value.substr(e2 + 1);
      (negate ? f.not_labels : f.labels).emplace_back(k, val);
      (negate ? f.not_labels_have_value : f.labels_have_value).push_back(e2 != std::string::npos);
    } else {
      bad_filter(v, "prune supports until=, label= and label!=");
    }
  }
  return f;
}

bool prune_matches(const prune_filter& f, int64_t created_ns, const json& labels) {
  if (f.until_ns != 0 && created_ns >= f.until_ns) return false;
  for (std::size_t i = 0; i < f.labels.size(); ++i)
    if (!label_matches(labels, f.labels[i].first, f.labels[i].second, f.labels_have_value[i]))
      return false;
  for (std::size_t i = 0; i < f.not_labels.size(); ++i)
    if (label_matches(labels, f.not_labels[i].first, f.not_labels[i].second,
                      f.not_labels_have_value[i]))
      return false;
  return true;
}

bool prunable_state(const std::string& state) {
  return state == "created" || state == "configured" || state == "initialized" ||
         state == "stopped" || state == "exited";
}

uint64_t disk_usage(const std::string& dir) {
  struct stat st {};
  if (dir.empty() || ::lstat(dir.c_str(), &st) != 0) return 0;
  std::set<std::pair<dev_t, ino_t>> seen;
  uint64_t total = 0;
  usage(dir, st.st_dev, seen, total, 0);
  return total;
}

std::string container_dir(const json& inspect_result) {
  if (!inspect_result.is_object()) return "";
  std::string log = inspect_result.value("LogPath", std::string());
  auto slash = log.rfind('/');
  return slash == std::string::npos || slash == 0 ? std::string() : log.substr(0, slash);
}

}  // namespace ctl

#include <iostream>

#include "ctl/common.hpp"
#include "ctl/io.hpp"

namespace ctl {

prune_result prune_containers(client& c, const prune_filter& f, bool measure, bool quiet) {
  prune_result res;
  response l = c.call("list", json{{"all", true}, {"chunked", true}});
  if (!l.ok()) throw ctrd::error(l.code(), l.message());
  std::vector<std::string> ids;
  std::vector<int64_t> created;
  for (const auto& s : l.result.is_array() ? l.result : json::array()) {
    if (!s.is_object() || !prunable_state(s.value("state", std::string()))) continue;
    if (!s.value("source", std::string()).empty()) continue;  // a service file's
    ids.push_back(s.value("id", std::string()));
    created.push_back(s.value("created_ns", int64_t{0}));
  }
  std::vector<uint64_t> sizes(ids.size(), 0);
  std::vector<bool> keep(ids.size(), true);
  if (f.needs_labels() || measure) {
    std::vector<uint32_t> msgids;
    for (const auto& id : ids) msgids.push_back(c.send("inspect", json{{"container", id}}));
    for (std::size_t i = 0; i < ids.size(); ++i) {
      response r = c.wait(msgids[i]);
      if (!r.ok()) {  // removed meanwhile
        keep[i] = false;
        continue;
      }
      keep[i] = prune_matches(f, created[i],
                              r.result.value("/Config/Labels"_json_pointer, json::object()));
      if (keep[i] && measure) sizes[i] = disk_usage(container_dir(r.result));
    }
  } else {
    for (std::size_t i = 0; i < ids.size(); ++i)
      keep[i] = prune_matches(f, created[i], json::object());
  }
  std::vector<std::string> targets;
  std::vector<uint64_t> target_sizes;
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (keep[i]) {
      targets.push_back(ids[i]);
      target_sizes.push_back(sizes[i]);
    }
  std::size_t k = 0;
  res.status = for_each_container(
      c, targets, "remove",
      [](const std::string& id) {
        return json{{"container", id}, {"force", false}};
      },
      [&](const std::string& id, const response&) {
        while (k < targets.size() && targets[k] != id) ++k;
        if (k < targets.size()) res.reclaimed += target_sizes[k];
        res.ids.push_back(id);
        if (!quiet) out_line(id);
      });
  return res;
}

bool confirm(const std::string& warning) {
  out(warning + "Are you sure you want to continue? [y/N] ");
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  auto p = answer.find_first_not_of(" \t");
  return p != std::string::npos && (answer[p] == 'y' || answer[p] == 'Y');
}

}  // namespace ctl
