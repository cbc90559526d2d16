// Unit tests for ctrctl's pure formatting helpers (ctl/format.hpp) and the RPC error →
// exit status mapping (ctl/client.hpp). Links ctl_lib.
#include <catch2/catch.hpp>

#include "ctl/client.hpp"
#include "ctl/format.hpp"
#include "messages/rpc.hpp"

namespace ctl_format_test {

using ctl::json;

namespace {
constexpr int64_t s = 1000000000;
constexpr int64_t now = 1700000000 * s;
}  // namespace

TEST_CASE("human_duration follows go-units HumanDuration", "[ctl][format]") {
  CHECK(ctl::human_duration(0) == "Less than a second");
  CHECK(ctl::human_duration(-5 * s) == "Less than a second");
  CHECK(ctl::human_duration(999999999) == "Less than a second");
  CHECK(ctl::human_duration(1 * s) == "1 second");
  CHECK(ctl::human_duration(5 * s) == "5 seconds");
  CHECK(ctl::human_duration(59 * s) == "59 seconds");
  CHECK(ctl::human_duration(60 * s) == "About a minute");
  CHECK(ctl::human_duration(119 * s) == "About a minute");
  CHECK(ctl::human_duration(120 * s) == "2 minutes");
  CHECK(ctl::human_duration(59 * 60 * s) == "59 minutes");
  CHECK(ctl::human_duration(60 * 60 * s) == "About an hour");
  CHECK(ctl::human_duration(89 * 60 * s) == "About an hour");
  CHECK(ctl::human_duration(90 * 60 * s) == "2 hours");
  CHECK(ctl::human_duration(47 * 3600 * s) == "47 hours");
  CHECK(ctl::human_duration(48 * 3600 * s) == "2 days");
  CHECK(ctl::human_duration(13 * 24 * 3600 * s) == "13 days");
  CHECK(ctl::human_duration(14 * 24 * 3600 * s) == "2 weeks");
  CHECK(ctl::human_duration(60 * 24 * 3600 * s) == "2 months");
  CHECK(ctl::human_duration(2 * 365 * 24 * 3600 * s) == "2 years");
}

TEST_CASE("status_string matches podman's ps STATUS column", "[ctl][format]") {
  CHECK(ctl::status_string("created", 0, 0, 0, now) == "Created");
  CHECK(ctl::status_string("configured", 0, 0, 0, now) == "Created");
  CHECK(ctl::status_string("initialized", 0, 0, 0, now) == "Initialized");
  CHECK(ctl::status_string("running", 0, now - 5 * s, 0, now) == "Up 5 seconds");
  CHECK(ctl::status_string("running", 0, now, 0, now) == "Up Less than a second");
  CHECK(ctl::status_string("exited", 0, now - 10 * s, now - 3 * s, now) ==
        "Exited (0) 3 seconds ago");
  CHECK(ctl::status_string("stopped", 137, 0, now - 120 * s, now) == "Exited (137) 2 minutes ago");
  CHECK(ctl::status_string("stopping", 0, now - 5 * s, 0, now) == "Stopping");
  CHECK(ctl::status_string("paused", 0, now - 5 * s, 0, now) == "Paused");
  CHECK(ctl::status_string("removing", 0, 0, 0, now) == "Removing");
}

TEST_CASE("ago_string, short_id and command_string", "[ctl][format]") {
  CHECK(ctl::ago_string(now - 125 * s, now) == "2 minutes ago");
  CHECK(ctl::short_id(std::string(64, 'a')) == std::string(12, 'a'));
  CHECK(ctl::short_id("abc") == "abc");
  json cmd = {"sh", "-c", "echo hello world; sleep 100"};
  CHECK(ctl::command_string(cmd, true) == "sh -c echo hello world; sleep 100");
  CHECK(ctl::command_string(cmd, false) == "sh -c echo hello ...");
  CHECK(ctl::command_string(json{"sleep", "5"}, false) == "sleep 5");
  CHECK(ctl::command_string(json(), false).empty());
}

namespace {
json summary(const std::string& id, const std::string& name, const std::string& state,
             int64_t created_ns) {
  return json{{"id", id},
              {"name", name},
              {"command", {"sleep", "100"}},
              {"created_ns", created_ns},
              {"state", state},
              {"exit_code", 0},
              {"started_ns", now - 5 * s},
              {"finished_ns", 0},
              {"restart_count", 2},
              {"pid", 42}};
}
}  // namespace

TEST_CASE("ps_table lays columns out like Go's tabwriter", "[ctl][format]") {
  json list = json::array({summary(std::string(64, 'b'), "web", "running", now - 60 * s)});
  std::string t = ctl::ps_table(list, now, false);
  CHECK(
      t ==
      "CONTAINER ID  COMMAND     CREATED             STATUS        RESTARTS    PORTS       NAMES\n"
      "bbbbbbbbbbbb  sleep 100   About a minute ago  Up 5 seconds  2                       web\n");
  std::string full = ctl::ps_table(list, now, true);
  CHECK(full.find(std::string(64, 'b') + "  ") != std::string::npos);
  CHECK(ctl::ps_table(json::array(), now, false) ==
        "CONTAINER ID  COMMAND     CREATED     STATUS      RESTARTS    PORTS       NAMES\n");
}

TEST_CASE("sort_summaries puts the newest first, and ps_quiet prints ids", "[ctl][format]") {
  json list = json::array({summary(std::string(64, '1'), "old", "exited", now - 100 * s),
                           summary(std::string(64, '2'), "new", "running", now - 1 * s)});
  ctl::sort_summaries(list);
  CHECK(list[0]["name"] == "new");
  CHECK(ctl::ps_quiet(list, false) == "222222222222\n111111111111\n");
  CHECK(ctl::ps_quiet(list, true) == std::string(64, '2') + "\n" + std::string(64, '1') + "\n");
}

TEST_CASE("ps_json uses podman's keys", "[ctl][format]") {
  json list = json::array({summary(std::string(64, 'c'), "db", "running", now - 10 * s)});
  json j = ctl::ps_json(list, now);
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 1);
  const json& c = j[0];
  CHECK(c["Id"] == std::string(64, 'c'));
  CHECK(c["Names"] == json::array({"db"}));
  CHECK(c["Command"] == json::array({"sleep", "100"}));
  CHECK(c["Created"] == now / s - 10);
  CHECK(c["CreatedAt"] == "10 seconds ago");
  CHECK(c["State"] == "running");
  CHECK(c["Status"] == "Up 5 seconds");
  CHECK(c["ExitCode"] == 0);
  CHECK(c["Exited"] == false);
  CHECK(c["ExitedAt"] == 0);
  CHECK(c["Pid"] == 42);
  CHECK(c["Restarts"] == 2);
  CHECK(c["StartedAt"] == now / s - 5);
}

TEST_CASE("RPC errors map to podman's exit codes", "[ctl][exit]") {
  using ctrd::ec;
  CHECK(ctl::exit_code_of(ctrd::error_object(ec::no_such_container, "x")) == 125);
  CHECK(ctl::exit_code_of(ctrd::error_object(ec::invalid_state, "x")) == 125);
  CHECK(ctl::exit_code_of(ctrd::error_object(ec::protocol, "x")) == 125);
  CHECK(ctl::exit_code_of(ctrd::error_object(ec::command_not_found, "x")) == 127);
  CHECK(ctl::exit_code_of(ctrd::error_object(ec::cannot_invoke, "x")) == 126);
  CHECK(ctl::exit_code_of(json{{"code", 999}}) == 125);
  CHECK(ctl::exit_code_of(json()) == 125);
  CHECK(ctl::error_code_of(ctrd::error_object(ec::removed, "x")) == ec::removed);
  ctl::response r;
  CHECK(r.ok());
  CHECK(r.code() == ec::none);
  r.error = ctrd::error_object(ec::name_in_use, "the name \"web\" is in use");
  CHECK_FALSE(r.ok());
  CHECK(r.code() == ec::name_in_use);
  CHECK(r.message() == "the name \"web\" is in use");
}

TEST_CASE("status_string appends the health like podman", "[ctl][format]") {
  CHECK(ctl::status_string("running", 0, now - 5 * s, 0, now, "healthy") ==
        "Up 5 seconds (healthy)");
  CHECK(ctl::status_string("running", 0, now - 5 * s, 0, now, "unhealthy") ==
        "Up 5 seconds (unhealthy)");
  CHECK(ctl::status_string("running", 0, now - 5 * s, 0, now, "starting") ==
        "Up 5 seconds (starting)");
  CHECK(ctl::status_string("running", 0, now - 5 * s, 0, now, "") == "Up 5 seconds");
}

TEST_CASE("ps table and json show health, readiness and errors", "[ctl][format]") {
  json healthy = summary(std::string(64, 'd'), "web", "running", now - 60 * s);
  healthy["health"] = "healthy";
  healthy["ready"] = true;
  healthy["error"] = "";
  json parked = summary(std::string(64, 'e'), "db", "exited", now - 120 * s);
  parked["finished_ns"] = now - 3 * s;
  parked["exit_code"] = 1;
  parked["health"] = "";
  parked["ready"] = false;
  parked["error"] = "crash loop: 11 restarts within 1m";
  json list = json::array({healthy, parked});
  std::string t = ctl::ps_table(list, now, false);
  CHECK(t ==
        "CONTAINER ID  COMMAND     CREATED             STATUS                    RESTARTS    PORTS "
        "      NAMES\n"
        "dddddddddddd  sleep 100   About a minute ago  Up 5 seconds (healthy)    2                 "
        "      web\n"
        "eeeeeeeeeeee  sleep 100   2 minutes ago       Exited (1) 3 seconds ago  2                 "
        "      db\n");
  json j = ctl::ps_json(list, now);
  REQUIRE(j.size() == 2);
  CHECK(j[0]["Status"] == "Up 5 seconds (healthy)");
  CHECK(j[0]["Health"] == "healthy");
  CHECK(j[0]["Ready"] == true);
  CHECK(j[0]["Error"] == "");
  CHECK(j[1]["Health"] == "");
  CHECK(j[1]["Ready"] == false);
  CHECK(j[1]["Error"] == "crash loop: 11 restarts within 1m");
  // an older daemon without the new keys
  json old = ctl::ps_json(json::array({summary(std::string(64, 'f'), "x", "running", now)}), now);
  CHECK(old[0]["Health"] == "");
  CHECK(old[0]["Ready"] == false);
  CHECK(old[0]["Error"] == "");
}

TEST_CASE("reload_report lists changes and formats errors", "[ctl][format]") {
  json result = {{"created", {"web", "db"}},
                 {"updated", {"cache"}},
                 {"removed", json::array()},
                 {"errors",
                  {{{"file", "/etc/ctrd/services/web.toml"},
                    {"line", 3},
                    {"column", 9},
                    {"key", "restart"},
                    {"message", "invalid restart policy \"sometimes\""}},
                   {{"file", "/etc/ctrd/services/bad.toml"},
                    {"line", 0},
                    {"column", 0},
                    {"key", ""},
                    {"message", "cannot read: Permission denied"}}}}};
  std::vector<std::string> lines, errors;
  ctl::reload_report(result, lines, errors);
  CHECK(lines == std::vector<std::string>{"created web", "created db", "updated cache"});
  CHECK(errors ==
        std::vector<std::string>{"/etc/ctrd/services/web.toml:3:9: restart: invalid restart policy "
                                 "\"sometimes\"",
                                 "/etc/ctrd/services/bad.toml: cannot read: Permission denied"});
  lines.clear();
  errors.clear();
  ctl::reload_report(json{{"removed", {"old"}}}, lines, errors);
  CHECK(lines == std::vector<std::string>{"removed old"});
  CHECK(errors.empty());
}

// --- event times and podman's human event lines ---

TEST_CASE("Go time strings for events", "[ctl][format][events]") {
  const int64_t t = 1795889474LL * 1000000000LL;  // 2026-11-28 18:11:14 UTC
  CHECK(ctl::format_go_time(t + 123456789, true) == "2026-11-28 18:11:14.123456789 +0000 UTC");
  CHECK(ctl::format_go_time(t + 500000000, true) == "2026-11-28 18:11:14.5 +0000 UTC");
  CHECK(ctl::format_go_time(t, true) == "2026-11-28 18:11:14 +0000 UTC");
  CHECK(ctl::format_rfc3339_nano(t + 1) == "2026-11-28T18:11:14.000000001Z");
  CHECK(ctl::format_rfc3339_nano(t) == "2026-11-28T18:11:14.000000000Z");
}

TEST_CASE("events in podman's human format", "[ctl][format][events]") {
  const std::string id(64, 'a');
  ctl::json start = {{"Type", "container"},
                     {"Status", "start"},
                     {"ID", id},
                     {"Name", "web"},
                     {"TimeNano", 1795889474123456789LL},
                     {"Attributes", {{"name", "web"}, {"tier", "front"}, {"app", "demo"}}}};
  CHECK(ctl::event_human(start, true) ==
        "2026-11-28 18:11:14.123456789 +0000 UTC container start " + id +
            " (name=web, app=demo, tier=front)");
  ctl::json died = {{"Type", "container"},
                    {"Status", "died"},
                    {"ID", id},
                    {"Name", "web"},
                    {"TimeNano", 1795889474000000000LL},
                    {"ContainerExitCode", 137},
                    {"Attributes", {{"name", "web"}}}};
  CHECK(ctl::event_human(died, true) == "2026-11-28 18:11:14 +0000 UTC container died " + id +
                                            " (name=web, containerExitCode=137)");
  ctl::json health = {
      {"Type", "container"}, {"Status", "health_status"},         {"ID", id},
      {"Name", "db"},        {"TimeNano", 1795889474000000000LL}, {"HealthStatus", "unhealthy"}};
  CHECK(ctl::event_human(health, true) == "2026-11-28 18:11:14 +0000 UTC container health_status " +
                                              id + " (name=db, health_status=unhealthy)");
  // Without TimeNano the Time text is printed as sent; the name may come from Attributes.
  ctl::json sparse = {{"Status", "remove"},
                      {"ID", "x"},
                      {"Time", "2026-11-28T18:11:14Z"},
                      {"Attributes", {{"name", "old"}}}};
  CHECK(ctl::event_human(sparse, true) == "2026-11-28T18:11:14Z container remove x (name=old)");
}

}  // namespace ctl_format_test
