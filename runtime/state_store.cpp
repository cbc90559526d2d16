#include "runtime/state_store.hpp"

#include <leveldb/db.h>
#include <leveldb/write_batch.h>
#include <spdlog/spdlog.h>

#include "messages/error.hpp"
#include "runtime/state_schema.hpp"

namespace ctrd {
namespace {

/// Records of other kinds (networks, attachments) live beside the containers' keys.
constexpr const char* record_prefix = "v1/";

std::string config_key(const std::string& id) {
  return container_key_prefix + id + "/config";
}
std::string state_key(const std::string& id) {
  return container_key_prefix + id + "/state";
}

}  // namespace

state_store::state_store(const std::string& dir, leveldb::Env* env)
    : dir_(dir),
      db_(open_state_db(dir, report_, schema_migrations(), current_schema, env)),
      staged_(std::make_unique<leveldb::WriteBatch>()) {}

void state_store::ensure_open() {
  if (db_.db) return;
  auto st = reopen_state_db(dir_, db_);
  if (st.IsCorruption()) {
    // Damage that even the lenient reopen refuses: repaired as at start (copy kept).
    spdlog::warn("STATE REPAIRED: the state database {} cannot be reopened ({}): repairing it",
                 dir_, st.ToString());
    open_report r;
    // Throws ec::internal when it cannot be repaired.
    db_ = open_state_db(dir_, r, schema_migrations(), current_schema, db_.env);
    spdlog::warn("STATE REPAIRED: the damaged database as found is kept in {}",
                 r.corrupt_copy.empty() ? "(no copy: " + r.copy_error + ")" : r.corrupt_copy);
    for (const auto& n : r.repair_notes) spdlog::warn("STATE REPAIRED: lost: {}", n);
    st = leveldb::Status::OK();
  }
  if (!st.ok()) {
    auto why = st.ToString();
    if (why.find("No space left") != std::string::npos)
      throw error(ec::no_space,
                  "no space left on " + dir_ + ": the state database cannot be reopened: " + why);
    throw error(ec::internal, "the state database " + dir_ + " cannot be reopened: " + why);
  }
  ++reopens_;
  for (const auto& n : db_.log->take_notes()) spdlog::warn("state database reopened: {}", n);
  spdlog::info("state database {} reopened after: {}", dir_, closed_because_);
  closed_because_.clear();
}

void state_store::recover_from(const std::string& failure) {
  // The log's tail may now be torn: never append to it again.
  db_.db.reset();
  closed_because_ = failure;
  try {
    ensure_open();
  } catch (const error& e) {
    spdlog::warn("{} (retried before the next write)", e.what());
  }
}

state_store::~state_store() {
  try {
    commit();  // what the store actor staged but did not get to commit
  } catch (const error&) {
  }
}

void state_store::stage_container(const container_config& c, const container_status& s) {
  staged_status_.erase(state_key(c.id));  // this status is newer than any staged one
  staged_->Put(config_key(c.id), encode_msgpack(to_json(c)));
  staged_->Put(state_key(c.id), encode_msgpack(to_json(s)));
  staged_durable_ = staged_durable_ || !c.auto_remove;
  ++staged_count_;
}

void state_store::stage_status(const std::string& id, const container_status& s) {
  // Not fsync'ed by itself: a state update is in the OS page cache once written, so a
  // crash of ctrd (kill -9) cannot lose it, and recovery re-derives the state from the
  // processes anyway. Only power loss can lose the latest updates.
  staged_status_[state_key(id)] = encode_msgpack(to_json(s));
  ++staged_count_;
}

void state_store::stage_erase(const std::string& id, bool durable) {
  staged_status_.erase(state_key(id));  // never written after its deletion
  staged_->Delete(config_key(id));
  staged_->Delete(state_key(id));
  staged_durable_ = staged_durable_ || durable;
  ++staged_count_;
}

void state_store::stage_record(const std::string& key, const json& value, bool durable) {
  staged_->Put(std::string(record_prefix) + key, encode_msgpack(value));
  staged_durable_ = staged_durable_ || durable;
  ++staged_count_;
}

void state_store::stage_erase_record(const std::string& key) {
  staged_->Delete(std::string(record_prefix) + key);
  staged_durable_ = true;
  ++staged_count_;
}

json state_store::load_records(const std::string& prefix, std::vector<std::string>& problems) {
  json out = json::object();
  load_result ignored;
  if (!open_for_load(ignored)) {
    problems = ignored.problems;
    return out;
  }
  std::unique_ptr<leveldb::Iterator> it(db_.db->NewIterator({}));
  const std::string full = std::string(record_prefix) + prefix;
  for (it->Seek(full); it->Valid() && it->key().starts_with(full); it->Next()) {
    auto key = it->key().ToString().substr(std::string(record_prefix).size());
    try {
      out[key] = decode_msgpack(it->value().data(), it->value().size());
    } catch (const std::exception& e) {
      problems.push_back("record " + key + ": " + e.what());
    }
  }
  if (!it->status().ok()) problems.push_back("iteration failed: " + it->status().ToString());
  return out;
}

void state_store::commit() {
  if (staged_count_ == 0) return;
  leveldb::WriteOptions w;
  w.sync = staged_durable_;
  auto n = staged_count_;
  // The latest staged status of each container goes last: every other change to the same
  // container in this batch (its creation, its removal) already dropped older ones.
  for (const auto& [key, value] : staged_status_) staged_->Put(key, value);
  staged_status_.clear();
  auto clear = [&] {
    staged_->Clear();
    staged_count_ = 0;
    staged_durable_ = false;
  };
  try {
    ensure_open();
  } catch (const error&) {
    clear();
    throw;
  }
  auto st = db_.db->Write(w, staged_.get());
  clear();
  if (st.ok()) return;
  auto what = st.ToString();
  recover_from(what);
  if (what.find("No space left") != std::string::npos)
    throw error(ec::no_space, "no space left on " + dir_ + ": cannot write " + std::to_string(n) +
                                  " state change(s): " + what);
  throw error(ec::internal, "cannot write " + std::to_string(n) + " state change(s): " + what);
}

void state_store::put_container(const container_config& c, const container_status& s) {
  stage_container(c, s);
  commit();
}

void state_store::put_status(const std::string& id, const container_status& s) {
  stage_status(id, s);
  commit();
}

void state_store::erase(const std::string& id, bool durable) {
  stage_erase(id, durable);
  commit();
}

bool state_store::open_for_load(load_result& out) {
  try {
    ensure_open();
    return true;
  } catch (const error& e) {
    out.problems.push_back(e.what());
    return false;
  }
}

load_result state_store::load_all() {
  load_result out;
  if (!open_for_load(out)) return out;
  auto& db = *db_.db;
  std::unique_ptr<leveldb::Iterator> it(db.NewIterator({}));
  const std::string prefix = container_key_prefix;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string key = it->key().ToString();
    auto slash = key.find('/', prefix.size());
    if (slash == std::string::npos || key.compare(slash, std::string::npos, "/config") != 0)
      continue;
    std::string id = key.substr(prefix.size(), slash - prefix.size());
    decode_into(id, it->value().ToString(), out);
  }
  if (!it->status().ok()) out.problems.push_back("iteration failed: " + it->status().ToString());
  return out;
}

load_result state_store::load(const std::string& id) {
  load_result out;
  if (!open_for_load(out)) return out;
  std::string cv;
  auto st = db_.db->Get({}, config_key(id), &cv);
  if (st.ok())
    decode_into(id, cv, out);
  else if (!st.IsNotFound())
    out.problems.push_back("container " + id + ": " + st.ToString());
  return out;
}

void state_store::decode_into(const std::string& id, const std::string& config, load_result& out) {
  try {
    stored_container sc;
    sc.config = config_from_json(decode_msgpack(config.data(), config.size()));
    sc.config.id = id;
    std::string sv;
    auto st = db_.db->Get({}, state_key(id), &sv);
    if (st.ok())
      sc.status = status_from_json(decode_msgpack(sv.data(), sv.size()));
    else
      sc.status.error = "state record missing: " + st.ToString();
    out.containers.push_back(std::move(sc));
  } catch (const std::exception& e) {
    out.problems.push_back("container " + id + ": " + e.what());
  }
}

}  // namespace ctrd
