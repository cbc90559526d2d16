#include "tests/support/fault_env.hpp"

#include <unistd.h>
#include <memory>

namespace ctrd::test {
namespace {

/// A writable file that reports its writes and syncs to the env, and fails them on demand.
class fault_file : public leveldb::WritableFile {
 public:
  fault_file(fault_env& env, std::string fname, leveldb::WritableFile* base)
      : env_(env), fname_(std::move(fname)), base_(base) {}

  leveldb::Status Append(const leveldb::Slice& data) override {
    if (env_.fails(fault_env::fault::writes)) return injected("append");
    auto st = base_->Append(data);
    if (st.ok()) env_.appended(fname_, data.size());
    return st;
  }
  leveldb::Status Close() override { return base_->Close(); }
  leveldb::Status Flush() override {
    if (env_.fails(fault_env::fault::writes)) return injected("flush");
    return base_->Flush();
  }
  leveldb::Status Sync() override {
    if (env_.fails(fault_env::fault::writes) || env_.fails(fault_env::fault::syncs))
      return injected("sync");
    auto st = base_->Sync();
    if (st.ok()) env_.synced(fname_);
    return st;
  }

 private:
  leveldb::Status injected(const char* what) {
    return leveldb::Status::IOError(fname_, std::string("injected fault (") + what + ")");
  }
  fault_env& env_;
  std::string fname_;
  std::unique_ptr<leveldb::WritableFile> base_;
};

}  // namespace

void fault_env::set_fault(fault f) {
  std::lock_guard<std::mutex> lock(mu_);
  fault_ = f;
}

uint64_t fault_env::injected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return injected_;
}

bool fault_env::fails(fault f) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fault_ != f) return false;
  ++injected_;
  return true;
}

void fault_env::appended(const std::string& fname, uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  files_[fname].size += n;
}

void fault_env::synced(const std::string& fname) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& f = files_[fname];
  f.synced = f.size;
}

uint64_t fault_env::power_cut() {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t dropped = 0;
  for (auto& [name, f] : files_) {
    if (f.size == f.synced) continue;
    if (::truncate(name.c_str(), static_cast<off_t>(f.synced)) == 0) dropped += f.size - f.synced;
    f.size = f.synced;
  }
  return dropped;
}

leveldb::Status fault_env::NewWritableFile(const std::string& fname,
                                           leveldb::WritableFile** result) {
  if (fails(fault::writes)) return leveldb::Status::IOError(fname, "injected fault (create)");
  leveldb::WritableFile* base = nullptr;
  auto st = target()->NewWritableFile(fname, &base);
  if (!st.ok()) return st;
  {
    std::lock_guard<std::mutex> lock(mu_);
    files_[fname] = file_state{};  // a new, empty file: nothing of it is synced yet
  }
  *result = new fault_file(*this, fname, base);
  return st;
}

leveldb::Status fault_env::NewAppendableFile(const std::string& fname,
                                             leveldb::WritableFile** result) {
  if (fails(fault::writes)) return leveldb::Status::IOError(fname, "injected fault (create)");
  leveldb::WritableFile* base = nullptr;
  auto st = target()->NewAppendableFile(fname, &base);
  if (!st.ok()) return st;
  uint64_t size = 0;
  target()->GetFileSize(fname, &size);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& f = files_[fname];
    if (f.size < size) f.size = f.synced = size;  // what was there before counts as synced
  }
  *result = new fault_file(*this, fname, base);
  return st;
}

leveldb::Status fault_env::RemoveFile(const std::string& fname) {
  auto st = target()->RemoveFile(fname);
  if (st.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    files_.erase(fname);
  }
  return st;
}

leveldb::Status fault_env::RenameFile(const std::string& src, const std::string& target_name) {
  auto st = target()->RenameFile(src, target_name);
  if (st.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(src);
    if (it != files_.end()) {
      files_[target_name] = it->second;
      files_.erase(src);
    } else {
      files_.erase(target_name);
    }
  }
  return st;
}

}  // namespace ctrd::test
