// The LevelDB schema and access layer (plain class, no CAF). Only the store actor uses it
// at run time; tests use it directly. Schema (docs/state_format.md):
//
//   v1/meta/schema          "1"
//   v1/ctr/<id>/config      msgpack map: container_config (to_json form)
//   v1/ctr/<id>/state       msgpack map: container_status (to_json form)
//   v1/net/<name>           msgpack map: a network (messages/network.hpp, docs/network.md)
//   v1/natt/<id>            msgpack map: a container's network attachment (its addresses)
//
// Creates and removals are synchronous WriteBatches: once the call returns, not even power
// loss can undo them. State updates are written without fsync: a crash of ctrd cannot lose
// them (they are in the page cache), and recovery re-derives state from the processes.
// Changes can also be staged and committed together (group commit): one write, and one
// fsync if any of them needs it, for everything the store actor received meanwhile.
//
// Opening repairs a damaged database and migrates an older schema (state_open.hpp). A write
// that fails (a full disk) may leave a torn record at the end of LevelDB's log, and
// LevelDB would append the next records after it, where a later recovery drops them: the
// store closes the database after any failed write and reopens it before the next one, so
// every acknowledged write lands in a fresh log and survives later failures.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "messages/container_config.hpp"
#include "messages/container_status.hpp"

#include "runtime/state_open.hpp"

namespace leveldb {
class Env;
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
  /// Opens (creating if missing, repairing, migrating: open_state_db) the database in `dir`.
  /// Throws ctrd::error{ec::internal} naming the directory and LevelDB's reason, e.g. when
  /// another ctrd holds the lock or the schema is newer than this ctrd's.
  /// `env`: LevelDB's file system seam (nullptr: Env::Default(); a test passes one that
  /// injects faults); it must outlive the store.
  explicit state_store(const std::string& dir, leveldb::Env* env = nullptr);
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
  /// Throws ctrd::error (the staged changes are dropped): ec::no_space naming the directory
  /// when the disk is full, ec::internal otherwise. After a failure the database is
  /// reopened (now, or before the next write if it cannot be yet).
  void commit();

  /// Stages a record of another kind than a container (networks, network attachments:
  /// docs/network.md) under `key` (below "v1/", e.g. "net/NAME"); its value is `value` as
  /// msgpack. Fsync'ed at the commit when `durable`.
  void stage_record(const std::string& key, const json& value, bool durable);
  /// Stages the removal of record `key` (fsync'ed).
  void stage_erase_record(const std::string& key);
  /// Reads every record whose key starts with `prefix` (e.g. "net/"): key (without "v1/")
  /// -> value. Undecodable records are skipped and named in `problems`.
  json load_records(const std::string& prefix, std::vector<std::string>& problems);

  /// Reads every container.
  load_result load_all();

  /// Reads container `id` only (two LevelDB Gets, no scan): `containers` holds its record,
  /// or nothing when it has none; a record that cannot be decoded (or a database that
  /// cannot be reopened) is a problem, as in load_all().
  load_result load(const std::string& id);

  /// What opening found and did (repair, migration).
  const open_report& report() const { return report_; }
  /// The directory of the database.
  const std::string& dir() const { return dir_; }
  /// Times the database was reopened after a failed write.
  uint64_t reopens() const { return reopens_; }

 private:
  /// Reopens the database if a failure closed it; throws when it still cannot be opened.
  void ensure_open();
  /// ensure_open() for a load: false (the reason added to out.problems) if it fails.
  bool open_for_load(load_result& out);
  /// After a failed write: closes the database and tries to reopen it at once.
  void recover_from(const std::string& failure);
  /// Decodes the config record `config` of `id` and reads its state record into `out`
  /// (a problem when it cannot be decoded).
  void decode_into(const std::string& id, const std::string& config, load_result& out);

  std::string dir_;
  open_report report_;
  state_db db_;
  std::string closed_because_;  ///< why db_ is closed ("" while open)
  uint64_t reopens_ = 0;
  std::unique_ptr<leveldb::WriteBatch> staged_;
  /// Status records staged since the last commit, the latest per key: a restart's several
  /// transitions that reach one group commit cost one record, not one each (flash wear).
  std::map<std::string, std::string> staged_status_;
  std::size_t staged_count_ = 0;
  bool staged_durable_ = false;
};

}  // namespace ctrd
