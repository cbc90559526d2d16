// The tar helper (issue 12 §7): ctrd runs ctrd-tar for every export/cp stream. A missing
// helper is a clear error for those requests only; a client that goes away mid-export
// leaves no helper behind; a helper that dies mid-stream gives the client an error naming
// its end. (That ctrd is not linked to libarchive is checked by scripts/check-deps.sh.)
#include <catch2/catch.hpp>

#include <dirent.h>
#include <signal.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/rpc.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/rpc_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace tar_helper_test {

using ctrd::test::live_daemon;
using ctrd::test::rpc_client;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// The ctrd-tar processes whose parent is `parent` (from /proc).
std::vector<pid_t> helpers_of(pid_t parent) {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (auto* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in("/proc/" + name + "/stat");
    std::string line;
    std::getline(in, line);
    auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    if (line.substr(open + 1, close - open - 1) != "ctrd-tar") continue;
    char state = 0;
    long ppid = 0;
    std::istringstream rest(line.substr(close + 2));
    rest >> state >> ppid;
    if (ppid == parent) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  ::closedir(d);
  return out;
}

bool alive(pid_t pid) {
  return std::filesystem::exists("/proc/" + std::to_string(pid));
}

/// A root of 64 MiB of files (more than the socket and the session's window hold) and
/// busybox, and a container `name` on it.
void make_big_container(const live_daemon& d, const ctrd::test::temp_dir& root,
                        const std::string& name) {
  std::filesystem::create_directories(root.path() + "/data");
  for (int i = 0; i < 64; ++i) {
    std::ofstream f(root.path() + "/data/f" + std::to_string(i));
    f << std::string(1 << 20, static_cast<char>('a' + i % 26));
  }
  std::filesystem::copy_file("/bin/busybox", root.path() + "/busybox");
  d.ok({"create", "--name", name, "--rootfs", root.path(), "/busybox", "true"});
}

std::unique_ptr<rpc_client> greeted(const live_daemon& d) {
  auto c = std::make_unique<rpc_client>(d.socket());
  REQUIRE(c->connected());
  REQUIRE(c->hello());
  return c;
}

/// Waits until ctrd has a ctrd-tar child; returns its pid (0 after 10 s).
pid_t await_helper(const live_daemon& d) {
  for (int i = 0; i < 500; ++i) {
    auto h = helpers_of(d.ctrd_pid());
    if (!h.empty()) return h.front();
    std::this_thread::sleep_for(20ms);
  }
  return 0;
}

}  // namespace

TEST_CASE("tar helper: a missing ctrd-tar is a clear error for export and cp, ctrd runs on",
          "[tar]") {
  live_daemon d({{}, {}, {"CTRD_TAR_HELPER=/nonexistent/ctrd-tar"}, ""});
  ctrd::test::temp_dir root;
  std::filesystem::copy_file("/bin/busybox", root.path() + "/busybox");
  d.ok({"create", "--name", "x", "--rootfs", root.path(), "/busybox", "true"});
  const std::string expected = "ctrd-tar not found at /nonexistent/ctrd-tar";
  auto tarball = d.dir().path() + "/x.tar";
  auto ex = d.ctl({"export", "-o", tarball, "x"});
  CHECK(ex.code == 125);
  CHECK(ex.err.find(expected) != std::string::npos);
  auto out = d.ctl({"cp", "x:/busybox", d.dir().path() + "/copied"});
  CHECK(out.code == 125);
  CHECK(out.err.find(expected) != std::string::npos);
  auto file = d.dir().path() + "/payload";
  std::ofstream(file) << "payload\n";
  auto in = d.ctl({"cp", file, "x:/payload"});
  CHECK(in.code == 125);
  CHECK(in.err.find(expected) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(root.path() + "/payload"));
  // Everything else works, and the failed jobs released the root.
  CHECK(d.ok({"run", "--rm", "echo", "still here"}) == "still here");
  d.ok({"rm", "x"});
}

TEST_CASE("tar helper: a client that disconnects mid-export leaves no ctrd-tar behind", "[tar]") {
  live_daemon d;
  ctrd::test::temp_dir root;
  make_big_container(d, root, "big");
  pid_t helper = 0;
  {
    auto c = greeted(d);
    REQUIRE(c->request(7, "export", json{{"container", "big"}}));
    helper = await_helper(d);
    REQUIRE(helper > 0);
    std::this_thread::sleep_for(300ms);  // the helper fills the pipe, the session its window
    CHECK(alive(helper));
  }  // the client goes away without reading
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = !alive(helper);
    if (!gone) std::this_thread::sleep_for(20ms);
  }
  CHECK(gone);
  CHECK(helpers_of(d.ctrd_pid()).empty());
  // The root was released: the container can be removed, and an export still works.
  auto tarball = d.dir().path() + "/big.tar";
  d.ok({"export", "-o", tarball, "big"});
  CHECK(std::filesystem::file_size(tarball) > (64u << 20));
  d.ok({"rm", "big"});
}

TEST_CASE("tar helper: a helper killed mid-export is an error naming its end", "[tar]") {
  live_daemon d;
  ctrd::test::temp_dir root;
  make_big_container(d, root, "big");
  auto c = greeted(d);
  REQUIRE(c->request(9, "export", json{{"container", "big"}}));
  pid_t helper = await_helper(d);
  REQUIRE(helper > 0);
  std::this_thread::sleep_for(200ms);
  ::kill(helper, SIGKILL);
  auto r = c->response(9, 20s);  // the data notifications before it are skipped
  REQUIRE(r);
  CHECK(r->error.value("message", "").find("ctrd-tar was killed by signal 9") != std::string::npos);
  CHECK(helpers_of(d.ctrd_pid()).empty());
  CHECK(ctrd::test::daemon_answers(d.socket()));
}

TEST_CASE("tar helper: back-to-back uploads larger than the pipe all complete", "[tar]") {
  // Each fills the helper's stdin pipe (the job waits for it to be writable); a job that
  // left its one-shot writable watch registered would starve the next one with the same
  // descriptor number.
  live_daemon d;
  ctrd::test::temp_dir root;
  std::filesystem::copy_file("/bin/busybox", root.path() + "/busybox");
  d.ok({"create", "--name", "up", "--rootfs", root.path(), "/busybox", "true"});
  auto file = d.dir().path() + "/blob";
  {
    std::ofstream f(file);
    for (int i = 0; i < 16; ++i) f << std::string(1 << 20, static_cast<char>('a' + i));
  }
  for (int i = 0; i < 4; ++i) {
    INFO("upload " << i);
    d.ok({"cp", file, "up:/blob" + std::to_string(i)});
    CHECK(std::filesystem::file_size(root.path() + "/blob" + std::to_string(i)) == (16u << 20));
  }
  CHECK(helpers_of(d.ctrd_pid()).empty());
}

}  // namespace tar_helper_test
