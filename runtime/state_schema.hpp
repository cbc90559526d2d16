// The state schema's version and its forward migrations (CAF-free). The version lives in
// `v1/meta/schema` (a decimal string) for every version, so that any ctrd can read it.
// A database older than current_schema is migrated at start by a table of steps N -> N+1,
// applied in order; each step is one synced WriteBatch that also records its new version,
// so an interrupted migration resumes from the last completed step. docs/state_format.md.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace leveldb {
class DB;
class WriteBatch;
}  // namespace leveldb

namespace ctrd {

/// The key holding the schema version (the same in every version).
inline constexpr const char* schema_key = "v1/meta/schema";
/// The prefix of every container record: v1/ctr/<id>/config and v1/ctr/<id>/state.
inline constexpr const char* container_key_prefix = "v1/ctr/";

/// The schema this ctrd writes and reads.
inline constexpr int current_schema = 1;

/// One migration: turns a database of schema `from` into schema `from + 1`.
struct migration_step {
  int from = 0;
  std::string what;  ///< one line for the log ("rename ...")
  /// Adds the changes to `batch`, reading the database as it is before the step. Throws
  /// (anything) to abort the migration; the database then keeps version `from`.
  std::function<void(leveldb::DB& db, leveldb::WriteBatch& batch)> apply;
};

/// The real table: empty while schema 1 is the only one.
const std::vector<migration_step>& schema_migrations();

/// Parses a stored version ("1"); throws ctrd::error{ec::internal} naming `dir` when it is
/// not a positive decimal number.
int parse_schema_version(const std::string& text, const std::string& dir);

/// Applies the steps of `steps` from version `from` up to `to`, in order, each as one synced
/// batch that also writes the new version. `log` gets one line per step. Throws
/// ctrd::error{ec::internal} naming the failed step (or a missing one); the database then
/// holds the version of the last completed step.
void migrate_schema(leveldb::DB& db, int from, int to, const std::vector<migration_step>& steps,
                    const std::function<void(const std::string&)>& log);

}  // namespace ctrd
