// Container log files: rotation, snapshots, forward and tail reads, write errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "runtime/log_file.hpp"
#include "runtime/proc.hpp"
#include "tests/support/temp_dir.hpp"

namespace log_file_test {

using namespace ctrd;
namespace fs = std::filesystem;

namespace {

constexpr int64_t sec = 1000000000;

/// "text" of each record read, with a "!" suffix for P fragments and "E:" for stderr.
std::vector<std::string> read_texts(const log_snapshot& s, const log_query& q = {}) {
  std::vector<std::string> out;
  read_log(s, q, [&](const log_record& r) {
    out.push_back((r.is_stderr ? "E:" : "") + std::string(r.text) + (r.partial ? "!" : ""));
    return true;
  });
  return out;
}

std::string line_name(int i) {
  return "line " + std::to_string(1000 + i);
}

/// Writes lines 0..n-1, line i at second i+1.
void write_lines(log_writer& w, int n) {
  for (int i = 0; i < n; ++i)
    REQUIRE(w.append((i + 1) * sec, false, line_name(i) + "\n") == append_result::ok);
}

std::vector<std::string> expected_lines(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(line_name(i));
  return out;
}

}  // namespace

TEST_CASE("rotation keeps max_files rotated files with the newest data, in order", "[log_file]") {
  test::temp_dir dir;
  const std::string path = dir / "ctr.log";
  log_writer w(path, {200, 2});
  write_lines(w, 50);
  CHECK(fs::exists(path));
  CHECK(fs::exists(path + ".1"));
  CHECK(fs::exists(path + ".2"));
  CHECK_FALSE(fs::exists(path + ".3"));
  for (auto p : {path, path + ".1", path + ".2"}) CHECK(fs::file_size(p) <= 200);
  auto texts = read_texts(w.snapshot());
  REQUIRE(texts.size() >= 8);
  CHECK(texts.back() == line_name(49));
  CHECK(texts == expected_lines(50 - static_cast<int>(texts.size()), 50));
  CHECK(w.errors() == 0);
}

TEST_CASE("lowering max_files drops the surplus rotated files at the next rotation", "[log_file]") {
  test::temp_dir dir;
  const std::string path = dir / "ctr.log";
  log_writer w(path, {200, 4});
  write_lines(w, 50);
  REQUIRE(fs::exists(path + ".4"));
  w.set_limits({200, 1});
  write_lines(w, 10);
  CHECK(fs::exists(path + ".1"));
  CHECK_FALSE(fs::exists(path + ".2"));
  CHECK_FALSE(fs::exists(path + ".4"));
}

TEST_CASE("max_size 0 never rotates, max_files 0 discards the full file", "[log_file]") {
  test::temp_dir dir;
  log_writer never(dir / "a.log", {0, 2});
  write_lines(never, 50);
  CHECK_FALSE(fs::exists(dir / "a.log.1"));
  CHECK(read_texts(never.snapshot()).size() == 50);
  log_writer none(dir / "b.log", {200, 0});
  write_lines(none, 50);
  CHECK_FALSE(fs::exists(dir / "b.log.1"));
  CHECK(fs::file_size(dir / "b.log") <= 200);
  CHECK(read_texts(none.snapshot()).back() == line_name(49));
}

TEST_CASE("tail reads across a rotation boundary", "[log_file]") {
  test::temp_dir dir;
  log_writer w(dir / "ctr.log", {200, 3});  // about 4 records per file
  write_lines(w, 50);
  auto s = w.snapshot();
  REQUIRE(s.files().size() == 4);
  CHECK(read_texts(s, {"", "", 1}) == expected_lines(49, 50));
  CHECK(read_texts(s, {"", "", 9}) == expected_lines(41, 50));
  CHECK(read_texts(s, {"", "", 0}).empty());
  CHECK(read_texts(s, {"", "", 1000}) == read_texts(s));
}

TEST_CASE("tail counts a line of P fragments and its F record as one line", "[log_file]") {
  test::temp_dir dir;
  log_writer w(dir / "ctr.log");
  w.append(1 * sec, false, "a");
  w.append(2 * sec, false, "b");
  w.append(3 * sec, false, "c\nd\n");
  w.append(4 * sec, false, "e");  // a line still in progress
  w.append(5 * sec, true, "x\n");
  auto s = w.snapshot();
  CHECK(read_texts(s, {"", "", 1}) == std::vector<std::string>{"E:x"});
  CHECK(read_texts(s, {"", "", 2}) == std::vector<std::string>{"e!", "E:x"});
  CHECK(read_texts(s, {"", "", 3}) == std::vector<std::string>{"d", "e!", "E:x"});
  CHECK(read_texts(s, {"", "", 4}) == std::vector<std::string>{"a!", "b!", "c", "d", "e!", "E:x"});
}

TEST_CASE("since and until select by record time, inclusive, with or without tail", "[log_file]") {
  test::temp_dir dir;
  log_writer w(dir / "ctr.log", {300, 5});
  write_lines(w, 10);  // line i at second i+1
  auto s = w.snapshot();
  log_query q{proc::rfc3339(3 * sec), proc::rfc3339(6 * sec)};
  CHECK(read_texts(s, q) == expected_lines(2, 6));
  q.tail = 2;
  CHECK(read_texts(s, q) == expected_lines(4, 6));
  CHECK(read_texts(s, {proc::rfc3339(9 * sec), ""}) == expected_lines(8, 10));
  CHECK(read_texts(s, {"", proc::rfc3339(1 * sec)}) == expected_lines(0, 1));
  CHECK(read_texts(s, {proc::rfc3339(11 * sec), ""}).empty());
}

TEST_CASE("a snapshot reads exactly what was written before it, despite later rotations",
          "[log_file]") {
  test::temp_dir dir;
  log_writer w(dir / "ctr.log", {200, 2});
  write_lines(w, 6);
  auto before = read_texts(w.snapshot());
  auto s = w.snapshot();
  for (int i = 0; i < 30; ++i) w.append(100 * sec, false, "later\n");
  CHECK(read_texts(s) == before);
  CHECK(read_texts(s, {"", "", 2}) == expected_lines(4, 6));
  CHECK(read_texts(w.snapshot()).back() == "later");

  log_snapshot moved = std::move(s);
  CHECK(read_texts(moved) == before);
}

TEST_CASE("snapshot_log reads a log without a writer, a missing log is empty", "[log_file]") {
  test::temp_dir dir;
  {
    log_writer w(dir / "ctr.log", {200, 2});
    write_lines(w, 12);
  }
  CHECK(read_texts(snapshot_log(dir / "ctr.log"), {"", "", 3}) == expected_lines(9, 12));
  CHECK(snapshot_log(dir / "nothing.log").files().empty());
}

TEST_CASE("malformed and torn lines are skipped, a reopened writer ends a torn line first",
          "[log_file]") {
  test::temp_dir dir;
  const std::string path = dir / "ctr.log";
  {
    std::ofstream out(path);
    out << proc::rfc3339(1 * sec) << " stdout F one\n"
        << "garbage\n"
        << proc::rfc3339(2 * sec) << " stdout F tw";  // crash mid-write
  }
  CHECK(read_texts(snapshot_log(path)) == std::vector<std::string>{"one"});
  CHECK(read_texts(snapshot_log(path), {"", "", 5}) == std::vector<std::string>{"one"});
  log_writer w(path);
  REQUIRE(w.append(3 * sec, false, "three\n") == append_result::ok);
  CHECK(read_texts(w.snapshot()) == std::vector<std::string>{"one", "tw", "three"});
}

TEST_CASE("tail agrees with a full read across many 64 KiB blocks", "[log_file]") {
  test::temp_dir dir;
  log_writer w(dir / "ctr.log", {300 << 10, 3});
  std::string chunk;
  for (int i = 0; i < 20000; ++i) {
    chunk = "row " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 97), 'x');
    if (i % 5 != 0) chunk += '\n';  // every fifth is a fragment
    w.append(sec + i, i % 7 == 0, chunk);
  }
  auto s = w.snapshot();
  REQUIRE(s.files().size() >= 2);
  auto all = read_texts(s);
  REQUIRE(all.size() > 8000);
  for (int64_t n : {1, 17, 3000, 8000}) {
    auto tail = read_texts(s, {"", "", n});
    REQUIRE(tail.size() >= static_cast<std::size_t>(n));
    REQUIRE(tail.size() < all.size());
    CHECK(std::equal(tail.rbegin(), tail.rend(), all.rbegin()));
  }
  CHECK(read_texts(s, {"", "", 1 << 20}) == all);
}

TEST_CASE("a tail on a 100 MiB log reads only its end", "[log_file]") {
  test::temp_dir dir;
  const std::string path = dir / "ctr.log";
  std::string block;
  for (int i = 0; block.size() < (1u << 20); ++i)
    format_log_records(sec + i, false, "some output line " + std::to_string(i) + "\n", block);
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 100; ++i)
      out.write(block.data(), static_cast<std::streamsize>(block.size()));
  }
  auto s = snapshot_log(path);
  REQUIRE(s.size() >= (100u << 20));
  std::size_t n = 0;
  read_log(s, {"", "", 10}, [&](const log_record&) {
    ++n;
    return true;
  });
  CHECK(n == 10);
  INFO("bytes read: " << s.bytes_read());
  CHECK(s.bytes_read() <= (256u << 10));
}

TEST_CASE("write errors are counted and reported once per streak", "[log_file]") {
  test::temp_dir dir;
  const std::string sub = dir / "ctr";
  fs::create_directory(sub);
  log_writer w(sub + "/ctr.log");
  CHECK(w.append(sec, false, "ok\n") == append_result::ok);
  w.close();
  fs::remove_all(sub);  // the directory vanished
  CHECK(w.append(sec, false, "lost\n") == append_result::failed_first);
  CHECK(w.append(sec, false, "lost\n") == append_result::failed);
  CHECK(w.errors() == 2);
  CHECK(w.last_error().find("No such file") != std::string::npos);
  fs::create_directory(sub);
  CHECK(w.append(sec, false, "back\n") == append_result::ok);
  CHECK(read_texts(w.snapshot()) == std::vector<std::string>{"back"});
  w.close();
  fs::remove_all(sub);
  CHECK(w.append(sec, false, "lost\n") == append_result::failed_first);
  CHECK(w.errors() == 3);
}

TEST_CASE("a full device fails the write and drops the data", "[log_file]") {
  test::temp_dir dir;
  if (!fs::exists("/dev/full")) {
    WARN("skipped: no /dev/full");
    return;
  }
  fs::create_symlink("/dev/full", dir / "ctr.log");
  log_writer w(dir / "ctr.log");
  CHECK(w.append(sec, false, "x\n") == append_result::failed_first);
  CHECK(w.append(sec, false, "y\n") == append_result::failed);
  CHECK(w.errors() == 2);
  CHECK(w.last_error().find("No space") != std::string::npos);
}

TEST_CASE("an unwritable directory fails the open", "[log_file]") {
  if (::geteuid() == 0) {
    WARN("skipped: running as root, permissions are not enforced");
    return;
  }
  test::temp_dir dir;
  ::chmod(dir.path().c_str(), 0500);
  log_writer w(dir / "ctr.log");
  CHECK(w.append(sec, false, "x\n") == append_result::failed_first);
  CHECK(w.last_error().find("Permission denied") != std::string::npos);
  ::chmod(dir.path().c_str(), 0700);
}

}  // namespace log_file_test
