// Load (issue 6, docs/reliability.md): 100 containers crash-loop as fast as ctrd restarts
// them (`--restart always --restart-delay 0 --restart-limit 0`, `sh -c 'exit 1'`) for a
// bounded time while 4 clients query ctrd in a loop. Checked: every query succeeds and none
// takes long (a responsiveness check; bench/ measures latency percentiles), ctrd's memory
// stays flat and its descriptors come back to the same count. CTRD_LOAD_SECONDS,
// CTRD_LOAD_CONTAINERS and CTRD_LOAD_MAX_LATENCY_MS make a long run (scripts/crash-soak.sh).
#include <catch2/catch.hpp>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/daemon.hpp"
#include "tests/support/workload.hpp"

namespace load_test {

using ctrd::test::live_daemon;
using json = nlohmann::json;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

struct leftover_guard {
  std::string prefix;
  ~leftover_guard() {
    if (!prefix.empty()) ctrd::test::kill_marked(prefix);
  }
};

/// ctrd's descriptor count once it is stable (a finished client's session closes a moment
/// after ctrctl exits): the same value three times in a row, 100 ms apart, or the last one.
int settled_fds(pid_t pid) {
  int last = -2, same = 0, n = -1;
  for (int i = 0; i < 40 && same < 3; ++i) {
    n = ctrd::test::fd_count(pid);
    same = n == last ? same + 1 : 1;
    last = n;
    std::this_thread::sleep_for(100ms);
  }
  return n;
}

std::vector<std::string> with(std::vector<std::string> head,
                              const std::vector<std::string>& names) {
  head.insert(head.end(), names.begin(), names.end());
  return head;
}

struct client_stats {
  std::mutex m;
  std::vector<double> latency_ms;
  long failures = 0;
  std::string first_failure;
  void record(double ms, bool ok, const std::string& what) {
    std::lock_guard<std::mutex> g(m);
    latency_ms.push_back(ms);
    if (!ok && failures++ == 0) first_failure = what;
  }
};

}  // namespace

TEST_CASE(
    "load: 100 crash-looping containers while clients query stay responsive with flat memory and "
    "no descriptor leak",
    "[load]") {
  const auto n = static_cast<int>(ctrd::test::env_u64("CTRD_LOAD_CONTAINERS", 100));
  const auto duration = std::chrono::seconds(ctrd::test::env_u64("CTRD_LOAD_SECONDS", 10));
  const auto warmup = std::chrono::seconds(ctrd::test::env_u64("CTRD_LOAD_WARMUP_S", 2));
  // A responsiveness bound (no query hangs), not a benchmark: on a shared 2-core machine
  // running other tests beside this one, 100 tight crash loops slow answers to seconds
  // (bench/ measures the p99; docs/benchmarks.md). CTRD_LOAD_MAX_LATENCY_MS tightens it.
  const auto max_latency_ms =
      static_cast<double>(ctrd::test::env_u64("CTRD_LOAD_MAX_LATENCY_MS", 5000));
  const int clients = 4;
  const std::string prefix = "ld" + std::to_string(::getpid()) + ".";

  leftover_guard guard{prefix};  // destroyed after the daemon
  // In an AddressSanitizer build freed memory waits in a quarantine (256 MiB by default),
  // so RSS grows with every allocation whether or not anything leaks: ctrd runs without one
  // here. (A plain build ignores the variable.)
  std::string asan_before = std::getenv("ASAN_OPTIONS") ? std::getenv("ASAN_OPTIONS") : "";
  ::setenv("ASAN_OPTIONS",
           ((asan_before.empty() ? "" : asan_before + ":") +
            "quarantine_size_mb=0:thread_local_quarantine_size_kb=0")
               .c_str(),
           1);
  live_daemon d;
  if (asan_before.empty())
    ::unsetenv("ASAN_OPTIONS");
  else
    ::setenv("ASAN_OPTIONS", asan_before.c_str(), 1);
  const pid_t pid = d.ctrd_pid();
  const bool asan = ctrd::test::runs_with_asan(pid);
  // ~4x slower under ASan -O0 (and ctrctl starts slower): the same check, scaled.
  const double latency_bound = asan ? max_latency_ms * 4 : max_latency_ms;
  const int fd0 = settled_fds(pid);
  const long rss0 = ctrd::test::rss_kib(pid);

  auto t_setup = steady::now();
  std::string phases;  // how long each step took, for the log
  auto phase = [&, t = steady::now()](const char* what) mutable {
    phases += std::string(phases.empty() ? "" : ", ") + what + " " +
              std::to_string(static_cast<long>(ctrd::test::ms_since(t)));
    t = steady::now();
  };
  std::vector<std::string> names;
  std::vector<ctrd::test::rpc_call> creates;
  for (int i = 0; i < n; ++i) {
    names.push_back("l" + std::to_string(i));
    creates.push_back({"create", json{{"name", names.back()},
                                      {"command", json::array({"sh", "-c", "exit 1"})},
                                      {"env", json::array({std::string(ctrd::test::harness_marker) +
                                                           "=" + prefix + names.back()})},
                                      {"restart", "always"},
                                      {"restart_delay_ms", 0},
                                      {"restart_limit", 0}}});
  }
  auto created = ctrd::test::pipelined(d.socket(), creates);  // one connection: fast
  for (size_t i = 0; i < created.size(); ++i) {
    INFO("create " << names[i] << ": " << created[i].dump());
    REQUIRE((created[i].is_object() && created[i].contains("id")));
  }
  phase("create");
  const int fd_created = settled_fds(pid);

  // Warm-up: one full cycle of looping, so that allocator pools, CAF's mailboxes and the
  // event history have reached their working size before the first measurement.
  phase("fds");
  d.ok(with({"start"}, names));
  phase("start");
  std::this_thread::sleep_for(warmup);
  d.ok(with({"stop", "-t", "1"}, names));
  phase("warm-up+stop");
  const int fd1 = settled_fds(pid);
  phase("fds");
  const long rss1 = ctrd::test::rss_kib(pid);

  // Load: the loops run again while the clients query.
  d.ok(with({"start"}, names));
  client_stats stats;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      ctrd::test::prng rng(static_cast<uint64_t>(t) + 1);
      for (long i = 0; !stop.load(); ++i) {
        auto t0 = steady::now();
        if (i % 2 == 0) {
          auto r = d.ctl({"ps", "-a", "--format", "json"});
          double ms = ctrd::test::ms_since(t0);
          bool ok = r.code == 0;
          if (ok) {
            try {
              ok = json::parse(r.out).size() == static_cast<size_t>(n);
            } catch (...) {
              ok = false;
            }
          }
          stats.record(ms, ok, "ps -a -> " + std::to_string(r.code) + ": " + r.err.substr(0, 300));
        } else {
          const auto& name = names[rng.below(names.size())];
          auto r = d.ctl({"inspect", name});
          double ms = ctrd::test::ms_since(t0);
          bool ok = r.code == 0 && r.out.find("\"" + name + "\"") != std::string::npos;
          stats.record(
              ms, ok,
              "inspect " + name + " -> " + std::to_string(r.code) + ": " + r.err.substr(0, 300));
        }
      }
    });
  }
  long rss_min = rss1, rss_max = rss1;
  int fd_max = fd1;
  std::vector<long> rss_series;  // one sample a second
  auto end = steady::now() + duration;
  while (steady::now() < end) {
    std::this_thread::sleep_for(std::min<steady::duration>(1s, end - steady::now()));
    auto r = ctrd::test::rss_kib(pid);
    rss_series.push_back(r);
    rss_min = std::min(rss_min, r);
    rss_max = std::max(rss_max, r);
    fd_max = std::max(fd_max, ctrd::test::fd_count(pid));
  }
  std::string series;  // at most 12 evenly spaced samples, for the log
  for (size_t k = 0; k < 12 && !rss_series.empty(); ++k) {
    size_t at = (rss_series.size() - 1) * k / 11;
    if (k > 0 && at == (rss_series.size() - 1) * (k - 1) / 11) continue;
    series += (series.empty() ? "" : " ") + std::to_string(at + 1) +
              "s:" + std::to_string(rss_series[at]);
  }
  stop = true;
  for (auto& t : threads) t.join();
  const int threads_during = ctrd::test::thread_count(pid);

  phase("load");
  d.ok(with({"stop", "-t", "1"}, names));
  phase("stop");
  long restarts = 0;
  for (auto& j : json::parse(d.ok({"ps", "-a", "--format", "json"})))
    restarts += j.value("Restarts", 0L);
  const int fd2 = settled_fds(pid);
  const long rss2 = ctrd::test::rss_kib(pid);

  phase("fds");
  d.ok(with({"rm", "-f"}, names));
  phase("rm");
  const int fd3 = settled_fds(pid);
  phase("fds");
  const long rss3 = ctrd::test::rss_kib(pid);

  // Latency trend: a backlog building up in ctrd would make the second half slower.
  std::vector<double> first(
      stats.latency_ms.begin(),
      stats.latency_ms.begin() + static_cast<long>(stats.latency_ms.size() / 2));
  std::vector<double> second(
      stats.latency_ms.begin() + static_cast<long>(stats.latency_ms.size() / 2),
      stats.latency_ms.end());
  const double p50_first = ctrd::test::quantile(first, 0.5),
               p50_second = ctrd::test::quantile(second, 0.5);
  auto lat = stats.latency_ms;
  const double p50 = ctrd::test::quantile(lat, 0.5), p99 = ctrd::test::quantile(lat, 0.99);
  const double worst = lat.empty() ? 0 : lat.back();
  const long growth = rss2 - rss1;
  WARN("load: " << n << " containers looping for " << duration.count() << " s: " << restarts
                << " policy restarts (" << restarts / std::max<long>(1, duration.count()) << "/s), "
                << lat.size() << " queries by " << clients << " clients, latency p50 " << p50
                << " ms, p99 " << p99 << " ms, max " << worst << " ms (bound " << latency_bound
                << " ms" << (asan ? ", ASan build" : "") << "), p50 first/second half " << p50_first
                << "/" << p50_second << " ms, " << stats.failures << " failed; "
                << static_cast<long>(ctrd::test::ms_since(t_setup))
                << " ms from the first create to the end (" << phases << ")");
  WARN("load: ctrd RSS KiB: start "
       << rss0 << ", after warm-up " << rss1 << ", during load " << rss_min << ".." << rss_max
       << ", after load " << rss2 << " (growth " << growth << " KiB, "
       << (restarts > 0 ? growth * 1024 / restarts : 0) << " B per restart), after rm " << rss3
       << "; threads " << threads_during << "; during load " << series);
  WARN("load: ctrd fds: start " << fd0 << ", with " << n << " containers " << fd_created
                                << ", after warm-up " << fd1 << ", max during load " << fd_max
                                << ", after load " << fd2 << ", after rm " << fd3);

  INFO("first failed query: " << stats.first_failure);
  CHECK(stats.failures == 0);
  CHECK(lat.size() >= static_cast<size_t>(clients));
  CHECK(worst < latency_bound);
  // The loops really ran: at least one restart per container and second would be a crawl.
  CHECK(restarts >= static_cast<long>(n));
  // Same set of containers, all exited: the same descriptors (±2: a session still closing).
  CHECK(std::abs(fd2 - fd1) <= 2);
  // Everything removed: back to the count before the load.
  CHECK(std::abs(fd3 - fd0) <= 2);
  // Flat memory. Between the two measurements ctrd made thousands of restarts (each a fork,
  // pipes, log records, events, state writes, a replica update) and served hundreds of
  // queries, with the same 100 containers in the same state at both points. What may
  // legitimately grow: LevelDB's memtable (every transition is written; up to 4 MiB before
  // it is flushed, and a second one while the first is written out) and the allocator's
  // per-thread arenas. Measured (docs/reliability.md): ~5 MiB after 10 s, ~7.8 MiB after
  // 150 s, then flat (23 MiB from 60 s to 330 s of looping without queries). Hence 12 MiB:
  // 2 x 4 MiB of memtables plus 4 MiB of slack. A leak of 1 kB per restart exceeds it in a
  // few minutes of the long run (scripts/crash-soak.sh), 10 kB per restart in the short one.
  CHECK(growth < 12 * 1024);
  CHECK(ctrd::test::find_marked(prefix).empty());
}

}  // namespace load_test
