// Unit tests for ctrctl's `stats` computations and rendering (go-units sizes, Go durations,
// CPU percentages, podman's table). Links ctl_lib.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>

#include <CLI/CLI.hpp>

#include "ctl/args.hpp"
#include "ctl/create_flags.hpp"
#include "ctl/detach_keys.hpp"
#include "ctl/size_units.hpp"
#include "ctl/stats_format.hpp"
#include "ctl/stream_flags.hpp"
#include "messages/duration.hpp"
#include "messages/error.hpp"
#include "tests/unit/ctl_flags_support.hpp"

namespace ctl_stats_format_test {

using ctl::json;
using namespace ctl_test;

TEST_CASE("human sizes are go-units HumanSize", "[ctl][stats]") {
  CHECK(ctl::human_size(0) == "0B");
  CHECK(ctl::human_size(999) == "999B");
  CHECK(ctl::human_size(1000) == "1kB");
  CHECK(ctl::human_size(1234) == "1.234kB");
  CHECK(ctl::human_size(123456) == "123.5kB");
  CHECK(ctl::human_size(1500000) == "1.5MB");
  CHECK(ctl::human_size(2e9) == "2GB");
  CHECK(ctl::human_size(8589934592.0) == "8.59GB");
  CHECK(ctl::combine_human(0, 0) == "0B / 0B");
  CHECK(ctl::combine_human(1500000, 2000000000) == "1.5MB / 2GB");
  CHECK(ctl::combine_human(0, 4096) == "0B / 4.096kB");
}

TEST_CASE("Go duration strings", "[ctl][stats]") {
  CHECK(ctl::go_duration(0) == "0s");
  CHECK(ctl::go_duration(12) == "12ns");
  CHECK(ctl::go_duration(1500) == "1.5\xC2\xB5s");
  CHECK(ctl::go_duration(350000000) == "350ms");
  CHECK(ctl::go_duration(1234567) == "1.234567ms");
  CHECK(ctl::go_duration(1234000000) == "1.234s");
  CHECK(ctl::go_duration(90000000000) == "1m30s");
  CHECK(ctl::go_duration(3600000000000) == "1h0m0s");
  CHECK(ctl::go_duration(3723500000000) == "1h2m3.5s");
  CHECK(ctl::go_duration(-2000000000) == "-2s");
}

TEST_CASE("percent strings: two decimals and -- for zero", "[ctl][stats]") {
  CHECK(ctl::percent_string(0) == "--");
  CHECK(ctl::percent_string(12.345) == "12.35%");
  CHECK(ctl::percent_string(0.001) == "0.00%");
  CHECK(ctl::percent_string(150) == "150.00%");
}

TEST_CASE("CPU percent from consecutive samples and the running average", "[ctl][stats]") {
  CHECK(ctl::cpu_percent(500, 1000, 0, 0) == 50.0);
  CHECK(ctl::cpu_percent(100, 1000, 200, 0) == 0.0);      // counter went back: no value
  CHECK(ctl::cpu_percent(100, 1000, 0, 1000) == 0.0);     // no time passed
  CHECK(ctl::cpu_percent(3000, 1000, 1000, 0) == 200.0);  // two CPUs busy: above 100%

  ctl::stats_history h;
  ctl::stats_sample s;
  s.id = std::string(64, 'a');
  s.name = "web";
  s.started_ns = 1000000000;
  s.read_ns = 3000000000;  // 2 s after the start
  s.cpu_ns = 500000000;    // 0.5 s of CPU
  s.memory_bytes = 1500000;
  s.memory_limit = 2000000000;
  s.pids = 3;
  auto r1 = ctl::compute_stats_row(s, h);
  CHECK(r1.cpu_percent == Approx(25.0));
  CHECK(r1.avg_cpu == Approx(25.0));
  CHECK(r1.mem_percent == Approx(0.075));
  s.read_ns = 4000000000;  // 1 s later
  s.cpu_ns = 1500000000;   // 1 s more CPU
  auto r2 = ctl::compute_stats_row(s, h);
  CHECK(r2.cpu_percent == Approx(100.0));
  CHECK(r2.avg_cpu == Approx(62.5));
  s.read_ns = 5000000000;  // idle second
  auto r3 = ctl::compute_stats_row(s, h);
  CHECK(r3.cpu_percent == 0.0);
  CHECK(r3.avg_cpu == Approx(125.0 / 3));
  CHECK(h.by_id.size() == 1);
}

TEST_CASE("stats samples are read from ctrd's maps", "[ctl][stats]") {
  json j = {{"id", "abc"},     {"name", "web"},      {"state", "running"},  {"read_ns", 5},
            {"started_ns", 1}, {"cpu_ns", 7},        {"memory_bytes", 100}, {"memory_limit", 1000},
            {"pids", 2},       {"block_read", 4096}, {"block_write", 8192}};
  auto s = ctl::sample_of(j);
  CHECK(s.id == "abc");
  CHECK(s.read_ns == 5);
  CHECK(s.cpu_ns == 7);
  CHECK(s.memory_limit == 1000);
  CHECK(s.block_write == 8192);
  CHECK(ctl::sample_of(json{{"id", 3}, {"pids", -1}}).pids == 0);
  CHECK(ctl::sample_of(json::array()).id.empty());
}

TEST_CASE("the stats table is podman's", "[ctl][stats]") {
  ctl::stats_row r;
  r.id = "0123456789abcdef0123";
  r.name = "web";
  r.cpu_percent = 12.5;
  r.avg_cpu = 3.25;
  r.mem_usage = 1500000;
  r.mem_limit = 2000000000;
  r.mem_percent = 0.075;
  r.block_read = 4096;
  r.block_write = 0;
  r.pids = 3;
  r.cpu_ns = 1234000000;
  std::string t = ctl::stats_table({r, ctl::idle_stats_row("fedcba9876543210", "db")});
  CHECK(t ==
        "ID            NAME        CPU %       MEM USAGE / LIMIT  MEM %       NET IO      BLOCK IO "
        "     PIDS        CPU TIME    AVG CPU %\n"
        "0123456789ab  web         12.50%      1.5MB / 2GB        0.07%       --          4.096kB "
        "/ 0B  3           1.234s      3.25%\n"
        "fedcba987654  db          --          0B / 0B            --          --          0B / 0B  "
        "     --          0s          --\n");
  std::string j = ctl::stats_json({r});
  CHECK(j ==
        "[\n"
        "    {\n"
        "        \"id\": \"0123456789ab\",\n"
        "        \"name\": \"web\",\n"
        "        \"cpu_time\": \"1.234s\",\n"
        "        \"cpu_percent\": \"12.50%\",\n"
        "        \"avg_cpu\": \"3.25%\",\n"
        "        \"mem_usage\": \"1.5MB / 2GB\",\n"
        "        \"mem_percent\": \"0.07%\",\n"
        "        \"net_io\": \"--\",\n"
        "        \"block_io\": \"4.096kB / 0B\",\n"
        "        \"pids\": \"3\"\n"
        "    }\n"
        "]\n");
  CHECK(ctl::stats_json({}) == "[]\n");
}

TEST_CASE("tab_table pads like Go's tabwriter and artifact ls uses it", "[ctl][stats]") {
  CHECK(ctl::tab_table({{"A", "B"}, {"long-cell-value", "x"}}) ==
        "A                B\nlong-cell-value  x\n");
  json list = json::array(
      {json{{"name", "config.json"}, {"size", 1234}}, json{{"name", "k"}, {"size", 0}}});
  CHECK(ctl::artifact_table(list) == "NAME         SIZE\nconfig.json  1.234kB\nk            0B\n");
}

}  // namespace ctl_stats_format_test
