// Unit tests for `ctrctl ps` selection (ctl/ps_filter.hpp): filter parsing and podman's
// errors, filter semantics over `list` summaries, --last, --sort, SIZE and template rows.
#include <catch2/catch.hpp>

#include "ctl/ps_filter.hpp"
#include "messages/error.hpp"

namespace ctl_ps_filter_test {

using ctl::json;

namespace {

constexpr int64_t s = 1000000000;

json summaries() {
  return json::array({json{{"id", "aaaa1111"},
                           {"name", "web"},
                           {"created_ns", 30 * s},
                           {"started_ns", 31 * s},
                           {"state", "running"},
                           {"labels", {{"tier", "front"}, {"app", "shop"}}},
                           {"restart", "always"},
                           {"health", "healthy"},
                           {"command", {"sleep", "100"}}},
                      json{{"id", "bbbb2222"},
                           {"name", "db"},
                           {"created_ns", 10 * s},
                           {"started_ns", 40 * s},
                           {"state", "exited"},
                           {"exit_code", 3},
                           {"labels", {{"tier", "back"}}},
                           {"restart", "on-failure:3"},
                           {"health", ""},
                           {"command", {"postgres"}}},
                      json{{"id", "aaab3333"},
                           {"name", "cache"},
                           {"created_ns", 20 * s},
                           {"state", "stopped"},
                           {"exit_code", 0},
                           {"labels", json::object()},
                           {"restart", "no"},
                           {"health", ""},
                           {"command", {"redis"}}}});
}

std::string names(const json& list) {
  std::string out;
  for (const auto& c : list) out += (out.empty() ? "" : ",") + c["name"].get<std::string>();
  return out;
}

std::string filtered(const std::vector<std::string>& args) {
  return names(ctl::filter_summaries(summaries(), ctl::parse_ps_filters(args)));
}

std::string error_of(const std::vector<std::string>& args) {
  try {
    filtered(args);
  } catch (const ctrd::error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("ps filters select like podman", "[ctl][ps]") {
  CHECK(filtered({}) == "web,db,cache");
  CHECK(filtered({"id=aaa"}) == "web,cache");
  CHECK(filtered({"id=aaab"}) == "cache");
  CHECK(filtered({"name=^c"}) == "cache");
  CHECK(filtered({"name=b"}) == "web,db");  // a regular expression search
  CHECK(filtered({"name=web", "name=db"}) == "web,db");
  CHECK(filtered({"label=tier"}) == "web,db");
  CHECK(filtered({"label=tier=front"}) == "web");
  CHECK(filtered({"label=tier", "label=app"}) == "web");  // label values AND
  CHECK(filtered({"label!=tier"}) == "cache");
  CHECK(filtered({"status=exited"}) == "db,cache");  // stopped counts as exited
  CHECK(filtered({"status=stopped"}) == "db,cache");
  CHECK(filtered({"status=running", "status=exited"}) == "web,db,cache");
  CHECK(filtered({"exited=3"}) == "db");
  CHECK(filtered({"exited=0"}) == "cache");
  CHECK(filtered({"exited=0", "exited=3"}) == "db,cache");
  CHECK(filtered({"health=healthy"}) == "web");
  CHECK(filtered({"before=cache"}) == "db");
  CHECK(filtered({"since=cache"}) == "web");
  CHECK(filtered({"since=bbbb"}) == "web,cache");  // an id prefix
  CHECK(filtered({"restart-policy=always"}) == "web");
  CHECK(filtered({"restart-policy=on-failure"}) == "db");
  CHECK(filtered({"restart-policy=no"}) == "cache");
  CHECK(filtered({"restart-policy=none"}) == "cache");
  CHECK(filtered({"label=tier", "status=exited"}) == "db");  // different keys AND
}

TEST_CASE("ps filter errors are podman's", "[ctl][ps]") {
  CHECK(error_of({"bogus=1"}) == "bogus is an invalid filter");
  CHECK(error_of({"status"}) == "invalid filter \"status\"");
  CHECK(error_of({"status=dead"}) == "unknown container state: dead: invalid argument");
  CHECK(error_of({"exited=abc"}) ==
        "exited code out of range \"abc\": strconv.ParseInt: parsing \"abc\": invalid syntax");
  CHECK(error_of({"exited=-2147483648"}) == "no error");  // an int32
  CHECK(error_of({"exited=2147483648"}).rfind("exited code out of range", 0) == 0);
  CHECK(error_of({"name=(["}) == "no error");  // a bad expression matches as plain text
  CHECK(error_of({"restart-policy=x"}) == "x invalid restart policy");
  CHECK(error_of({"restart-policy=x", "restart-policy=y"}) == "x, y invalid restart policies");
  CHECK(error_of({"before=ghost"}) ==
        "no container with name or ID \"ghost\" found: no such container");
  CHECK(error_of({"since=aaa"}) ==
        "no container with name or ID \"aaa\" found: no such container");  // ambiguous prefix
}

TEST_CASE("ps order: oldest first, --last and --sort", "[ctl][ps]") {
  json l = summaries();
  ctl::sort_oldest_first(l);
  CHECK(names(l) == "db,cache,web");
  CHECK(names(ctl::last_summaries(summaries(), 2)) == "cache,web");
  CHECK(names(ctl::last_summaries(summaries(), 1)) == "web");
  CHECK(names(ctl::last_summaries(summaries(), 0)).empty());
  CHECK(names(ctl::last_summaries(summaries(), -1)) == "db,cache,web");
  auto sorted = [](const std::string& by) {
    json x = summaries();
    ctl::sort_ps(x, by);
    return names(x);
  };
  CHECK(sorted("names") == "cache,db,web");
  CHECK(sorted("id") == "web,cache,db");
  CHECK(sorted("command") == "db,cache,web");
  CHECK(sorted("status") == "db,web,cache");
  CHECK(sorted("runningfor") == "cache,web,db");
  CHECK(sorted("created") == "db,cache,web");
  json none = json::array();
  CHECK_THROWS_WITH(ctl::sort_ps(none, "pod"),
                    "invalid option for --sort, options are: command, created, id, image, "
                    "names, runningfor, size, or status");
}

TEST_CASE("ps SIZE strings and template rows", "[ctl][ps]") {
  CHECK(ctl::ps_size_string(0, 0) == "0B (virtual 0B)");
  CHECK(ctl::ps_size_string(5000, 1234567) == "5kB (virtual 1.23MB)");
  CHECK(ctl::ps_size_string(999, 1000) == "999B (virtual 1kB)");
  json rows = ctl::ps_template_rows(summaries(), 100 * s, false);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["ID"] == "aaaa1111");
  CHECK(rows[0]["Names"] == "web");
  CHECK(rows[0]["Status"] == "Up About a minute (healthy)");
  CHECK(rows[0]["CreatedHuman"] == "About a minute ago");
  CHECK(rows[0]["Labels"]["tier"] == "front");
  CHECK(rows[1]["Exited"] == true);
  CHECK(rows[1]["ExitCode"] == 3);
  CHECK(rows[0]["Size"] == "");
  auto h = ctl::ps_headers();
  CHECK(h["ID"] == "CONTAINER ID");
  CHECK(h["CreatedHuman"] == "CREATED");
  CHECK(h["ExitCode"] == "EXIT CODE");
  CHECK(ctl::render_format(rows, "table {{.Names}}\\t{{.State}}", h, "ps") ==
        "NAMES       STATE\nweb         running\ndb          exited\ncache       stopped\n");
}

}  // namespace ctl_ps_filter_test
