// The lifecycle table as data (core/lifecycle.cpp) against itself and against
// docs/lifecycle.md: every (state, event) pair is in exactly one row, the doc's grid names
// the outcome of every cell, and the doc's "Rows" table is the code's table, row by row
// (effects, conditions, events and error texts included).
//
// To regenerate the doc's rows after changing the table:
//   CTRD_LIFECYCLE_ROWS_OUT=/tmp/rows.md build-test/tests/ctrd_unit_tests "[lifecycle-doc]"
// writes the rows as the doc must show them.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/lifecycle.hpp"

namespace lifecycle_table_test {

using namespace ctrd;
using lifecycle::event;
using S = container_state;

namespace {

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ", ") + x;
  return out;
}

/// The cells of one markdown table line ("| a | b |" -> {"a", "b"}), trimmed.
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::size_t i = line.find('|');
  while (i != std::string::npos) {
    auto j = line.find('|', i + 1);
    if (j == std::string::npos) break;
    auto c = line.substr(i + 1, j - i - 1);
    auto b = c.find_first_not_of(' ');
    auto e = c.find_last_not_of(' ');
    out.push_back(b == std::string::npos ? "" : c.substr(b, e - b + 1));
    i = j;
  }
  return out;
}

/// The lines of the markdown table whose header line starts with `header`, without the
/// header and the separator line.
std::vector<std::string> doc_table(const std::string& header) {
  std::ifstream in(std::string(CTRD_SOURCE_DIR) + "/docs/lifecycle.md");
  REQUIRE(in.good());
  std::vector<std::string> out;
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside) {
      inside = line.rfind(header, 0) == 0;
      if (inside) std::getline(in, line);  // the |---| line
      continue;
    }
    if (line.empty() || line[0] != '|') break;
    out.push_back(line);
  }
  return out;
}

/// One row of the code's table as the doc shows it.
std::string render(const lifecycle::row& r) {
  std::vector<std::string> from, fx, ev;
  for (S s : r.from) from.emplace_back(to_string(s));
  for (const auto& st : r.effects) {
    std::string t = lifecycle::to_string(st.fx);
    if (st.cond != lifecycle::only_if::always) t += std::string(" (") + to_string(st.cond) + ")";
    fx.push_back(t);
  }
  for (const char* e : r.events) ev.emplace_back(e);
  std::string next;
  if (r.kind == lifecycle::verdict::refuse)
    next = "E";
  else if (r.kind == lifecycle::verdict::noop)
    next = "=";
  else
    next = r.same ? "(same)" : to_string(r.to);
  std::string err = r.error_text ? std::string("`") + r.error_text + "`" : "";
  return "| " + std::string(lifecycle::to_string(r.on)) + " | " + join(from) + " | " + next +
         " | " + join(fx) + " | " + join(ev) + " | " + err + " |";
}

}  // namespace

TEST_CASE("every state x event pair is in exactly one row of the lifecycle table",
          "[lifecycle][lifecycle-doc]") {
  std::map<std::pair<int, int>, int> seen;
  for (const auto& r : lifecycle::table()) {
    INFO(render(r));
    CHECK_FALSE(r.from.empty());
    CHECK((r.kind == lifecycle::verdict::refuse) == (r.error_text != nullptr));
    if (r.kind != lifecycle::verdict::move) {
      CHECK(r.same);
      CHECK(r.events.empty());
    }
    if (r.kind == lifecycle::verdict::refuse) CHECK(r.effects.empty());
    for (S s : r.from) ++seen[{static_cast<int>(r.on), static_cast<int>(s)}];
  }
  for (int e = 0; e < lifecycle::event_count; ++e)
    for (int s = 0; s < container_state_count; ++s) {
      INFO("event " << lifecycle::to_string(static_cast<event>(e)) << ", state "
                    << to_string(static_cast<S>(s)));
      CHECK(seen[{e, s}] == 1);
      CHECK(lifecycle::find(static_cast<S>(s), static_cast<event>(e)) != nullptr);
    }
}

TEST_CASE("every effect of every cell follows its condition", "[lifecycle]") {
  for (int e = 0; e < lifecycle::event_count; ++e)
    for (int s = 0; s < container_state_count; ++s)
      for (bool user : {false, true})
        for (bool zero : {false, true}) {
          auto st = static_cast<S>(s);
          auto ev = static_cast<event>(e);
          lifecycle::context c;
          c.by_user = user;
          c.stop_timeout_zero = zero;
          auto o = lifecycle::apply(st, ev, c);
          const auto* r = lifecycle::find(st, ev);
          REQUIRE(r != nullptr);
          INFO(render(*r) << " by_user=" << user << " timeout_zero=" << zero);
          std::vector<lifecycle::effect> want;
          for (const auto& x : r->effects)
            if (x.cond == lifecycle::only_if::always ||
                (x.cond == lifecycle::only_if::by_user && user) ||
                (x.cond == lifecycle::only_if::timed && !zero))
              want.push_back(x.fx);
          CHECK(o.effects == want);
          CHECK(o.ok == (r->kind != lifecycle::verdict::refuse));
          CHECK(o.noop == (r->kind == lifecycle::verdict::noop));
          CHECK(o.next == (r->same ? st : r->to));
        }
}

TEST_CASE("docs/lifecycle.md shows the code's lifecycle rows", "[lifecycle][lifecycle-doc]") {
  std::vector<std::string> code;
  for (const auto& r : lifecycle::table()) code.push_back(render(r));
  if (const char* out = std::getenv("CTRD_LIFECYCLE_ROWS_OUT")) {
    std::ofstream f(out);
    f << "| event | in state | next | effects | events | error |\n|---|---|---|---|---|---|\n";
    for (const auto& l : code) f << l << "\n";
  }
  auto doc = doc_table("| event | in state |");
  REQUIRE(doc.size() == code.size());
  for (std::size_t i = 0; i < code.size(); ++i) {
    INFO("row " << i + 1 << " of the doc's rows table");
    CHECK(cells(doc[i]) == cells(code[i]));
  }
}

TEST_CASE("docs/lifecycle.md's grid names every cell's outcome", "[lifecycle][lifecycle-doc]") {
  auto grid = doc_table("| event \\ state |");
  REQUIRE(grid.size() == static_cast<std::size_t>(lifecycle::event_count));
  for (int e = 0; e < lifecycle::event_count; ++e) {
    auto ev = static_cast<event>(e);
    auto row = cells(grid[e]);
    REQUIRE(row.size() == static_cast<std::size_t>(container_state_count) + 1);
    // The first word names the event; what follows in parentheses is a note.
    CHECK(row[0].substr(0, row[0].find(' ')) == lifecycle::to_string(ev));
    for (int s = 0; s < container_state_count; ++s) {
      auto st = static_cast<S>(s);
      auto o = lifecycle::apply(st, ev);
      std::string want = !o.ok ? "E" : o.noop ? "=" : to_string(o.next);
      const auto& cell = row[s + 1];
      INFO("event " << lifecycle::to_string(ev) << ", state " << to_string(st) << ": " << cell);
      CHECK(cell.substr(0, cell.find(' ')) == want);
    }
  }
}

}  // namespace lifecycle_table_test
