// Opening the state database (CAF-free): what ctrd does at start before anything reads it,
// and the reopen after a failed write. docs/state_format.md, "Damage and upgrades".
//
// At start: a damaged database (LevelDB reports corruption, e.g. a record torn by a full
// disk or a crash) is copied aside to `<dir>.corrupt-<UTC time>`, repaired with
// leveldb::RepairDB and opened; what LevelDB dropped is reported. An older schema is copied
// to `<dir>.pre-v<N>` and migrated forward (state_schema.hpp); a newer one is refused.
// Anything else that keeps the database from opening (another ctrd holds its lock, a
// permission problem) is thrown as ctrd::error{ec::internal}.
#pragma once

#include <cstdarg>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <leveldb/db.h>
#include <leveldb/env.h>

#include "runtime/state_schema.hpp"

namespace ctrd {

/// What happened while opening at start (all empty/zero for a healthy, current database).
struct open_report {
  std::string corruption;                    ///< LevelDB's error that made ctrd repair ("" = none)
  std::string corrupt_copy;                  ///< the damaged directory's copy ("" if none was made)
  std::string copy_error;                    ///< why the copy could not be made
  std::vector<std::string> repair_notes;     ///< what LevelDB reported dropping
  int migrated_from = 0;                     ///< schema version before migrating (0: not migrated)
  std::string migration_copy;                ///< the copy made before migrating
  std::vector<std::string> migration_steps;  ///< one line per applied step
  std::string schema_note;                   ///< a version assumed because its key was lost
  bool repaired() const { return !corruption.empty(); }
};

/// LevelDB's info log: written to `<dir>/LOG` as LevelDB does, and the lines saying that
/// data was dropped (torn or corrupt records, unreadable files) are kept for ctrd's log.
class loss_logger : public leveldb::Logger {
 public:
  /// `file` (owned, may be null) gets every line.
  explicit loss_logger(leveldb::Logger* file) : file_(file) {}
  ~loss_logger() override;
  void Logv(const char* format, std::va_list ap) override;
  /// The loss lines noted since the last call (at most 50 are kept).
  std::vector<std::string> take_notes();

 private:
  leveldb::Logger* file_;
  std::mutex mu_;
  std::vector<std::string> notes_;
};

/// An open database and the logger it writes to (declared first: it outlives the database).
struct state_db {
  std::unique_ptr<loss_logger> log;
  std::unique_ptr<leveldb::DB> db;
  /// The file system seam every open, repair and reopen goes through: LevelDB's
  /// Env::Default() in ctrd; a test passes its own (e.g. one that injects faults).
  leveldb::Env* env = leveldb::Env::Default();
};

/// Opens the state database in `dir` at start (creating it if missing), repairing and
/// migrating as described above, up to schema `target` with `steps`, through `env`
/// (nullptr: Env::Default(); it must outlive the database). Throws ctrd::error.
state_db open_state_db(const std::string& dir, open_report& report,
                       const std::vector<migration_step>& steps = schema_migrations(),
                       int target = current_schema, leveldb::Env* env = nullptr);

/// Closes `s` and opens `dir` again (through s.env) without paranoid checks, so that a log
/// whose tail a failed write may have torn is replayed up to the tear and retired: the next
/// write lands in a fresh log. What LevelDB dropped can be read with s.log->take_notes().
leveldb::Status reopen_state_db(const std::string& dir, state_db& s);

/// `<dir><suffix>` beside `dir` (e.g. /var/lib/ctrd/state.pre-v1).
std::string sibling_path(const std::string& dir, const std::string& suffix);

}  // namespace ctrd
