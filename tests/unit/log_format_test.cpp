// The k8s-file log records: lines, fragments, streams, and parsing back.
#include <catch2/catch.hpp>

#include <sstream>

#include "runtime/log_format.hpp"

namespace log_format_test {

using namespace ctrd;

TEST_CASE("chunks become F records per line and a P record for a fragment", "[log]") {
  std::string out;
  format_log_records(1000000000, false, "a\nbc\nde", out);
  format_log_records(2000000000, true, "f\n", out);
  std::istringstream in(out);
  std::string line;
  std::vector<log_record> recs;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  REQUIRE(lines.size() == 4);
  for (auto& l : lines) {
    log_record r;
    REQUIRE(parse_log_record(l, r));
    recs.push_back(r);
  }
  CHECK(recs[0].text == "a");
  CHECK_FALSE(recs[0].partial);
  CHECK(recs[1].text == "bc");
  CHECK(recs[2].text == "de");
  CHECK(recs[2].partial);
  CHECK(recs[3].is_stderr);
  CHECK(recs[3].text == "f");
  CHECK(recs[0].time == "1970-01-01T00:00:01.000000000Z");
}

TEST_CASE("non-record lines are rejected", "[log]") {
  log_record r;
  CHECK_FALSE(parse_log_record("", r));
  CHECK_FALSE(parse_log_record("garbage", r));
  CHECK_FALSE(parse_log_record("t stdin F x", r));
  CHECK_FALSE(parse_log_record("t stdout X x", r));
  CHECK(parse_log_record("t stdout F ", r));
  CHECK(r.text.empty());
}

}  // namespace log_format_test
