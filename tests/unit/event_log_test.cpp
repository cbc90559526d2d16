// The events history: round trip, rotation bound, time range, filters, torn lines.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "messages/error.hpp"
#include "runtime/event_log.hpp"
#include "runtime/proc.hpp"
#include "tests/support/temp_dir.hpp"

namespace event_log_test {

using namespace ctrd;
namespace fs = std::filesystem;

namespace {

constexpr int64_t sec = 1000000000;

json make_event(const std::string& status, const std::string& name, const std::string& id,
                int64_t t_ns, const std::string& type = "container") {
  return {{"Type", type},
          {"Status", status},
          {"ID", id},
          {"Name", name},
          {"Time", proc::rfc3339(t_ns)},
          {"TimeNano", t_ns},
          {"Attributes", {{"name", name}}}};
}

std::vector<json> read_all(const event_log& log, const event_filter& f = {},
                           const std::string& since = "", const std::string& until = "") {
  std::vector<json> out;
  log.read(f, since, until, [&](const json& e) {
    out.push_back(e);
    return true;
  });
  return out;
}

/// The Status of each event, in order.
std::vector<std::string> statuses(const std::vector<json>& events) {
  std::vector<std::string> out;
  for (auto& e : events) out.push_back(e.at("Status").get<std::string>());
  return out;
}

/// A log holding: web (id aaaa1111) create/start/died, db (id bbbb2222) create/start, and
/// an image event, at seconds 1..6.
void fill(event_log& log) {
  log.append(make_event("create", "web", "aaaa1111", 1 * sec));
  log.append(make_event("start", "web", "aaaa1111", 2 * sec));
  log.append(make_event("create", "db", "bbbb2222", 3 * sec));
  log.append(make_event("start", "db", "bbbb2222", 4 * sec));
  log.append(make_event("died", "web", "aaaa1111", 5 * sec));
  log.append(make_event("pull", "", "cccc3333", 6 * sec, "image"));
}

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("events round trip through the history file", "[event_log]") {
  test::temp_dir dir;
  event_log log(dir.path());
  CHECK(read_all(log).empty());
  auto e1 = make_event("create", "web", "aaaa1111", 1 * sec);
  auto e2 = make_event("start", "web", "aaaa1111", 2 * sec);
  CHECK(log.append(e1) == append_result::ok);
  CHECK(log.append(e2) == append_result::ok);
  CHECK(read_all(log) == std::vector<json>{e1, e2});
  CHECK(log.path() == dir / "events.log");
  event_log reopened(dir.path());  // e.g. after a ctrd restart
  CHECK(read_all(reopened) == std::vector<json>{e1, e2});
}

TEST_CASE("the history stays bounded and keeps the newest events in order", "[event_log]") {
  test::temp_dir dir;
  event_log log(dir.path(), {2000, 2});
  for (int i = 0; i < 500; ++i)
    REQUIRE(log.append(make_event("start", "c" + std::to_string(i), "id", (i + 1) * sec)) ==
            append_result::ok);
  uint64_t total = 0;
  for (auto& entry : fs::directory_iterator(dir.path())) total += entry.file_size();
  CHECK(total <= 3 * 2000);
  CHECK_FALSE(fs::exists(dir / "events.log.3"));
  auto events = read_all(log);
  REQUIRE(events.size() > 10);
  CHECK(events.back().at("Name") == "c499");
  for (std::size_t i = 1; i < events.size(); ++i)
    CHECK(events[i].at("TimeNano").get<int64_t>() ==
          events[i - 1].at("TimeNano").get<int64_t>() + sec);
}

TEST_CASE("since and until bound the events' Time, inclusive", "[event_log]") {
  test::temp_dir dir;
  event_log log(dir.path());
  fill(log);
  CHECK(read_all(log, {}, proc::rfc3339(4 * sec)).size() == 3);
  CHECK(read_all(log, {}, "", proc::rfc3339(2 * sec)).size() == 2);
  CHECK(statuses(read_all(log, {}, proc::rfc3339(2 * sec), proc::rfc3339(3 * sec))) ==
        strings{"start", "create"});
  CHECK(read_all(log, {}, proc::rfc3339(7 * sec)).empty());
}

TEST_CASE("the container filter matches names, full ids and id prefixes", "[event_log]") {
  test::temp_dir dir;
  event_log log(dir.path());
  fill(log);
  auto by = [&](const json& filters) { return read_all(log, parse_event_filter(filters)); };
  CHECK(by({{"container", {"web"}}}).size() == 3);
  CHECK(by({{"container", {"bbbb2222"}}}).size() == 2);
  CHECK(by({{"container", {"bbbb"}}}).size() == 2);
  CHECK(by({{"container", {"we"}}}).empty());  // names match exactly
  CHECK(by({{"container", {"web", "db"}}}).size() == 5);
  CHECK(by({{"container", "db"}}).size() == 2);  // a single string is one value
}

TEST_CASE("event and type filters, different keys AND together", "[event_log]") {
  test::temp_dir dir;
  event_log log(dir.path());
  fill(log);
  auto by = [&](const json& filters) { return read_all(log, parse_event_filter(filters)); };
  CHECK(statuses(by({{"event", {"start"}}})) == strings{"start", "start"});
  CHECK(statuses(by({{"event", {"create", "died"}}})) == strings{"create", "create", "died"});
  CHECK(statuses(by({{"type", {"image"}}})) == strings{"pull"});
  CHECK(by({{"type", {"container"}}}).size() == 5);
  CHECK(statuses(by({{"container", {"web"}}, {"event", {"start", "died"}}})) ==
        strings{"start", "died"});
  CHECK(by({{"container", {"web"}}, {"type", {"image"}}}).empty());
  CHECK(by(json()).size() == 6);
  CHECK(by(json::object()).size() == 6);
  CHECK(by({{"event", json::array()}}).size() == 6);  // an empty list does not constrain
}

TEST_CASE("the event filter accepts die for died", "[event_log]") {
  test::temp_dir dir;
  event_log log(dir.path());
  fill(log);
  CHECK(statuses(read_all(log, parse_event_filter({{"event", {"die"}}}))) == strings{"died"});
  auto f = parse_event_filter({{"event", {"died"}}});
  CHECK(f.matches(make_event("die", "x", "y", sec)));
}

TEST_CASE("bad event filters are refused with invalid_argument", "[event_log]") {
  auto code_of = [](const json& filters) {
    try {
      parse_event_filter(filters);
    } catch (const error& e) {
      return e.code();
    }
    return ec::none;
  };
  CHECK(code_of({{"label", {"a=b"}}}) == ec::invalid_argument);
  CHECK(code_of({{"container", 3}}) == ec::invalid_argument);
  CHECK(code_of({{"event", {"start", 4}}}) == ec::invalid_argument);
  CHECK(code_of({{"type", {{"a", "b"}}}}) == ec::invalid_argument);
  CHECK(code_of(json::array({"container"})) == ec::invalid_argument);
  CHECK_THROWS_WITH(parse_event_filter({{"label", {"a=b"}}}), Catch::Contains("label"));
}

TEST_CASE("a torn last line is skipped and does not spoil later events", "[event_log]") {
  test::temp_dir dir;
  {
    event_log log(dir.path());
    log.append(make_event("create", "web", "aaaa1111", 1 * sec));
    log.append(make_event("start", "web", "aaaa1111", 2 * sec));
  }
  {
    std::ofstream out(dir / "events.log", std::ios::app);
    out << R"({"Type":"container","Status":"di)";  // crash mid-write
  }
  event_log log(dir.path());
  CHECK(statuses(read_all(log)) == strings{"create", "start"});
  log.append(make_event("died", "web", "aaaa1111", 3 * sec));
  CHECK(statuses(read_all(log)) == strings{"create", "start", "died"});
  {
    std::ofstream out(dir / "events.log", std::ios::app);
    out << "not json\n[1,2]\n";
  }
  CHECK(statuses(read_all(log)) == strings{"create", "start", "died"});
}

TEST_CASE("event log write errors are counted, not thrown", "[event_log]") {
  test::temp_dir dir;
  event_log log(dir / "missing");
  CHECK(log.append(make_event("create", "web", "a", sec)) == append_result::failed_first);
  CHECK(log.append(make_event("create", "web", "a", sec)) == append_result::failed);
  CHECK(log.errors() == 2);
  CHECK_FALSE(log.last_error().empty());
  CHECK(read_all(log).empty());
}

TEST_CASE("a history removed behind ctrd's back starts again where events reads", "[event_log]") {
  test::temp_dir dir;
  auto root = dir / "logs";
  fs::create_directories(root);
  event_log log(root);
  REQUIRE(log.append(make_event("create", "a", "1", 1 * sec)) == append_result::ok);
  fs::remove_all(root);  // the --log-dir emptied, folder and all
  REQUIRE(log.append(make_event("start", "a", "1", 2 * sec)) == append_result::ok);
  CHECK(fs::exists(root + "/events.log"));
  auto events = read_all(log);
  REQUIRE(events.size() == 1);
  CHECK(events[0]["Status"] == "start");
}

}  // namespace event_log_test
