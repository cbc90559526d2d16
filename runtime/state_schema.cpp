#include "runtime/state_schema.hpp"

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include "messages/error.hpp"

namespace ctrd {

const std::vector<migration_step>& schema_migrations() {
  // Append a step {N, "what", fn} here when current_schema becomes N + 1, with a test of
  // it in tests/unit/state_schema_test.cpp and a fixture tests/data/state-v<N+1>.
  static const std::vector<migration_step> steps;
  return steps;
}

int parse_schema_version(const std::string& text, const std::string& dir) {
  bool digits = !text.empty() && text.size() <= 6 &&
                text.find_first_not_of("0123456789") == std::string::npos;
  int v = digits ? std::stoi(text) : 0;
  if (v <= 0)
    throw error(ec::internal,
                "state database " + dir + " has an unreadable schema version \"" + text + "\"");
  return v;
}

void migrate_schema(leveldb::DB& db, int from, int to, const std::vector<migration_step>& steps,
                    const std::function<void(const std::string&)>& log) {
  for (int v = from; v < to; ++v) {
    const migration_step* step = nullptr;
    for (const auto& s : steps)
      if (s.from == v) step = &s;
    std::string name =
        "state schema migration " + std::to_string(v) + " -> " + std::to_string(v + 1);
    if (step == nullptr || !step->apply)
      throw error(ec::internal, name + ": this ctrd has no such step");
    leveldb::WriteBatch batch;
    try {
      step->apply(db, batch);
    } catch (const std::exception& e) {
      throw error(ec::internal, name + " (" + step->what + ") failed: " + e.what());
    }
    batch.Put(schema_key, std::to_string(v + 1));
    leveldb::WriteOptions w;
    w.sync = true;
    auto st = db.Write(w, &batch);
    if (!st.ok())
      throw error(ec::internal, name + " (" + step->what + ") cannot be written: " + st.ToString());
    log(name + ": " + step->what);
  }
}

}  // namespace ctrd
