#include "runtime/disk_space.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "messages/error.hpp"

namespace ctrd {
namespace {

/// Free space is looked up again after this long or this many logged bytes.
constexpr int64_t refresh_ms = 1000;
constexpr uint64_t refresh_bytes = 1u << 20;
/// Upper bound on the rotated files looked at per log (as log_file.cpp).
constexpr uint32_t max_probe = 1000;

int64_t monotonic_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

/// Size of a file, or -1 when it does not exist.
int64_t size_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_size);
}

std::string human(uint64_t n) {
  char buf[64];
  if (n >= (1u << 20))
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1u << 20));
  else if (n >= 1024)
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(n) / 1024);
  else
    std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(n));
  return buf;
}

}  // namespace

int statvfs_probe(const std::string& path, fs_usage& out) {
  struct statvfs v;
  if (::statvfs(path.c_str(), &v) != 0) return errno;
  out.size = static_cast<uint64_t>(v.f_blocks) * v.f_frsize;
  out.avail = static_cast<uint64_t>(v.f_bavail) * v.f_frsize;
  return 0;
}

uint64_t disk_space::log_entry::total() const {
  uint64_t t = live;
  for (auto r : rotated) t += r;
  return t;
}

disk_space::disk_space(std::string root, disk_space_limits limits, fs_probe probe,
                       std::function<int64_t()> now_ms)
    : root_(std::move(root)),
      limits_(limits),
      probe_(std::move(probe)),
      now_ms_(now_ms ? std::move(now_ms) : std::function<int64_t()>(monotonic_ms)) {}

void disk_space::note_low(bool low, uint64_t avail) {
  if (low == low_) return;
  low_ = low;
  if (low)
    spdlog::warn(
        "no space left on {}: {} free, below the reserve of {} (--min-free-space): "
        "creates are refused and container log writes dropped (counted in inspect)",
        root_, human(avail), human(limits_.min_free));
  else
    spdlog::info("{} has {} free again: creates and container logs resume", root_, human(avail));
}

void disk_space::check_create() {
  if (limits_.min_free == 0) return;
  fs_usage u;
  if (int err = probe_(root_, u)) {
    spdlog::warn("cannot read the free space of {}: {}", root_, std::strerror(err));
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  avail_ = u.avail;
  looked_ms_ = now_ms_();
  logged_since_ = 0;
  note_low(u.avail < limits_.min_free, u.avail);
  if (u.avail < limits_.min_free)
    throw error(ec::no_space, "no space left on " + root_ + ": " + human(u.avail) +
                                  " free, below the reserve of " + human(limits_.min_free) +
                                  " that ctrd keeps for its state (--min-free-space)");
}

bool disk_space::free_space_low(uint64_t n) {
  if (limits_.min_free == 0) return false;
  auto now = now_ms_();
  if (looked_ms_ < 0 || now - looked_ms_ >= refresh_ms || logged_since_ >= refresh_bytes) {
    fs_usage u;
    if (probe_(root_, u) == 0) avail_ = u.avail;
    looked_ms_ = now;
    logged_since_ = 0;
  }
  bool low = avail_ < limits_.min_free + n;
  note_low(low, avail_);
  return low;
}

void disk_space::rescan(const std::string& path, log_entry& e) {
  total_ -= std::min(total_, e.total());
  auto live = size_of(path);
  e.live = live < 0 ? 0 : static_cast<uint64_t>(live);
  e.rotated.clear();
  for (uint32_t n = 1; n <= max_probe; ++n) {
    auto s = size_of(path + "." + std::to_string(n));
    if (s < 0) break;
    e.rotated.push_back(static_cast<uint64_t>(s));
  }
  total_ += e.total();
}

disk_space::log_entry& disk_space::entry(const std::string& path) {
  auto [it, added] = logs_.try_emplace(path);
  if (added) rescan(path, it->second);
  return it->second;
}

bool disk_space::evict_for(uint64_t n) {
  const uint64_t cap = limits_.logs_max_total;
  if (n > cap) return false;  // would not fit even alone: keep the files
  while (total_ + n > cap) {
    // The largest log that still has a rotated file gives up its oldest one.
    log_entry* victim = nullptr;
    const std::string* victim_path = nullptr;
    for (auto& [p, e] : logs_)
      if (!e.rotated.empty() && (victim == nullptr || e.total() > victim->total())) {
        victim = &e;
        victim_path = &p;
      }
    if (victim == nullptr) {
      // Files may have shrunk or gone behind ctrd's back (removed by hand, a tmpfs emptied):
      // their sizes are learnt again before a write is dropped, at most once a second.
      auto now = now_ms_();
      if (relearned_ms_ < 0 || now - relearned_ms_ >= refresh_ms) {
        relearned_ms_ = now;
        for (auto& [p, e] : logs_) rescan(p, e);
        continue;
      }
      if (!cap_drop_warned_) {
        cap_drop_warned_ = true;
        spdlog::warn(
            "container logs reached {} together (--log-max-total) and no rotated file is left "
            "to remove: log writes are dropped until they rotate (counted in inspect)",
            human(cap));
      }
      return false;
    }
    auto file = *victim_path + "." + std::to_string(victim->rotated.size());
    if (::unlink(file.c_str()) != 0 && errno != ENOENT) {
      spdlog::warn("log cap: cannot remove {}: {}", file, std::strerror(errno));
      rescan(*victim_path, *victim);
      return false;
    }
    uint64_t bytes = victim->rotated.back();
    victim->rotated.pop_back();
    total_ -= std::min(total_, bytes);
    victim->counts.rotated_files++;
    victim->counts.rotated_bytes += bytes;
    if (!cap_warned_) {
      cap_warned_ = true;
      spdlog::warn(
          "container logs reached {} together (--log-max-total): removing the oldest "
          "rotated files of the largest logs first, starting with {} (counted in "
          "inspect; said once)",
          human(cap), file);
    }
  }
  return true;
}

bool disk_space::admit(const std::string& path, uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& e = entry(path);
  bool ok = !free_space_low(n);
  if (ok && limits_.logs_max_total > 0) ok = evict_for(n);
  if (ok) cap_drop_warned_ = false;  // a new streak of drops is said again
  if (!ok) {
    e.counts.writes++;
    e.counts.bytes += n;
  }
  return ok;
}

void disk_space::appended(const std::string& path, uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  entry(path).live += n;
  total_ += n;
  avail_ -= std::min(avail_, n);
  logged_since_ += n;
}

int disk_space::rotate_log(const std::string& path, const std::function<int()>& rotate) {
  std::lock_guard<std::mutex> lock(mu_);
  int rc = rotate();
  rescan(path, entry(path));
  return rc;
}

void disk_space::forget_log(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = logs_.find(path);
  if (it == logs_.end()) return;
  total_ -= std::min(total_, it->second.total());
  logs_.erase(it);
}

void disk_space::scan_logs(const std::string& containers_dir) {
  std::error_code ec;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& d : std::filesystem::directory_iterator(containers_dir, ec))
    if (d.is_directory(ec)) entry((d.path() / "ctr.log").string());
}

log_drop_counts disk_space::counts(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = logs_.find(path);
  return it == logs_.end() ? log_drop_counts{} : it->second.counts;
}

uint64_t disk_space::logs_total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

}  // namespace ctrd
