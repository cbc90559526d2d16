// Root-confined path resolution against hostile trees: every test places a sentinel file
// outside the root and checks that no lookup inside the root ever reaches it.
#include "runtime/fs_root.hpp"
#include "tests/support/emulation.hpp"
#include "tests/support/temp_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "messages/error.hpp"

namespace fs_root_test {

using namespace ctrd;
using namespace ctrd::fs;

namespace {

using ctrd::test::temp_dir;

// Writes `content` to the host file `p`.
void write_file(const std::string& p, const std::string& content) {
  std::ofstream(p, std::ios::binary) << content;
}

// Reads everything from `fd`.
std::string read_all(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
  return s;
}

// Reads the file `path` inside `root`.
std::string read_in_root(int root, const std::string& path) {
  unique_fd fd = open_in_root(root, path, O_RDONLY);
  return read_all(fd.get());
}

// The error code open_in_root throws for `path` (ec::none when it succeeds).
ec open_code(int root, const std::string& path, int flags = O_RDONLY, mode_t mode = 0) {
  try {
    open_in_root(root, path, flags, mode);
    return ec::none;
  } catch (const error& e) {
    return e.code();
  }
}

/// A root and, next to it, a host directory with a sentinel the root must never reach:
///   T/outside/secret = "HOST"          T/root/outside/secret = "DECOY"
///   T/root/etc/passwd = "CONTAINER"    T/root/d/rel -> ../etc/passwd
///   abs -> /     up -> ../../../../../..     passwdlink -> ../../../../etc/passwd
///   hostabs -> T/outside/secret (host path)  dirlink -> ../outside
///   hostdir -> T/outside (host path)         loop1 <-> loop2
struct hostile_tree {
  temp_dir t;
  std::string root = t.path() + "/root";
  std::string outside = t.path() + "/outside";
  unique_fd fd;
  // Builds the tree and opens the root.
  hostile_tree() {
    for (auto d : {root, outside, root + "/outside", root + "/etc", root + "/d"})
      REQUIRE(::mkdir(d.c_str(), 0755) == 0);
    write_file(outside + "/secret", "HOST");
    write_file(root + "/outside/secret", "DECOY");
    write_file(root + "/etc/passwd", "CONTAINER");
    auto ln = [this](const std::string& target, const std::string& name) {
      REQUIRE(::symlink(target.c_str(), (root + "/" + name).c_str()) == 0);
    };
    ln("/", "abs");
    ln("../../../../../..", "up");
    ln("../../../../etc/passwd", "passwdlink");
    ln(outside + "/secret", "hostabs");
    ln("../outside", "dirlink");
    ln(outside, "hostdir");
    ln("loop2", "loop1");
    ln("loop1", "loop2");
    ln("../etc/passwd", "d/rel");
    fd = open_root(root);
  }
};

}  // namespace

TEST_CASE("clean_path normalises lexically and never climbs above the root", "[fs]") {
  CHECK(clean_path("") == "/");
  CHECK(clean_path("/") == "/");
  CHECK(clean_path("a/b") == "/a/b");
  CHECK(clean_path("/a/./b//c/") == "/a/b/c");
  CHECK(clean_path("/../..") == "/");
  CHECK(clean_path("/a/../../b") == "/b");
  CHECK(clean_path("../../etc/passwd") == "/etc/passwd");
  CHECK(clean_path("x/../y", "/w/v") == "/w/v/y");
  CHECK(clean_path("../../../z", "/w/v") == "/z");
  CHECK(clean_path("/abs", "/w") == "/abs");
  CHECK(clean_path("f", "w") == "/w/f");
  CHECK(clean_path(".", "/w/") == "/w");
}

TEST_CASE("open_root reports missing paths and non-directories", "[fs]") {
  temp_dir t;
  write_file(t.path() + "/file", "x");
  CHECK(open_root(t.path()));
  try {
    open_root(t.path() + "/missing");
    FAIL("no error");
  } catch (const error& e) {
    CHECK(e.code() == ec::no_such_file);
  }
  try {
    open_root(t.path() + "/file");
    FAIL("no error");
  } catch (const error& e) {
    CHECK(e.code() == ec::invalid_argument);
  }
}

TEST_CASE("open_in_root keeps dot dot and absolute symlinks inside the root", "[fs]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  hostile_tree h;
  int r = h.fd.get();
  CHECK(read_in_root(r, "/etc/passwd") == "CONTAINER");
  CHECK(read_in_root(r, "etc/passwd") == "CONTAINER");
  // ".." at the root stays at the root: the sibling "outside" is the in-root decoy.
  CHECK(read_in_root(r, "../outside/secret") == "DECOY");
  CHECK(read_in_root(r, "/../../../../outside/secret") == "DECOY");
  CHECK(read_in_root(r, "/etc/../../outside/secret") == "DECOY");
  // An absolute symlink to "/" is the root again.
  CHECK(read_in_root(r, "/abs/etc/passwd") == "CONTAINER");
  CHECK(read_in_root(r, "/abs/abs/../outside/secret") == "DECOY");
  // Relative symlinks climbing out stop at the root.
  CHECK(read_in_root(r, "/up/etc/passwd") == "CONTAINER");
  CHECK(read_in_root(r, "/passwdlink") == "CONTAINER");
  CHECK(read_in_root(r, "/d/rel") == "CONTAINER");
  // A symlinked parent directory climbing out lands on the decoy.
  CHECK(read_in_root(r, "/dirlink/secret") == "DECOY");
  // Host paths (directly or via symlinks) do not exist in the root.
  CHECK(open_code(r, h.outside + "/secret") == ec::no_such_file);
  CHECK(open_code(r, "/hostabs") == ec::no_such_file);
  CHECK(open_code(r, "/hostdir/secret") == ec::no_such_file);
  CHECK(open_code(r, "/abs" + h.outside + "/secret") == ec::no_such_file);
  CHECK(open_code(r, "/up" + h.outside + "/secret") == ec::no_such_file);
}

TEST_CASE("open_in_root reports loops and non-directories as invalid arguments", "[fs]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  hostile_tree h;
  int r = h.fd.get();
  CHECK(open_code(r, "/loop1") == ec::invalid_argument);
  CHECK(open_code(r, "/loop1/x") == ec::invalid_argument);
  CHECK(open_code(r, "/etc/passwd/x") == ec::invalid_argument);
  try {
    open_in_root(r, "/nothing/here", O_RDONLY);
    FAIL("no error");
  } catch (const error& e) {
    CHECK(e.code() == ec::no_such_file);
    CHECK(std::string(e.what()) == "/nothing/here: no such file or directory in the container");
  }
}

TEST_CASE("open_in_root with O_NOFOLLOW opens a final symlink itself", "[fs]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  hostile_tree h;
  unique_fd fd = open_in_root(h.fd.get(), "/hostabs", O_PATH | O_NOFOLLOW);
  struct stat st;
  REQUIRE(::fstat(fd.get(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
}

TEST_CASE("open_in_root refuses magic links such as proc self root", "[fs]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  unique_fd host = open_root("/");
  // /proc/self/root is a magic link: following it could leave any root.
  CHECK(open_code(host.get(), "/proc/self/root/etc") == ec::invalid_argument);
  CHECK(open_code(host.get(), "/proc/self/cwd") == ec::invalid_argument);
  // Refused as a magic link (ELOOP), not merely as a jump out of the root (EXDEV).
  CHECK_THROWS_WITH(open_in_root(host.get(), "/proc/self/exe", O_RDONLY),
                    Catch::Contains(std::strerror(ELOOP)));
}

TEST_CASE("open_in_root never creates files outside the root", "[fs]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  hostile_tree h;
  int r = h.fd.get();
  REQUIRE(::symlink((h.outside + "/created").c_str(), (h.root + "/newlink").c_str()) == 0);
  // The absolute link is re-rooted: its directory does not exist inside the root.
  CHECK(open_code(r, "/newlink", O_WRONLY | O_CREAT, 0644) == ec::no_such_file);
  CHECK(open_code(r, "/hostdir/created2", O_WRONLY | O_CREAT, 0644) == ec::no_such_file);
  // Through the climbing relative link it is created in the in-root decoy directory.
  CHECK(open_code(r, "/dirlink/created3", O_WRONLY | O_CREAT, 0644) == ec::none);
  CHECK(open_code(r, "../outside/created4", O_WRONLY | O_CREAT, 0600) == ec::none);
  struct stat st;
  CHECK(::stat((h.root + "/outside/created3").c_str(), &st) == 0);
  CHECK(::stat((h.root + "/outside/created4").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  for (auto n : {"created", "created2", "created3", "created4"})
    CHECK(::access((h.outside + "/" + n).c_str(), F_OK) != 0);
}

TEST_CASE("stat_in_root lstats and shows link targets as container paths", "[fs]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  hostile_tree h;
  int r = h.fd.get();
  struct timespec ts[2] = {{1500000000, 0}, {1600000000, 123456789}};
  REQUIRE(::utimensat(AT_FDCWD, (h.root + "/etc/passwd").c_str(), ts, 0) == 0);
  REQUIRE(::chmod((h.root + "/etc/passwd").c_str(), 0640) == 0);

  file_info f = stat_in_root(r, "/etc/passwd");
  CHECK(f.name == "passwd");
  CHECK(f.size == 9);
  CHECK(S_ISREG(f.mode));
  CHECK((f.mode & 07777) == 0640);
  CHECK(f.mtime_ns == 1600000000123456789LL);
  CHECK(f.uid == ::geteuid());
  CHECK(f.link_target.empty());

  file_info root = stat_in_root(r, "/");
  CHECK(root.name == "/");
  CHECK(S_ISDIR(root.mode));

  file_info abs = stat_in_root(r, "/abs");
  CHECK(S_ISLNK(abs.mode));
  CHECK(abs.name == "abs");
  CHECK(abs.link_target == "/");
  CHECK(stat_in_root(r, "/passwdlink").link_target == "/etc/passwd");
  CHECK(stat_in_root(r, "/d/rel").link_target == "/etc/passwd");
  CHECK(stat_in_root(r, "/hostabs").link_target == h.outside + "/secret");
  CHECK(stat_in_root(r, "/dirlink").link_target == "/outside");
  // Through symlinked parents: the in-root decoy, never the host's sentinel.
  file_info s = stat_in_root(r, "/dirlink/secret");
  CHECK(s.name == "secret");
  CHECK(s.size == 5);
  CHECK(stat_in_root(r, "/abs/../up/outside/secret").size == 5);
  CHECK_THROWS_AS(stat_in_root(r, "/hostdir/secret"), error);
  try {
    stat_in_root(r, "/hostabs/x");
    FAIL("no error");
  } catch (const error& e) {
    CHECK(e.code() == ec::no_such_file);
  }
}

}  // namespace fs_root_test
