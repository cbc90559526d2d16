#include "runtime/state_open.hpp"

#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <utility>

#include <leveldb/write_batch.h>

#include "messages/error.hpp"
#include "runtime/state_schema.hpp"

namespace ctrd {
namespace stdfs = std::filesystem;

namespace {

/// A compact UTC time for file names: 20240131T235959Z.
std::string utc_stamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

/// Copies directory `src` to `dst` (a fresh name): first to `dst.tmp`, renamed when
/// complete, so that a copy interrupted by a crash never looks whole. Returns "" or why not.
std::string copy_dir(const std::string& src, const std::string& dst) {
  std::error_code ec;
  auto tmp = dst + ".tmp";
  stdfs::remove_all(tmp, ec);
  stdfs::copy(src, tmp, stdfs::copy_options::recursive, ec);
  if (!ec) stdfs::rename(tmp, dst, ec);
  if (!ec) return "";
  std::error_code ignored;
  stdfs::remove_all(tmp, ignored);
  return "cannot copy " + src + " to " + dst + ": " + ec.message();
}

/// LevelDB's own files exist although CURRENT does not (LevelDB would start an empty
/// database over them).
bool has_files_without_current(const std::string& dir) {
  std::error_code ec;
  if (stdfs::exists(stdfs::path(dir) / "CURRENT", ec)) return false;
  for (auto& e : stdfs::directory_iterator(dir, ec)) {
    auto name = e.path().filename().string();
    auto ext = e.path().extension().string();
    if (name.rfind("MANIFEST-", 0) == 0 || ext == ".ldb" || ext == ".sst" || ext == ".log")
      return true;
  }
  return false;
}

std::unique_ptr<loss_logger> make_logger(const std::string& dir, leveldb::Env* env) {
  auto path = dir + "/LOG";
  std::error_code ec;
  stdfs::rename(path, dir + "/LOG.old", ec);  // as LevelDB does with its own LOG
  leveldb::Logger* file = nullptr;
  if (!env->NewLogger(path, &file).ok()) file = nullptr;
  return std::make_unique<loss_logger>(file);
}

leveldb::Status open_db(const std::string& dir, bool paranoid, state_db& s) {
  s.db.reset();
  s.log = make_logger(dir, s.env);
  leveldb::Options o;
  o.env = s.env;
  o.create_if_missing = true;
  o.paranoid_checks = paranoid;
  o.info_log = s.log.get();
  leveldb::DB* raw = nullptr;
  auto st = leveldb::DB::Open(o, dir, &raw);
  s.db.reset(raw);
  return st;
}

void append(std::vector<std::string>& to, std::vector<std::string> more) {
  for (auto& m : more) to.push_back(std::move(m));
}

/// Copies the damaged database aside, repairs it and opens it (paranoid again).
void repair(const std::string& dir, open_report& report, state_db& s) {
  s.db.reset();
  if (s.log) append(report.repair_notes, s.log->take_notes());
  auto copy = sibling_path(dir, ".corrupt-" + utc_stamp());
  for (int n = 2; stdfs::exists(copy); ++n)
    copy = sibling_path(dir, ".corrupt-" + utc_stamp() + "-" + std::to_string(n));
  report.copy_error = copy_dir(dir, copy);
  if (report.copy_error.empty()) report.corrupt_copy = copy;
  s.log = make_logger(dir, s.env);
  leveldb::Options o;
  o.env = s.env;
  o.info_log = s.log.get();
  auto st = leveldb::RepairDB(dir, o);
  append(report.repair_notes, s.log->take_notes());
  std::string where = report.corrupt_copy.empty() ? "" : " (its copy: " + report.corrupt_copy + ")";
  if (!st.ok())
    throw error(ec::internal, "state database " + dir + " is damaged (" + report.corruption +
                                  ") and cannot be repaired: " + st.ToString() + where);
  st = open_db(dir, true, s);
  append(report.repair_notes, s.log->take_notes());
  if (!st.ok())
    throw error(ec::internal, "state database " + dir + " is damaged (" + report.corruption +
                                  ") and does not open after repair: " + st.ToString() + where);
}

bool has_container_keys(leveldb::DB& db) {
  std::unique_ptr<leveldb::Iterator> it(db.NewIterator({}));
  it->Seek(container_key_prefix);
  return it->Valid() && it->key().starts_with(container_key_prefix);
}

void write_version(leveldb::DB& db, int v, const std::string& dir) {
  leveldb::WriteOptions w;
  w.sync = true;
  auto st = db.Put(w, schema_key, std::to_string(v));
  if (!st.ok())
    throw error(ec::internal, "cannot write the schema version of " + dir + ": " + st.ToString());
}

/// Reads the schema version; refuses a newer one; migrates an older one (copy first).
void check_schema(const std::string& dir, open_report& report, state_db& s,
                  const std::vector<migration_step>& steps, int target) {
  std::string text;
  auto gs = s.db->Get({}, schema_key, &text);
  int version = 0;
  if (gs.IsNotFound()) {
    if (!has_container_keys(*s.db)) return write_version(*s.db, target, dir);  // a new database
    // Containers without a version: a repair lost the key. Their keys are schema 1's.
    version = 1;
    report.schema_note = "the schema version was lost; the records have schema 1's keys";
    write_version(*s.db, version, dir);
  } else if (!gs.ok()) {
    throw error(ec::internal, "cannot read state database " + dir + ": " + gs.ToString());
  } else {
    version = parse_schema_version(text, dir);
  }
  if (version > target)
    throw error(ec::internal, "state database " + dir + " has schema version " +
                                  std::to_string(version) + ", newer than this ctrd (" +
                                  CTRD_VERSION + ") understands (" + std::to_string(target) +
                                  "): upgrade ctrd (the state was written by a newer one)");
  if (version == target) return;
  // Migrating: keep a copy of the database as it was (closed, so that no compaction
  // changes files under the copy).
  s.db.reset();
  auto copy = sibling_path(dir, ".pre-v" + std::to_string(version));
  std::error_code ec;
  stdfs::remove_all(copy, ec);
  if (auto why = copy_dir(dir, copy); !why.empty())
    throw error(ec::internal, "state database " + dir + " has schema version " +
                                  std::to_string(version) +
                                  " and needs a migration, but no copy of it can be kept: " + why);
  report.migrated_from = version;
  report.migration_copy = copy;
  auto st = open_db(dir, true, s);
  if (!st.ok())
    throw error(ec::internal, "cannot open state database " + dir + ": " + st.ToString());
  try {
    migrate_schema(*s.db, version, target, steps,
                   [&](const std::string& line) { report.migration_steps.push_back(line); });
  } catch (const error& e) {
    throw error(ec::internal, std::string(e.what()) + "; the state as it was before is in " + copy);
  }
}

}  // namespace

loss_logger::~loss_logger() {
  delete file_;
}

void loss_logger::Logv(const char* format, std::va_list ap) {
  std::va_list copy;
  va_copy(copy, ap);
  char buf[512];
  std::vsnprintf(buf, sizeof buf, format, copy);
  va_end(copy);
  if (file_ != nullptr) file_->Logv(format, ap);
  std::string line(buf);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  // LevelDB's words when it loses something: "dropping N bytes" (a torn or corrupt record
  // and the rest of its block), "ignoring <file or record>" (unreadable). A repair also
  // moves every log and the old MANIFEST to lost/ after reading them ("Archiving"), which
  // loses nothing.
  if (line.find("dropping") == std::string::npos && line.find("ignoring") == std::string::npos)
    return;
  std::lock_guard<std::mutex> lock(mu_);
  if (notes_.size() < 50) notes_.push_back(std::move(line));
}

std::vector<std::string> loss_logger::take_notes() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(notes_, {});
}

std::string sibling_path(const std::string& dir, const std::string& suffix) {
  auto p = stdfs::path(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.string() + suffix;
}

state_db open_state_db(const std::string& dir, open_report& report,
                       const std::vector<migration_step>& steps, int target, leveldb::Env* env) {
  std::error_code ec;
  stdfs::create_directories(dir, ec);
  if (ec) throw error(ec::internal, "cannot create " + dir + ": " + ec.message());
  state_db s;
  if (env) s.env = env;
  leveldb::Status st;
  bool headless = has_files_without_current(dir);
  if (!headless) st = open_db(dir, true, s);
  if (headless || st.IsCorruption()) {
    report.corruption = headless ? "Corruption: the CURRENT file is missing" : st.ToString();
    repair(dir, report, s);
  } else if (!st.ok()) {
    throw error(ec::internal, "cannot open state database " + dir + ": " + st.ToString());
  } else {
    append(report.repair_notes, s.log->take_notes());
  }
  check_schema(dir, report, s, steps, target);
  return s;
}

leveldb::Status reopen_state_db(const std::string& dir, state_db& s) {
  auto st = open_db(dir, false, s);
  if (!st.ok()) s.db.reset();
  return st;
}

}  // namespace ctrd
