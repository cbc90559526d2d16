// A LevelDB Env for fault-injection tests of the state store, in the spirit of LevelDB's
// db/fault_injection_test.cc: it wraps Env::Default() and can
//  * fail writes (Append, Flush, Sync, creating files) or only syncs with an IO error, as a
//    failing disk would, until the fault is cleared;
//  * remember how much of every file it wrote was synced, and on power_cut() (with the
//    database closed) truncate each file to its last sync: what a power loss leaves.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <leveldb/env.h>

namespace ctrd::test {

class fault_env : public leveldb::EnvWrapper {
 public:
  enum class fault { none, writes, syncs };

  fault_env() : leveldb::EnvWrapper(leveldb::Env::Default()) {}

  /// From now on, the kind of operation that fails (fault::none: none).
  void set_fault(fault f);
  /// Operations failed so far.
  uint64_t injected() const;

  /// Drops every byte not synced: truncates each file written through this Env to its
  /// size at its last successful Sync (0 if never synced). Call with the database closed.
  /// Returns the number of bytes dropped.
  uint64_t power_cut();

  leveldb::Status NewWritableFile(const std::string& fname,
                                  leveldb::WritableFile** result) override;
  leveldb::Status NewAppendableFile(const std::string& fname,
                                    leveldb::WritableFile** result) override;
  leveldb::Status RemoveFile(const std::string& fname) override;
  leveldb::Status RenameFile(const std::string& src, const std::string& target) override;

  // The files' bookkeeping (used by the file wrapper).
  bool fails(fault f);
  void appended(const std::string& fname, uint64_t n);
  void synced(const std::string& fname);

 private:
  struct file_state {
    uint64_t size = 0;    ///< bytes written through this Env
    uint64_t synced = 0;  ///< of which synced
  };
  mutable std::mutex mu_;
  fault fault_ = fault::none;
  uint64_t injected_ = 0;
  std::map<std::string, file_state> files_;
};

}  // namespace ctrd::test
