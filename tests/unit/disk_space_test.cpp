// disk_space: the free-space reserve (cached statvfs with a cheap refresh) and the
// daemon-wide cap on container logs (largest log's oldest rotated file first), with a fake
// file system probe and clock; plus a log_writer that drops and counts below the reserve.
#include <catch2/catch.hpp>

#include <fstream>

#include "messages/error.hpp"
#include "runtime/disk_space.hpp"
#include "runtime/log_file.hpp"
#include "supervisor/daemon_options.hpp"
#include "tests/support/temp_dir.hpp"

namespace disk_space_test {

using namespace ctrd;

namespace {

/// A file system whose free space the test sets, and a clock it moves.
struct fake_fs {
  uint64_t size = 100u << 20;
  uint64_t avail = 50u << 20;
  int probes = 0;
  int64_t now = 0;
  fs_probe probe() {
    return [this](const std::string&, fs_usage& u) {
      ++probes;
      u.size = size;
      u.avail = avail;
      return 0;
    };
  }
  std::function<int64_t()> clock() {
    return [this] { return now; };
  }
};

void write_file(const std::string& path, std::size_t bytes) {
  std::ofstream(path) << std::string(bytes, 'x');
}

}  // namespace

TEST_CASE("create is refused below the reserve with a clear no-space error", "[disk]") {
  fake_fs f;
  disk_space d("/srv/ctrd", {10u << 20, 0}, f.probe(), f.clock());
  CHECK_NOTHROW(d.check_create());
  f.avail = 9u << 20;
  try {
    d.check_create();
    FAIL("create allowed below the reserve");
  } catch (const ctrd::error& e) {
    CHECK(e.code() == ec::no_space);
    CHECK_THAT(e.what(), Catch::StartsWith("no space left on /srv/ctrd") &&
                             Catch::Contains("--min-free-space"));
  }
  CHECK(exit_code_for(ec::no_space) == 125);
  disk_space none("/srv/ctrd", {0, 0}, f.probe(), f.clock());
  CHECK_NOTHROW(none.check_create());
}

TEST_CASE("log writes below the reserve are dropped and counted, statvfs is cached", "[disk]") {
  fake_fs f;
  f.avail = (10u << 20) + 1000;
  disk_space d("/r", {10u << 20, 0}, f.probe(), f.clock());
  CHECK(d.admit("/r/a/ctr.log", 100));
  int probes = f.probes;
  d.appended("/r/a/ctr.log", 100);
  CHECK(d.admit("/r/a/ctr.log", 100));
  CHECK(f.probes == probes);  // cached
  // Logged bytes lower the cached figure: no statvfs needed to notice the reserve.
  d.appended("/r/a/ctr.log", 800);
  CHECK_FALSE(d.admit("/r/a/ctr.log", 200));
  CHECK(f.probes == probes);
  auto c = d.counts("/r/a/ctr.log");
  CHECK(c.writes == 1);
  CHECK(c.bytes == 200);
  // Space freed elsewhere shows after a second (monotonic), looked up on a write.
  f.avail = 20u << 20;
  CHECK_FALSE(d.admit("/r/a/ctr.log", 200));
  f.now += 1000;
  CHECK(d.admit("/r/a/ctr.log", 200));
  CHECK(f.probes == probes + 1);
}

TEST_CASE("free space is looked up again after 1 MiB of logs", "[disk]") {
  fake_fs f;
  disk_space d("/r", {1u << 20, 0}, f.probe(), f.clock());
  CHECK(d.admit("/r/a/ctr.log", 10));
  int probes = f.probes;
  for (int i = 0; i < 16; ++i) {
    CHECK(d.admit("/r/a/ctr.log", 64u << 10));
    d.appended("/r/a/ctr.log", 64u << 10);
  }
  CHECK(d.admit("/r/a/ctr.log", 10));
  CHECK(f.probes == probes + 1);
}

TEST_CASE("the log cap removes the oldest rotated files of the largest logs first", "[disk]") {
  test::temp_dir dir;
  for (auto c : {"a", "b"}) std::filesystem::create_directories(dir / c);
  auto a = dir / "a/ctr.log", b = dir / "b/ctr.log";
  write_file(a, 100);
  write_file(a + ".1", 300);
  write_file(a + ".2", 300);
  write_file(b, 50);
  write_file(b + ".1", 100);
  fake_fs f;
  disk_space d(dir.path(), {0, 850}, f.probe(), f.clock());
  d.scan_logs(dir.path());
  CHECK(d.logs_total() == 850);
  // 100 more bytes for b: a (700) is the largest, its oldest file (a.2) goes.
  REQUIRE(d.admit(b, 100));
  d.appended(b, 100);
  CHECK_FALSE(std::filesystem::exists(a + ".2"));
  CHECK(std::filesystem::exists(a + ".1"));
  CHECK(d.logs_total() == 650);
  CHECK(d.counts(a).rotated_files == 1);
  CHECK(d.counts(a).rotated_bytes == 300);
  // 600 more: a.1 (a: 400 > b: 250), then b.1 (b: 250 > a: 100).
  REQUIRE(d.admit(b, 600));
  CHECK_FALSE(std::filesystem::exists(a + ".1"));
  CHECK_FALSE(std::filesystem::exists(b + ".1"));
  CHECK(d.counts(b).rotated_files == 1);
  d.appended(b, 600);
  // Only live files are left: the write is dropped and counted.
  CHECK_FALSE(d.admit(a, 1000));
  CHECK(d.counts(a).writes == 1);
  CHECK(d.counts(a).bytes == 1000);
  // A removed container's log no longer counts.
  d.forget_log(b);
  CHECK(d.logs_total() == 100);
}

TEST_CASE("a write larger than the whole cap is dropped without emptying other logs", "[disk]") {
  test::temp_dir dir;
  auto a = dir / "ctr.log";
  write_file(a, 10);
  write_file(a + ".1", 100);
  fake_fs f;
  disk_space d(dir.path(), {0, 1000}, f.probe(), f.clock());
  CHECK_FALSE(d.admit(a, 2000));
  CHECK(std::filesystem::exists(a + ".1"));
  CHECK(d.counts(a).writes == 1);
}

TEST_CASE("a rotation runs under the budget's lock and relearns the log's files", "[disk]") {
  test::temp_dir dir;
  auto p = dir / "ctr.log";
  fake_fs f;
  disk_space d(dir.path(), {0, 1u << 20}, f.probe(), f.clock());
  log_writer w(p, log_limits{100, 2}, &d);
  for (int i = 0; i < 20; ++i)
    REQUIRE(w.append(i, false, "line " + std::to_string(i) + "\n") == append_result::ok);
  uint64_t on_disk = 0;
  for (auto s : {p, p + ".1", p + ".2"})
    if (std::filesystem::exists(s)) on_disk += std::filesystem::file_size(s);
  CHECK(d.logs_total() == on_disk);
}

TEST_CASE("a container log below the reserve drops writes and resumes when space is back",
          "[disk]") {
  test::temp_dir dir;
  fake_fs f;
  f.avail = 1u << 20;
  disk_space d(dir.path(), {2u << 20, 0}, f.probe(), f.clock());
  log_writer w(dir / "ctr.log", {}, &d);
  CHECK(w.append(1, false, "lost\n") == append_result::dropped);
  CHECK(w.errors() == 0);  // not a write error
  CHECK(d.counts(dir / "ctr.log").writes == 1);
  f.avail = 4u << 20;
  f.now += 1000;
  CHECK(w.append(2, false, "kept\n") == append_result::ok);
}

TEST_CASE("space options (--min-free-space, --log-max-total): sizes, percentages, defaults",
          "[disk]") {
  const uint64_t fs = 1000u << 20;
  CHECK(resolve_space_option("--min-free-space", "", fs, 7) == 7);
  CHECK(resolve_space_option("--min-free-space", "0", fs, 7) == 0);
  CHECK(resolve_space_option("--min-free-space", "5m", fs, 7) == 5000000);
  CHECK(resolve_space_option("--min-free-space", "10%", fs, 7) == 100u << 20);
  CHECK(resolve_space_option("--log-max-total", "100%", fs, 7) == fs);
  CHECK_THROWS_WITH(resolve_space_option("--log-max-total", "101%", fs, 7),
                    Catch::Contains("--log-max-total"));
  CHECK_THROWS_WITH(resolve_space_option("--min-free-space", "lots", fs, 7),
                    Catch::Contains("--min-free-space"));
  CHECK(default_min_free_space(100u << 20) == 8u << 20);
  CHECK(default_min_free_space(1000u << 20) == 20u << 20);
  CHECK(default_log_max_total(1000u << 20) == 250u << 20);
}

TEST_CASE("the cap learns the logs' sizes again before it drops a write", "[disk]") {
  test::temp_dir dir;
  auto a = dir / "a.log", b = dir / "b.log";
  write_file(a, 400);
  fake_fs f;
  disk_space d(dir.path(), {0, 500}, f.probe(), f.clock());
  REQUIRE(d.admit(a, 0));  // registered: 400 bytes
  CHECK_FALSE(d.admit(b, 200));
  CHECK(d.counts(b).writes == 1);
  // Removed by hand (or a tmpfs emptied): the next write that would be dropped looks
  // again, at most once a second.
  std::filesystem::remove(a);
  CHECK_FALSE(d.admit(b, 200));  // looked less than a second ago
  f.now += 1000;
  CHECK(d.admit(b, 200));
  CHECK(d.logs_total() == 0);
}

TEST_CASE("a log rotates at half the cap at the latest", "[disk]") {
  log_limits asked{10u << 20, 5};
  CHECK(under_cap(asked, 0).max_size == 10u << 20);  // no cap
  CHECK(under_cap(asked, 100u << 20).max_size == 10u << 20);
  CHECK(under_cap(asked, 1u << 20).max_size == 512u << 10);
  CHECK(under_cap(asked, 1u << 20).max_files == 5);
  CHECK(under_cap(log_limits{0, 1}, 1000).max_size == 500);  // "never rotate" too
  CHECK(under_cap(log_limits{0, 1}, 1).max_size == 1);
}

TEST_CASE("a chunk whose records outgrow a small cap is written in slices, not dropped", "[disk]") {
  test::temp_dir dir;
  fake_fs f;
  const uint64_t cap = 256u << 10;
  disk_space d(dir.path(), {0, cap}, f.probe(), f.clock());
  auto p = dir / "ctr.log";
  log_writer w(p, under_cap(log_limits{10u << 20, 5}, cap), &d);
  std::string yes;
  for (int i = 0; i < 32768; ++i) yes += "y\n";  // 64 KiB of output, ~1.3 MB of records
  CHECK(w.append(1, false, yes) == append_result::ok);
  CHECK(d.counts(p).writes == 0);
  CHECK(d.counts(p).rotated_files > 0);  // the cap removed older slices instead
  CHECK(d.logs_total() <= cap);
  CHECK(std::filesystem::file_size(p) <= cap / 2);
}

}  // namespace disk_space_test
