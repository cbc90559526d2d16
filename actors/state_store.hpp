// The LevelDB schema and access layer (plain class, no CAF). Only the store actor uses it
// at run time; tests use it directly. Schema (docs/state_format.md):
//
//   v1/meta/schema          "1"
//   v1/ctr/<id>/config      msgpack map: container_config (to_json form)
//   v1/ctr/<id>/state       msgpack map: container_status (to_json form)
//
// Creates and removals are synchronous WriteBatches: once the call returns, not even power
// loss can undo them. State updates are written without fsync: a crash of ctrd cannot lose
// them (they are in the page cache), and recovery re-derives state from the processes.
// Changes can also be staged and committed together (group commit): one write, and one
// fsync if any of them needs it, for everything the store actor received meanwhile.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "messages/container_config.hpp"
#include "messages/container_status.hpp"

namespace leveldb {
class DB;
class WriteBatch;
}  // namespace leveldb

namespace ctrd {

/// One container as loaded from disk.
struct stored_container {
  container_config config;
  container_status status;
};

/// The result of load_all(): good records plus a description of each record that could
/// not be decoded (reported, never fatal).
struct load_result {
  std::vector<stored_container> containers;
  std::vector<std::string> problems;
};

class state_store {
 public:
  /// Opens (creating if missing) the database in `dir`. Throws ctrd::error{ec::internal}
  /// naming the directory and LevelDB's reason, e.g. when another ctrd holds the lock.
  explicit state_store(const std::string& dir);
  /// Commits what is still staged.
  ~state_store();

  /// Writes config and state of a new container atomically; fsync'ed unless the container
  /// is removed when it exits (--rm): power loss ends its process too, and recovery removes
  /// an exited --rm container whose removal was lost.
  void put_container(const container_config& c, const container_status& s);

  /// Replaces the state record of container `id` (not fsync'ed, see above).
  void put_status(const std::string& id, const container_status& s);

  /// Deletes every key of container `id`; fsync'ed when `durable` (not for --rm ones).
  void erase(const std::string& id, bool durable = true);

  /// Stage a change for the next commit() (same meaning as the calls above).
  void stage_container(const container_config& c, const container_status& s);
  void stage_status(const std::string& id, const container_status& s);
  void stage_erase(const std::string& id, bool durable);
  /// Writes every staged change in one atomic batch, fsync'ed if any of them is durable.
  /// Throws ctrd::error{ec::internal} (the staged changes are dropped).
  void commit();

  /// Reads every container.
  load_result load_all() const;

 private:
  std::unique_ptr<leveldb::DB> db_;
  std::unique_ptr<leveldb::WriteBatch> staged_;
  std::size_t staged_count_ = 0;
  bool staged_durable_ = false;
};

}  // namespace ctrd
