#include "actors/state_store.hpp"

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include "messages/error.hpp"

namespace ctrd {
namespace {

constexpr const char* schema_key = "v1/meta/schema";
constexpr const char* ctr_prefix = "v1/ctr/";

std::string config_key(const std::string& id) {
  return ctr_prefix + id + "/config";
}
std::string state_key(const std::string& id) {
  return ctr_prefix + id + "/state";
}

}  // namespace

state_store::state_store(const std::string& dir)
    : staged_(std::make_unique<leveldb::WriteBatch>()) {
  leveldb::Options o;
  o.create_if_missing = true;
  o.paranoid_checks = true;
  leveldb::DB* raw = nullptr;
  auto st = leveldb::DB::Open(o, dir, &raw);
  if (!st.ok())
    throw error(ec::internal, "cannot open state database " + dir + ": " + st.ToString());
  db_.reset(raw);
  std::string v;
  auto gs = db_->Get({}, schema_key, &v);
  if (gs.IsNotFound()) {
    leveldb::WriteOptions w;
    w.sync = true;
    db_->Put(w, schema_key, "1");
  } else if (!gs.ok()) {
    throw error(ec::internal, "cannot read state database " + dir + ": " + gs.ToString());
  } else if (v != "1") {
    throw error(ec::internal, "state database " + dir + " has schema version " + v +
                                  ", this ctrd understands version 1");
  }
}

state_store::~state_store() {
  try {
    commit();  // what the store actor staged but did not get to commit
  } catch (const error&) {
  }
}

void state_store::stage_container(const container_config& c, const container_status& s) {
  staged_->Put(config_key(c.id), encode_msgpack(to_json(c)));
  staged_->Put(state_key(c.id), encode_msgpack(to_json(s)));
  staged_durable_ = staged_durable_ || !c.auto_remove;
  ++staged_count_;
}

void state_store::stage_status(const std::string& id, const container_status& s) {
  // Not fsync'ed by itself: a state update is in the OS page cache once written, so a
  // crash of ctrd (kill -9) cannot lose it, and recovery re-derives the state from the
  // processes anyway. Only power loss can lose the latest updates.
  staged_->Put(state_key(id), encode_msgpack(to_json(s)));
  ++staged_count_;
}

void state_store::stage_erase(const std::string& id, bool durable) {
  staged_->Delete(config_key(id));
  staged_->Delete(state_key(id));
  staged_durable_ = staged_durable_ || durable;
  ++staged_count_;
}

void state_store::commit() {
  if (staged_count_ == 0) return;
  leveldb::WriteOptions w;
  w.sync = staged_durable_;
  auto n = staged_count_;
  auto st = db_->Write(w, staged_.get());
  staged_->Clear();
  staged_count_ = 0;
  staged_durable_ = false;
  if (!st.ok())
    throw error(ec::internal,
                "cannot write " + std::to_string(n) + " state change(s): " + st.ToString());
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

load_result state_store::load_all() const {
  load_result out;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator({}));
  const std::string prefix = ctr_prefix;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string key = it->key().ToString();
    auto slash = key.find('/', prefix.size());
    if (slash == std::string::npos || key.compare(slash, std::string::npos, "/config") != 0)
      continue;
    std::string id = key.substr(prefix.size(), slash - prefix.size());
    try {
      stored_container sc;
      auto v = it->value();
      sc.config = config_from_json(decode_msgpack(v.data(), v.size()));
      sc.config.id = id;
      std::string sv;
      auto st = db_->Get({}, state_key(id), &sv);
      if (st.ok())
        sc.status = status_from_json(decode_msgpack(sv.data(), sv.size()));
      else
        sc.status.error = "state record missing: " + st.ToString();
      out.containers.push_back(std::move(sc));
    } catch (const std::exception& e) {
      out.problems.push_back("container " + id + ": " + e.what());
    }
  }
  if (!it->status().ok()) out.problems.push_back("iteration failed: " + it->status().ToString());
  return out;
}

}  // namespace ctrd
