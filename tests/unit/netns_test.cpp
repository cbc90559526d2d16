// Persistent network namespaces (runtime/netns.hpp), each case in a sandbox (a forked
// child with its own mount and network namespaces and a tmpfs scratch directory, see
// netns_sandbox.hpp): create binds a new namespace and leaves the calling thread where it
// was, an existing one is kept, scoped_enter goes in and back, remove leaves nothing.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <net/if.h>
#include <sys/stat.h>

#include <cstdio>
#include <thread>

#include "messages/error.hpp"
#include "netns_sandbox.hpp"
#include "runtime/netns.hpp"

namespace netns_test {

using namespace ctrd;
using ctrd::test::ns_inode;
using ctrd::test::own_ns_inode;
using ctrd::test::run_sandboxed;

namespace {

void check_sandboxed(const std::function<std::string(const std::string&)>& body) {
  auto r = run_sandboxed(body);
  if (r.skipped) {
    WARN("skipped: " << r.text);
    return;
  }
  INFO(r.text);
  CHECK(r.text.empty());
}

}  // namespace

TEST_CASE("netns create binds a new namespace and leaves the thread at home", "[netns]") {
  check_sandboxed([](const std::string& dir) {
    std::string fails;
    std::string path = dir + "/c1";
    ino_t home = own_ns_inode();
    SANDBOX_EXPECT(fails, home != 0);
    SANDBOX_EXPECT(fails, !netns::exists(path));
    SANDBOX_EXPECT(fails, netns::create(path) == false);
    SANDBOX_EXPECT(fails, own_ns_inode() == home);
    SANDBOX_EXPECT(fails, netns::exists(path));
    ino_t made = ns_inode(path);
    SANDBOX_EXPECT(fails, made != 0);
    SANDBOX_EXPECT(fails, made != home);
    // A second one is another namespace.
    SANDBOX_EXPECT(fails, netns::create(dir + "/c2") == false);
    SANDBOX_EXPECT(fails, ns_inode(dir + "/c2") != made);
    SANDBOX_EXPECT(fails, ns_inode(dir + "/c2") != home);
    SANDBOX_EXPECT(fails, own_ns_inode() == home);
    // A plain file, a directory or nothing is no namespace.
    int fd = ::open((dir + "/plain").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    ::close(fd);
    SANDBOX_EXPECT(fails, !netns::exists(dir + "/plain"));
    SANDBOX_EXPECT(fails, !netns::exists(dir));
    SANDBOX_EXPECT(fails, !netns::exists(dir + "/absent"));
    return fails;
  });
}

TEST_CASE("netns create keeps an existing namespace and reuses a leftover file", "[netns]") {
  check_sandboxed([](const std::string& dir) {
    std::string fails;
    std::string path = dir + "/c1";
    SANDBOX_EXPECT(fails, netns::create(path) == false);
    ino_t made = ns_inode(path);
    SANDBOX_EXPECT(fails, netns::create(path) == true);
    SANDBOX_EXPECT(fails, ns_inode(path) == made);
    // A file left by an interrupted create (no mount on it) becomes the mount point.
    std::string left = dir + "/left";
    int fd = ::open(left.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
    ::close(fd);
    SANDBOX_EXPECT(fails, netns::create(left) == false);
    SANDBOX_EXPECT(fails, netns::exists(left));
    return fails;
  });
}

TEST_CASE("netns create names the step that failed and leaves nothing", "[netns]") {
  check_sandboxed([](const std::string& dir) {
    std::string fails;
    ino_t home = own_ns_inode();
    std::string path = dir + "/missing-dir/c1";
    try {
      netns::create(path);
      fails += "no error for a missing directory\n";
    } catch (const ctrd::error& e) {
      std::string msg = e.what();
      SANDBOX_EXPECT(fails, e.code() == ec::internal);
      SANDBOX_EXPECT(
          fails, msg == "create network namespace file " + path + ": No such file or directory");
    }
    SANDBOX_EXPECT(fails, own_ns_inode() == home);
    return fails;
  });
}

TEST_CASE("netns scoped_enter switches the thread in and back", "[netns]") {
  check_sandboxed([](const std::string& dir) {
    std::string fails;
    std::string path = dir + "/c1";
    netns::create(path);
    ino_t home = own_ns_inode();
    {
      netns::scoped_enter in(path);
      SANDBOX_EXPECT(fails, own_ns_inode() == ns_inode(path));
      // A fresh namespace: only lo, down.
      SANDBOX_EXPECT(fails, ::if_nametoindex("lo") != 0);
    }
    SANDBOX_EXPECT(fails, own_ns_inode() == home);
    // Nested: into c2 from within c1, back to c1, back home.
    netns::create(dir + "/c2");
    {
      netns::scoped_enter a(path);
      {
        netns::scoped_enter b(dir + "/c2");
        SANDBOX_EXPECT(fails, own_ns_inode() == ns_inode(dir + "/c2"));
      }
      SANDBOX_EXPECT(fails, own_ns_inode() == ns_inode(path));
    }
    SANDBOX_EXPECT(fails, own_ns_inode() == home);
    // Not a namespace: an error naming it, and the thread stays home.
    for (const std::string& bad : {dir + "/absent", dir}) {
      try {
        netns::scoped_enter in(bad);
        fails += "no error entering " + bad + "\n";
      } catch (const ctrd::error& e) {
        SANDBOX_EXPECT(fails, std::string(e.what()).find(bad) != std::string::npos);
      }
      SANDBOX_EXPECT(fails, own_ns_inode() == home);
    }
    return fails;
  });
}

TEST_CASE("netns operations switch only the calling thread", "[netns]") {
  check_sandboxed([](const std::string& dir) {
    std::string fails;
    std::string path = dir + "/c1";
    ino_t home = own_ns_inode();
    ino_t other_inside = 0;
    std::thread t([&] {
      netns::create(path);
      netns::scoped_enter in(path);
      other_inside = own_ns_inode();
    });
    t.join();
    SANDBOX_EXPECT(fails, other_inside == ns_inode(path));
    SANDBOX_EXPECT(fails, own_ns_inode() == home);
    // While another thread is inside, the main thread (its task) stays home.
    std::thread t2([&] {
      netns::scoped_enter in(path);
      SANDBOX_EXPECT(fails, own_ns_inode() == ns_inode(path));
      SANDBOX_EXPECT(fails,
                     ns_inode("/proc/self/task/" + std::to_string(::getpid()) + "/ns/net") == home);
    });
    t2.join();
    SANDBOX_EXPECT(fails, own_ns_inode() == home);
    return fails;
  });
}

TEST_CASE("netns remove leaves nothing and may be repeated", "[netns]") {
  check_sandboxed([](const std::string& dir) {
    std::string fails;
    std::string path = dir + "/c1";
    netns::create(path);
    netns::remove(path);
    struct stat st {};
    SANDBOX_EXPECT(fails, ::lstat(path.c_str(), &st) != 0 && errno == ENOENT);
    SANDBOX_EXPECT(fails, !netns::exists(path));
    netns::remove(path);  // absent: nothing
    netns::remove(path);
    // A leftover plain file is removed too.
    int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
    ::close(fd);
    netns::remove(path);
    SANDBOX_EXPECT(fails, ::lstat(path.c_str(), &st) != 0);
    // And the name can be used again for a new namespace.
    SANDBOX_EXPECT(fails, netns::create(path) == false);
    SANDBOX_EXPECT(fails, netns::exists(path));
    netns::remove(path);
    SANDBOX_EXPECT(fails, !netns::exists(path));
    // No mount of it is left in this mount namespace.
    std::string mounts;
    if (FILE* f = std::fopen("/proc/self/mountinfo", "r")) {
      char buf[4096];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) mounts.append(buf, n);
      std::fclose(f);
    }
    SANDBOX_EXPECT(fails, mounts.find(path) == std::string::npos);
    return fails;
  });
}

}  // namespace netns_test
