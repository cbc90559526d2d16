// tar_out / tar_in: a full round trip of a tree with every kind of entry, the top_name and
// virtual file system rules, and hostile trees and archives that must never make ctrd read
// or write outside the root (sentinels placed next to the root are checked every time).
#include "runtime/tar_stream.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include "messages/error.hpp"
#include "runtime/fs_root.hpp"
#include "tests/support/emulation.hpp"
#include "tests/support/temp_dir.hpp"

namespace tar_stream_test {

using namespace ctrd;
using namespace ctrd::fs;

namespace {

using ctrd::test::temp_dir;

// Writes `content` to the host file `p` with mode `mode`.
void write_file(const std::string& p, const std::string& content, mode_t mode = 0644) {
  std::ofstream(p, std::ios::binary) << content;
  REQUIRE(::chmod(p.c_str(), mode) == 0);
}

// The content of the host file `p`.
std::string read_file(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// True when `p` exists on the host (a dangling symlink counts).
bool exists(const std::string& p) {
  struct stat st;
  return ::lstat(p.c_str(), &st) == 0;
}

// mkdir with an exact mode (umask and setgid inheritance aside).
void make_dir(const std::string& p, mode_t mode = 0755) {
  REQUIRE(::mkdir(p.c_str(), 0700) == 0);
  REQUIRE(::chmod(p.c_str(), mode) == 0);
}

/// An archive collected in memory, with the largest chunk the sink received.
struct collected {
  std::string bytes;
  std::size_t max_chunk = 0;
};

// Runs tar_out into memory.
collected archive_of(int root, const std::string& path, const tar_out_options& opt = {}) {
  collected c;
  tar_out(
      root, path,
      [&c](const char* d, std::size_t n) {
        c.bytes.append(d, n);
        c.max_chunk = std::max(c.max_chunk, n);
      },
      opt);
  return c;
}

// Runs tar_in from memory, handing out at most `step` bytes per call.
tar_in_result extract(int root, const std::string& dest, const std::string& bytes,
                      const tar_in_options& opt = {}, std::size_t step = 5000) {
  std::size_t pos = 0;
  return tar_in(
      root, dest,
      [&](char* buf, std::size_t cap) {
        std::size_t n = std::min({cap, step, bytes.size() - pos});
        std::copy_n(bytes.data() + pos, n, buf);
        pos += n;
        return n;
      },
      opt);
}

/// What a test needs to know about an archive entry.
struct entry_info {
  std::string name;  ///< without a trailing '/'
  mode_t type = 0;
  mode_t perm = 0;
  int64_t size = 0;
  std::string symlink, hardlink;
  int64_t uid = 0, gid = 0;
};

// Lists the entries of a tar archive held in memory.
std::vector<entry_info> entries_of(const std::string& bytes) {
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  REQUIRE(archive_read_open_memory(a, bytes.data(), bytes.size()) == ARCHIVE_OK);
  std::vector<entry_info> out;
  archive_entry* e;
  int rc;
  while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    entry_info i;
    i.name = archive_entry_pathname(e);
    if (i.name.size() > 1 && i.name.back() == '/') i.name.pop_back();
    i.type = archive_entry_filetype(e);
    i.perm = archive_entry_perm(e);
    i.size = archive_entry_size(e);
    if (archive_entry_symlink(e)) i.symlink = archive_entry_symlink(e);
    if (archive_entry_hardlink(e)) i.hardlink = archive_entry_hardlink(e);
    i.uid = archive_entry_uid(e);
    i.gid = archive_entry_gid(e);
    out.push_back(i);
  }
  CHECK(rc == ARCHIVE_EOF);
  archive_read_free(a);
  return out;
}

// The entry names of an archive, in archive order.
std::vector<std::string> names_of(const std::string& bytes) {
  std::vector<std::string> n;
  for (const auto& e : entries_of(bytes)) n.push_back(e.name);
  return n;
}

/// One entry of a hand-made (possibly hostile) archive.
struct spec {
  std::string name;
  mode_t type = AE_IFREG;
  std::string data;  ///< file content, or the symlink / hard link target
  bool hardlink = false;
  mode_t perm = 0644;
};

// Writes a pax archive with exactly the given names (libarchive does not sanitise them).
std::string make_archive(const std::vector<spec>& specs) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  auto cb = [](archive*, void* p, const void* buf, size_t n) -> la_ssize_t {
    static_cast<std::string*>(p)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  };
  REQUIRE(archive_write_open(a, &out, nullptr, cb, nullptr) == ARCHIVE_OK);
  for (const auto& s : specs) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, s.name.c_str());
    archive_entry_set_filetype(e, s.type);
    archive_entry_set_perm(e, s.perm);
    archive_entry_set_mtime(e, 1400000000, 0);
    if (s.hardlink) {
      archive_entry_set_hardlink(e, s.data.c_str());
    } else if (s.type == AE_IFLNK) {
      archive_entry_set_symlink(e, s.data.c_str());
    } else if (s.type == AE_IFCHR) {
      archive_entry_set_rdev(e, makedev(1, 3));
    }
    bool data = s.type == AE_IFREG && !s.hardlink;
    archive_entry_set_size(e, data ? static_cast<la_int64_t>(s.data.size()) : 0);
    REQUIRE(archive_write_header(a, e) == ARCHIVE_OK);
    if (data) archive_write_data(a, s.data.data(), s.data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

// The error code of `f` (ec::none when it does not throw ctrd::error).
template <class F>
ec code_of(F&& f) {
  try {
    f();
    return ec::none;
  } catch (const error& e) {
    INFO(e.what());
    return e.code();
  }
}

// Sets a host path's times without following it.
void set_mtime(const std::string& p, time_t sec) {
  struct timespec ts[2] = {{sec, 0}, {sec, 0}};
  REQUIRE(::utimensat(AT_FDCWD, p.c_str(), ts, AT_SYMLINK_NOFOLLOW) == 0);
}

// Sorted names in a host directory.
std::vector<std::string> dir_names(const std::string& p) {
  std::vector<std::string> n;
  for (const auto& de : std::filesystem::directory_iterator(p))
    n.push_back(de.path().filename().string());
  std::sort(n.begin(), n.end());
  return n;
}

// Compares two host trees entry by entry: type and mode, owner, size, content, link target
// and mtime seconds. Returns how many entries were compared.
int compare_trees(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  REQUIRE(::lstat(a.c_str(), &sa) == 0);
  INFO(b);
  REQUIRE(::lstat(b.c_str(), &sb) == 0);
  CHECK(sa.st_mode == sb.st_mode);
  CHECK(sa.st_uid == sb.st_uid);
  CHECK(sa.st_gid == sb.st_gid);
  CHECK(sa.st_mtim.tv_sec == sb.st_mtim.tv_sec);
  int n = 1;
  if (S_ISREG(sa.st_mode)) {
    CHECK(sa.st_size == sb.st_size);
    CHECK((read_file(a) == read_file(b)));
  } else if (S_ISLNK(sa.st_mode)) {
    CHECK(std::filesystem::read_symlink(a) == std::filesystem::read_symlink(b));
  } else if (S_ISDIR(sa.st_mode)) {
    auto na = dir_names(a);
    REQUIRE(na == dir_names(b));
    for (const auto& c : na) n += compare_trees(a + "/" + c, b + "/" + c);
  }
  return n;
}

/// A source root with a tree "top" holding every kind of entry (see the round trip test).
struct sample_tree {
  temp_dir t;
  std::string root = t.path() + "/src";
  std::string top = root + "/top";
  std::string big;
  // Builds the tree; mtimes are set last, deepest first.
  sample_tree() {
    make_dir(root);
    make_dir(top, 0755);
    write_file(top + "/exec.sh", "#!/bin/sh\necho hi\n", 0755);
    write_file(top + "/secret", "s3cret", 0600);
    write_file(top + "/setuid", "suid", 04755);
    make_dir(top + "/setgid_dir", 02775);
    write_file(top + "/setgid_dir/inner", "inner", 0644);
    make_dir(top + "/sticky_dir", 01777);
    make_dir(top + "/empty", 0700);
    make_dir(top + "/sub", 0750);
    make_dir(top + "/sub/deeper", 0755);
    write_file(top + "/sub/deeper/file", "deep", 0444);
    write_file(top + "/caf\xc3\xa9", "utf8", 0644);
    REQUIRE(::symlink("exec.sh", (top + "/rel_link").c_str()) == 0);
    REQUIRE(::symlink("/etc/passwd", (top + "/abs_link").c_str()) == 0);
    REQUIRE(::link((top + "/exec.sh").c_str(), (top + "/hard").c_str()) == 0);
    REQUIRE(::mkfifo((top + "/fifo").c_str(), 0640) == 0);
    big.resize(3 * 1024 * 1024);
    uint32_t x = 12345;
    for (auto& c : big) c = static_cast<char>((x = x * 1103515245 + 12345) >> 24);
    write_file(top + "/big", big, 0644);
    if (::geteuid() == 0) {
      write_file(top + "/owned", "owned", 0640);
      REQUIRE(::lchown((top + "/owned").c_str(), 1234, 5678) == 0);
      REQUIRE(::lchown((top + "/rel_link").c_str(), 1234, 5678) == 0);
    }
    time_t sec = 1000000000;
    for (auto p : {"/exec.sh", "/secret", "/setuid", "/setgid_dir/inner", "/sub/deeper/file",
                   "/caf\xc3\xa9", "/rel_link", "/abs_link", "/fifo", "/big"})
      set_mtime(top + p, sec += 1000);
    for (auto p : {"/sub/deeper", "/sub", "/setgid_dir", "/sticky_dir", "/empty", ""})
      set_mtime(top + p, sec += 1000);
  }
};

}  // namespace

TEST_CASE("tar round trip keeps modes contents links and mtimes", "[tar]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  sample_tree s;
  unique_fd src = open_root(s.root);
  collected c = archive_of(src.get(), "/top");
  CHECK(c.max_chunk <= 64 * 1024);  // streamed, not built whole
  auto list = entries_of(c.bytes);
  std::map<std::string, entry_info> by_name;
  for (const auto& e : list) by_name[e.name] = e;
  REQUIRE(by_name.count("top"));
  CHECK(list.front().name == "top");
  CHECK(by_name["top/big"].size == 3 * 1024 * 1024);
  CHECK(by_name["top/rel_link"].symlink == "exec.sh");
  CHECK(by_name["top/abs_link"].symlink == "/etc/passwd");
  // Names are sorted, so "exec.sh" is stored with data and "hard" refers to it.
  CHECK(by_name["top/hard"].hardlink == "top/exec.sh");
  CHECK(by_name["top/hard"].size == 0);
  CHECK(by_name["top/fifo"].type == AE_IFIFO);

  temp_dir dst;
  unique_fd d = open_root(dst.path());
  tar_in_result r = extract(d.get(), "/", c.bytes);
  CHECK(r.entries == list.size());
  uint64_t data = 0;
  for (const auto& e : list) data += e.hardlink.empty() && e.type == AE_IFREG ? e.size : 0;
  CHECK(r.bytes == data);
  CHECK(data > 3 * 1024 * 1024);

  CHECK(compare_trees(s.top, dst.path() + "/top") == static_cast<int>(list.size()));
  struct stat a, b;
  REQUIRE(::stat((dst.path() + "/top/hard").c_str(), &a) == 0);
  REQUIRE(::stat((dst.path() + "/top/exec.sh").c_str(), &b) == 0);
  CHECK(a.st_ino == b.st_ino);
  CHECK(a.st_nlink == 2);
  REQUIRE(::lstat((dst.path() + "/top/setgid_dir").c_str(), &a) == 0);
  CHECK((a.st_mode & 07777) == 02775);
  REQUIRE(::lstat((dst.path() + "/top/sticky_dir").c_str(), &a) == 0);
  CHECK((a.st_mode & 07777) == 01777);
  REQUIRE(::lstat((dst.path() + "/top/setuid").c_str(), &a) == 0);
  CHECK((a.st_mode & 07777) == 04755);
  CHECK(read_file(dst.path() + "/top/big") == s.big);
  if (::geteuid() == 0) {
    REQUIRE(::lstat((dst.path() + "/top/owned").c_str(), &a) == 0);
    CHECK(a.st_uid == 1234);
    CHECK(a.st_gid == 5678);
  }
}

TEST_CASE("tar owner overrides apply to every entry both ways", "[tar]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  sample_tree s;
  unique_fd src = open_root(s.root);
  tar_out_options o;
  o.owner = std::make_pair(4242u, 4343u);
  for (const auto& e : entries_of(archive_of(src.get(), "/top", o).bytes)) {
    CHECK(e.uid == 4242);
    CHECK(e.gid == 4343);
  }
  if (::geteuid() != 0) {
    WARN("not root: tar_in owner override not tested");
    return;
  }
  temp_dir dst;
  unique_fd d = open_root(dst.path());
  tar_in_options io;
  io.owner = std::make_pair(777u, 888u);
  extract(d.get(), "/", archive_of(src.get(), "/top").bytes, io);
  for (const auto& p : std::filesystem::recursive_directory_iterator(dst.path())) {
    struct stat st;
    REQUIRE(::lstat(p.path().c_str(), &st) == 0);
    INFO(p.path());
    CHECK(st.st_uid == 777);
    CHECK(st.st_gid == 888);
  }
  struct stat st;
  REQUIRE(::lstat((dst.path() + "/top/setuid").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 04755);  // the chown did not drop setuid
}

TEST_CASE("tar_out top_name selects the top level entry name", "[tar]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  temp_dir t;
  make_dir(t.path() + "/top");
  write_file(t.path() + "/top/a", "a");
  make_dir(t.path() + "/top/d");
  write_file(t.path() + "/top/d/b", "b");
  unique_fd r = open_root(t.path());
  using v = std::vector<std::string>;
  auto names = [&](const std::string& path, const std::string& top) {
    tar_out_options o;
    o.top_name = top;
    return names_of(archive_of(r.get(), path, o).bytes);
  };
  CHECK(names("/top", "") == v{"top", "top/a", "top/d", "top/d/b"});
  CHECK(names("/top/", "") == v{"top", "top/a", "top/d", "top/d/b"});
  CHECK(names("/top", ".") == v{"a", "d", "d/b"});
  CHECK(names("/top", "newname") == v{"newname", "newname/a", "newname/d", "newname/d/b"});
  CHECK(names("/", "") == v{"top", "top/a", "top/d", "top/d/b"});
  CHECK(names("/", ".") == v{"top", "top/a", "top/d", "top/d/b"});
  CHECK(names("/", "x") == v{"x", "x/top", "x/top/a", "x/top/d", "x/top/d/b"});
  CHECK(names("/top/a", "") == v{"a"});
  CHECK(names("/top/d/../a", "renamed") == v{"renamed"});
  CHECK(code_of([&] { names("/top/a", "."); }) == ec::invalid_argument);
  CHECK(code_of([&] { names("/top/missing", ""); }) == ec::no_such_file);
}

TEST_CASE("tar_out stores symlinks and never follows them out of the root", "[tar]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  temp_dir t;
  std::string root = t.path() + "/root", outside = t.path() + "/outside";
  make_dir(root);
  make_dir(outside);
  write_file(outside + "/secret", "HOST-SENTINEL-4711");
  make_dir(root + "/top");
  REQUIRE(::symlink(outside.c_str(), (root + "/top/dlink").c_str()) == 0);
  REQUIRE(::symlink("../../../../outside", (root + "/top/up").c_str()) == 0);
  REQUIRE(::symlink((outside + "/secret").c_str(), (root + "/top/flink").c_str()) == 0);
  unique_fd r = open_root(root);

  std::string all = archive_of(r.get(), "/top").bytes;
  CHECK(names_of(all) == std::vector<std::string>{"top", "top/dlink", "top/flink", "top/up"});
  CHECK(all.find("HOST-SENTINEL") == std::string::npos);
  auto one = entries_of(archive_of(r.get(), "/top/dlink").bytes);
  REQUIRE(one.size() == 1);
  CHECK(one[0].type == AE_IFLNK);
  CHECK(one[0].symlink == outside);
  // Paths through the links are resolved inside the root, where the host path is missing.
  CHECK(code_of([&] { archive_of(r.get(), "/top/dlink/secret"); }) == ec::no_such_file);
  CHECK(code_of([&] { archive_of(r.get(), "/top/up/secret"); }) == ec::no_such_file);
  CHECK(code_of([&] { archive_of(r.get(), "../outside"); }) == ec::no_such_file);
  tar_out_options dot;
  dot.top_name = ".";
  CHECK(code_of([&] { archive_of(r.get(), "/top/dlink", dot); }) == ec::no_such_file);
}

TEST_CASE("tar_out skips the contents of proc and other virtual file systems", "[tar]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  unique_fd host = open_root("/");
  tar_out_options skip, all;
  all.skip_virtual_fs = false;
  CHECK(names_of(archive_of(host.get(), "/proc", skip).bytes) == std::vector<std::string>{"proc"});
  CHECK(names_of(archive_of(host.get(), "/proc/sys/kernel/random", skip).bytes) ==
        std::vector<std::string>{"random"});
  auto n = names_of(archive_of(host.get(), "/proc/sys/kernel/random", all).bytes);
  CHECK(std::find(n.begin(), n.end(), "random/boot_id") != n.end());

  temp_dir t;
  make_dir(t.path() + "/sub");
  make_dir(t.path() + "/sub/proc");
  write_file(t.path() + "/sub/file", "f");
  std::string mnt = t.path() + "/sub/proc";
  if (::mount("proc", mnt.c_str(), "proc", 0, nullptr) != 0) {
    WARN("cannot mount proc (not root?): mounted virtual fs case not tested");
    return;
  }
  struct unmount {
    std::string p;
    ~unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } guard{mnt};
  unique_fd r = open_root(t.path());
  tar_out_options dot;
  dot.top_name = ".";
  CHECK(names_of(archive_of(r.get(), "/", dot).bytes) ==
        std::vector<std::string>{"sub", "sub/file", "sub/proc"});
  dot.skip_virtual_fs = false;
  auto many = names_of(archive_of(r.get(), "/sub/proc/sys/kernel/random", dot).bytes);
  CHECK(std::find(many.begin(), many.end(), "uuid") != many.end());
}

/// A root with a destination directory and, next to the root, a host directory holding a
/// sentinel that no archive may touch.
struct extract_env {
  temp_dir t;
  std::string root = t.path() + "/root", dest = root + "/dest", outside = t.path() + "/outside";
  unique_fd fd;
  // Builds the directories and opens the root.
  extract_env() {
    make_dir(root);
    make_dir(dest);
    make_dir(outside);
    write_file(outside + "/target", "HOST");
    fd = open_root(root);
  }
  // Extracts `specs` into /dest.
  ec run(const std::vector<spec>& specs, bool overwrite = false) {
    tar_in_options o;
    o.overwrite = overwrite;
    std::string bytes = make_archive(specs);
    return code_of([&] { extract(fd.get(), "/dest", bytes, o); });
  }
  // True when the host directory still holds only the untouched sentinel.
  bool outside_untouched() const {
    return dir_names(outside) == std::vector<std::string>{"target"} &&
           read_file(outside + "/target") == "HOST";
  }
};

TEST_CASE("tar_in refuses absolute and dot dot entry names", "[tar]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  extract_env env;
  CHECK(names_of(make_archive({{"/abs"}})) == std::vector<std::string>{"/abs"});
  CHECK(env.run({{"../escape", AE_IFREG, "x"}}) == ec::invalid_argument);
  CHECK(env.run({{"/abs", AE_IFREG, "x"}}) == ec::invalid_argument);
  CHECK(env.run({{"a/../../x", AE_IFREG, "x"}}) == ec::invalid_argument);
  CHECK(env.run({{"ok/../../../../outside/target", AE_IFREG, "x"}}) == ec::invalid_argument);
  CHECK(env.run({{"..", AE_IFDIR}}) == ec::invalid_argument);
  CHECK(!exists(env.root + "/escape"));
  CHECK(!exists(env.t.path() + "/escape"));
  CHECK(!exists(env.t.path() + "/x"));
  CHECK(!exists("/abs"));
  CHECK(dir_names(env.dest).empty());
  CHECK(env.outside_untouched());
}

TEST_CASE("tar_in never writes through symlinks made by the archive or the container", "[tar]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  extract_env env;
  ec c = env.run({{"link", AE_IFLNK, env.outside}, {"link/file", AE_IFREG, "evil"}});
  CHECK(c == ec::invalid_argument);
  CHECK(std::filesystem::read_symlink(env.dest + "/link") == env.outside);
  CHECK(env.run({{"rlink", AE_IFLNK, "../../outside"}, {"rlink/file", AE_IFREG, "x"}}) ==
        ec::invalid_argument);
  CHECK(env.run({{"rlink", AE_IFLNK, "../../outside"}, {"rlink/sub/", AE_IFDIR}}) ==
        ec::invalid_argument);
  // A symlink the container made, in the middle of the path.
  REQUIRE(::symlink(env.outside.c_str(), (env.dest + "/pl").c_str()) == 0);
  CHECK(env.run({{"pl/new", AE_IFREG, "x"}}) == ec::invalid_argument);
  CHECK(env.run({{"pl/a/b/c", AE_IFREG, "x"}}) == ec::invalid_argument);
  // A symlink at the leaf is replaced, not written through.
  REQUIRE(::symlink((env.outside + "/target").c_str(), (env.dest + "/f").c_str()) == 0);
  CHECK(env.run({{"f", AE_IFREG, "NEW"}}) == ec::none);
  struct stat st;
  REQUIRE(::lstat((env.dest + "/f").c_str(), &st) == 0);
  CHECK(S_ISREG(st.st_mode));
  CHECK(read_file(env.dest + "/f") == "NEW");
  CHECK(env.outside_untouched());
}

TEST_CASE("tar_in keeps hard links inside the archive tree", "[tar]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  extract_env env;
  CHECK(env.run({{"h", AE_IFREG, "/etc/passwd", true}}) == ec::invalid_argument);
  CHECK(env.run({{"h", AE_IFREG, "../outside/target", true}}) == ec::invalid_argument);
  CHECK(env.run({{"h", AE_IFREG, "a/../../x", true}}) == ec::invalid_argument);
  CHECK(env.run({{"sl", AE_IFLNK, env.outside}, {"h", AE_IFREG, "sl/target", true}}) ==
        ec::invalid_argument);
  CHECK(env.run({{"h", AE_IFREG, "missing", true}}) == ec::invalid_argument);
  CHECK(!exists(env.dest + "/h"));
  // A link to a symlink links the symlink itself.
  CHECK(env.run({{"sl2", AE_IFLNK, env.outside + "/target"}, {"h2", AE_IFREG, "sl2", true}}) ==
        ec::none);
  struct stat st;
  REQUIRE(::lstat((env.dest + "/h2").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(env.run({{"d/f", AE_IFREG, "data"}, {"d/g", AE_IFREG, "./d/f", true}}) == ec::none);
  CHECK(read_file(env.dest + "/d/g") == "data");
  CHECK(env.outside_untouched());
}

TEST_CASE("tar_in replaces directories and non-directories only with overwrite", "[tar]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  extract_env env;
  write_file(env.dest + "/x", "file");
  CHECK(env.run({{"x", AE_IFDIR, "", false, 0755}}) == ec::invalid_argument);
  CHECK(read_file(env.dest + "/x") == "file");
  CHECK(env.run({{"x", AE_IFDIR, "", false, 0755}, {"x/in", AE_IFREG, "in"}}, true) == ec::none);
  CHECK(read_file(env.dest + "/x/in") == "in");

  make_dir(env.dest + "/y");
  make_dir(env.dest + "/y/inner");
  write_file(env.dest + "/y/inner/deep", "deep");
  REQUIRE(::symlink(env.outside.c_str(), (env.dest + "/y/inner/out").c_str()) == 0);
  CHECK(env.run({{"y", AE_IFREG, "now a file"}}) == ec::invalid_argument);
  CHECK(read_file(env.dest + "/y/inner/deep") == "deep");
  CHECK(env.run({{"y", AE_IFREG, "now a file"}}, true) == ec::none);
  CHECK(read_file(env.dest + "/y") == "now a file");

  // A symlink to a host directory is a non-directory: never merged into, only replaced.
  REQUIRE(::symlink(env.outside.c_str(), (env.dest + "/z").c_str()) == 0);
  CHECK(env.run({{"z", AE_IFDIR}, {"z/f", AE_IFREG, "x"}}) == ec::invalid_argument);
  CHECK(env.run({{"z", AE_IFDIR}, {"z/f", AE_IFREG, "x"}}, true) == ec::none);
  CHECK(read_file(env.dest + "/z/f") == "x");
  CHECK(env.outside_untouched());
}

TEST_CASE("tar_in creates missing parents and strips leading dot slash", "[tar]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  extract_env env;
  tar_in_options o;
  std::string bytes = make_archive({{"./a", AE_IFREG, "a"},
                                    {"x/y/z", AE_IFREG, "z"},
                                    {"./", AE_IFDIR},
                                    {"fifo", AE_IFIFO, "", false, 0620}});
  tar_in_result r = extract(env.fd.get(), "/dest", bytes, o, 7);
  CHECK(r.entries == 3);
  CHECK(r.bytes == 2);
  CHECK(read_file(env.dest + "/a") == "a");
  CHECK(read_file(env.dest + "/x/y/z") == "z");
  struct stat st;
  REQUIRE(::lstat((env.dest + "/fifo").c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  CHECK((st.st_mode & 07777) == 0620);
  CHECK(st.st_mtime == 1400000000);
  // An empty stream is an empty archive.
  CHECK(extract(env.fd.get(), "/dest", "").entries == 0);
}

TEST_CASE("tar_in resolves the destination inside the root", "[tar]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  extract_env env;
  std::string bytes = make_archive({{"new", AE_IFREG, "x"}});
  CHECK(code_of([&] { extract(env.fd.get(), "../outside", bytes); }) == ec::no_such_file);
  REQUIRE(::symlink(env.outside.c_str(), (env.root + "/out").c_str()) == 0);
  CHECK(code_of([&] { extract(env.fd.get(), "/out", bytes); }) == ec::no_such_file);
  make_dir(env.root + "/outside");
  CHECK(code_of([&] { extract(env.fd.get(), "../outside", bytes); }) == ec::none);
  CHECK(read_file(env.root + "/outside/new") == "x");
  CHECK(env.outside_untouched());
}

TEST_CASE("tar_in creates device nodes as root only", "[tar]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  extract_env env;
  ec c = env.run({{"null", AE_IFCHR, "", false, 0666}});
  if (::geteuid() != 0) {
    CHECK(c == ec::invalid_argument);
    return;
  }
  REQUIRE(c == ec::none);
  struct stat st;
  REQUIRE(::lstat((env.dest + "/null").c_str(), &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
  CHECK(st.st_rdev == makedev(1, 3));
  CHECK((st.st_mode & 07777) == 0666);
}

TEST_CASE("tar_in reports broken archives and source errors", "[tar]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_openat2());
  extract_env env;
  std::string good = make_archive({{"f", AE_IFREG, std::string(100000, 'x')}});
  CHECK(code_of([&] { extract(env.fd.get(), "/dest", good.substr(0, 50000)); }) ==
        ec::invalid_argument);
  CHECK(code_of([&] { extract(env.fd.get(), "/dest", std::string(3000, 'g')); }) ==
        ec::invalid_argument);
  std::size_t calls = 0;
  auto failing = [&](char* buf, std::size_t cap) -> std::size_t {
    if (++calls > 3) throw std::runtime_error("source broke");
    std::size_t n = std::min<std::size_t>(cap, 1024);
    std::copy_n(good.data() + (calls - 1) * 1024, n, buf);
    return n;
  };
  CHECK_THROWS_WITH(tar_in(env.fd.get(), "/dest", failing), "source broke");
  CHECK_THROWS_WITH(
      tar_out(env.fd.get(), "/dest",
              [](const char*, std::size_t) { throw std::runtime_error("sink broke"); }),
      "sink broke");
}

}  // namespace tar_stream_test
