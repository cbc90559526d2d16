// Unit tests for ctrctl's stream flags: detach keys, --since/--until times, logs --tail, log
// sizes and --log-opt, wait conditions and event filters. Links ctl_lib.
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
#include "messages/byte_size.hpp"
#include "messages/duration.hpp"
#include "messages/error.hpp"
#include "tests/unit/ctl_flags_support.hpp"

namespace ctl_stream_flags_test {

using ctl::json;
using namespace ctl_test;

namespace {
// Feeds `input` to a matcher in chunks of `chunk` bytes; returns what was forwarded and
// whether the sequence completed.
std::pair<std::string, bool> run_matcher(const std::string& keys, const std::string& input,
                                         std::size_t chunk) {
  ctl::detach_matcher m(keys);
  std::string out;
  for (std::size_t i = 0; i < input.size(); i += chunk)
    if (m.feed(input.data() + i, std::min(chunk, input.size() - i), out)) return {out, true};
  return {out + m.pending(), false};
}
}  // namespace

TEST_CASE("detach keys parse podman's syntax", "[ctl][detach]") {
  CHECK(ctl::parse_detach_keys("ctrl-p,ctrl-q") == std::string("\x10\x11"));
  CHECK(ctl::parse_detach_keys(ctl::default_detach_keys) == std::string("\x10\x11"));
  CHECK(ctl::parse_detach_keys("CTRL-A,x,Ctrl-Z") == std::string("\x01x\x1a"));
  CHECK(ctl::parse_detach_keys("ctrl-@") == std::string(1, '\0'));
  CHECK(ctl::parse_detach_keys("ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_") ==
        std::string("\x1b\x1c\x1d\x1e\x1f"));
  CHECK(ctl::parse_detach_keys("a") == "a");
  CHECK(ctl::parse_detach_keys("").empty());  // disabled
  for (const char* bad : {"ctrl-", "ctrl-1", "ctrl-pp", "ab", "a,,b", ",", "ctrl-p,", "alt-x"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_detach_keys(bad); }) == ctrd::ec::invalid_argument);
  }
  try {
    ctl::parse_detach_keys("foo");
    FAIL("no throw");
  } catch (const ctrd::error& e) {
    CHECK(std::string(e.what()).rfind("invalid detach keys: ", 0) == 0);
  }
}

TEST_CASE("the detach matcher works byte by byte and on chunks", "[ctl][detach]") {
  const std::string keys = "\x10\x11";
  for (std::size_t chunk : {1u, 2u, 3u, 64u}) {
    INFO("chunk " << chunk);
    auto [out, det] = run_matcher(keys,
                                  "abc\x10\x11"
                                  "def",
                                  chunk);
    CHECK(det);
    CHECK(out == "abc");  // what follows the sequence is dropped
    auto r2 = run_matcher(keys, "ab", chunk);
    CHECK_FALSE(r2.second);
    CHECK(r2.first == "ab");
    // A broken prefix is released before the byte that broke it.
    auto r3 = run_matcher(keys, "a\x10x\x10\x11", chunk);
    CHECK(r3.second);
    CHECK(r3.first == "a\x10x");
    // ctrl-p ctrl-p ctrl-q: the first ctrl-p is released, the rest detaches.
    auto r4 = run_matcher(keys, "\x10\x10\x11", chunk);
    CHECK(r4.second);
    CHECK(r4.first == "\x10");
  }
}

TEST_CASE("the detach matcher holds a partial prefix", "[ctl][detach]") {
  ctl::detach_matcher m("\x10\x11");
  std::string out;
  CHECK_FALSE(m.feed("x\x10", 2, out));
  CHECK(out == "x");  // ctrl-p held back
  CHECK(m.pending() == "\x10");
  CHECK_FALSE(m.feed("y", 1, out));
  CHECK(out == "x\x10y");  // flushed when the sequence broke
  CHECK(m.pending().empty());
}

TEST_CASE("disabled detach keys pass everything through", "[ctl][detach]") {
  ctl::detach_matcher m("");
  std::string out;
  CHECK_FALSE(m.feed("\x10\x11", 2, out));
  CHECK(out == "\x10\x11");
  auto [o2, det] = run_matcher(ctl::parse_detach_keys("a,b,c"), "xabyabc", 1);
  CHECK(det);
  CHECK(o2 == "xaby");
}

TEST_CASE("times parse as podman's --since/--until", "[ctl][time]") {
  const int64_t now = 1800000000LL * 1000000000LL;
  const int64_t base = 1795888800LL * 1000000000LL;  // 2026-11-28T18:00:00Z
  CHECK(ctl::parse_time_ns("2026-11-28T18:00:00Z", now) == base);
  CHECK(ctl::parse_time_ns("2026-11-28T18:00:00.5Z", now) == base + 500000000);
  CHECK(ctl::parse_time_ns("2026-11-28T18:00:00.123456789Z", now) == base + 123456789);
  CHECK(ctl::parse_time_ns("2026-11-28T19:30:00+01:30", now) == base);
  CHECK(ctl::parse_time_ns("2026-11-28T16:00:00.25-02:00", now) == base + 250000000);
  CHECK(ctl::parse_time_ns("1700000000", now) == 1700000000LL * 1000000000LL);
  CHECK(ctl::parse_time_ns("1700000000.25", now) == 1700000000LL * 1000000000LL + 250000000);
  CHECK(ctl::parse_time_ns("10m", now) == now - 600LL * 1000000000LL);
  CHECK(ctl::parse_time_ns("1h30m", now) == now - 5400LL * 1000000000LL);
  CHECK(ctl::parse_time_ns("1.5s", now) == now - 1500000000LL);
  CHECK(ctl::parse_time_ns("250ms", now) == now - 250000000LL);
  // Without an offset: local time (as Go's ParseInLocation with time.Local).
  const char* old_tz = std::getenv("TZ");
  std::string saved_tz = old_tz ? old_tz : "";
  setenv("TZ", "UTC", 1);
  tzset();
  int64_t naive = ctl::parse_time_ns("2026-11-28T18:00:00", now);
  int64_t date = ctl::parse_time_ns("2026-11-28", now);
  setenv("TZ", "Asia/Kolkata", 1);  // +05:30 (falls back to UTC without zoneinfo)
  tzset();
  int64_t shifted = ctl::parse_time_ns("2026-11-28T18:00:00", now);
  if (old_tz)
    setenv("TZ", saved_tz.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
  CHECK(naive == base);
  CHECK(date == base - 18LL * 3600 * 1000000000LL);
  CHECK((shifted == base - 19800LL * 1000000000LL || shifted == base));
  for (const char* bad :
       {"", "yesterday", "10x", "2026-13-01", "2026-02-30T00:00:00Z", "2026-11-28T25:00:00Z",
        "2026-11-28T18:00Z", "1.2.3", "10 m", "2026-11-28T18:00:00+0100", "m", "."}) {
    INFO(bad);
    try {
      ctl::parse_time_ns(bad, now);
      FAIL("no throw");
    } catch (const ctrd::error& e) {
      CHECK(e.code() == ctrd::ec::invalid_argument);
      CHECK(std::string(e.what()).rfind("invalid time \"" + std::string(bad) + "\"", 0) == 0);
    }
  }
}

TEST_CASE("Go durations", "[ctl][time]") {
  int64_t v = 0;
  CHECK(ctl::parse_go_duration_ns("0", v));
  CHECK(v == 0);
  CHECK(ctl::parse_go_duration_ns("1h2m3s4ms5us6ns", v));
  CHECK(v == 3723004005006LL);
  CHECK(ctl::parse_go_duration_ns("-2m", v));
  CHECK(v == -120000000000LL);
  CHECK(ctl::parse_go_duration_ns("3\xc2\xb5s", v));
  CHECK(v == 3000);
  CHECK_FALSE(ctl::parse_go_duration_ns("10", v));
  CHECK_FALSE(ctl::parse_go_duration_ns("", v));
  CHECK_FALSE(ctl::parse_go_duration_ns("5d", v));
  CHECK_FALSE(ctl::parse_go_duration_ns("h", v));
}

TEST_CASE("logs --tail must be a non-negative number", "[ctl][logs]") {
  CHECK(ctl::parse_tail("0") == 0);
  CHECK(ctl::parse_tail("25") == 25);
  for (const char* bad : {"", "-1", "x", "1.5", "+3"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_tail(bad); }) == ctrd::ec::invalid_argument);
  }
}

TEST_CASE("log sizes and --log-opt", "[ctl][flags]") {
  CHECK(ctrd::parse_log_size("4096") == 4096);
  CHECK(ctrd::parse_log_size("10m") == 10000000);
  CHECK(ctrd::parse_log_size("10M") == 10000000);
  CHECK(ctrd::parse_log_size("10MB") == 10000000);
  CHECK(ctrd::parse_log_size("10mib") == 10000000);  // go-units FromHumanSize: decimal
  CHECK(ctrd::parse_log_size("512k") == 512000);
  CHECK(ctrd::parse_log_size("1.5g") == 1500000000);
  CHECK(ctrd::parse_log_size("0") == 0);
  CHECK(ctrd::parse_log_size("7b") == 7);
  for (const char* bad : {"", "m", "10x", "-1", "10mm", "1.", "ten"}) {
    INFO(bad);
    CHECK(code_of([&] { ctrd::parse_log_size(bad); }) == ctrd::ec::invalid_argument);
  }
  json def = json::object();
  ctl::apply_log_opts({"max-size=10m", "max-file=5"}, def);
  CHECK(def == json{{"log_max_size", 10000000}, {"log_max_files", 5}});
  for (const char* bad : {"max-size", "max-file=-1", "max-file=x", "tag=foo", "max-size=1q"}) {
    INFO(bad);
    json d = json::object();
    CHECK(code_of([&] { ctl::apply_log_opts({bad}, d); }) == ctrd::ec::invalid_argument);
  }
}

TEST_CASE("create -i -t and --log-opt reach the definition", "[ctl][flags]") {
  auto o = with_command({"cat"});
  o.interactive = true;
  o.tty = true;
  o.log_opts = {"max-size=1k", "max-file=0"};
  json d = ctl::build_definition(o, host);
  CHECK(d["interactive"] == true);
  CHECK(d["tty"] == true);
  CHECK(d["log_max_size"] == 1000);
  CHECK(d["log_max_files"] == 0);
  CHECK_FALSE(ctl::build_definition(with_command({"cat"}), host).contains("interactive"));
}

TEST_CASE("wait conditions are validated locally", "[ctl][wait]") {
  CHECK(ctl::parse_wait_conditions({"running"}) == std::vector<std::string>{"running"});
  CHECK(ctl::parse_wait_conditions({"configured", "created", "initialized"}) ==
        std::vector<std::string>{"created", "initialized"});
  CHECK(ctl::parse_wait_conditions({"stopped,exited", "healthy", "unhealthy"}) ==
        std::vector<std::string>{"stopped", "exited", "healthy", "unhealthy"});
  CHECK(ctl::parse_wait_conditions({"paused", "stopping", "removing"}).size() == 3);
  for (const char* bad : {"", "dead", "Running", "running,", "health"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_wait_conditions({bad}); }) == ctrd::ec::invalid_argument);
  }
}

TEST_CASE("event filters", "[ctl][events]") {
  CHECK(ctl::parse_event_filters({}) == json::object());
  CHECK(ctl::parse_event_filters(
            {"container=web", "event=die", "event=start", "type=container", "container=db"}) ==
        json{{"container", {"web", "db"}}, {"event", {"died", "start"}}});
  for (const char* bad : {"container", "container=", "image=x", "type=image", "=x"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_event_filters({bad}); }) == ctrd::ec::invalid_argument);
  }
}

// --- isolation and resource flags (issue 5) ---

}  // namespace ctl_stream_flags_test
