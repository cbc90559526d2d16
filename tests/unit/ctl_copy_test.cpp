// Unit tests for `ctrctl cp`'s path rules (podman cp / docker cp): which argument is the
// container, where a copy lands in each direction, and every refused case; plus the `stat`
// rendering and the file helpers of the file verbs. Links ctl_lib.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "ctl/copy_paths.hpp"
#include "ctl/file_io.hpp"
#include "messages/error.hpp"

namespace ctl_copy_test {

using ctl::json;
using ctl::node_kind;
using ctl::path_state;

namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ctrd::error& e) {
    return e.what();
  }
  return {};
}

path_state dir(const std::string& resolved) {
  return {node_kind::directory, resolved, {}};
}
path_state file(const std::string& resolved) {
  return {node_kind::file, resolved, {}};
}
path_state other(const std::string& resolved) {
  return {node_kind::other, resolved, {}};
}
path_state missing(const std::string& resolved = {}) {
  return {node_kind::missing, resolved, "no such file or directory"};
}

}  // namespace

TEST_CASE("cp arguments: podman's rule for which side is a container", "[ctl][cp]") {
  auto l = ctl::parse_cp_location("web:/etc/hosts");
  CHECK(l.container == "web");
  CHECK(l.path == "/etc/hosts");
  l = ctl::parse_cp_location("web:rel/path:with:colons");
  CHECK(l.container == "web");
  CHECK(l.path == "rel/path:with:colons");
  CHECK(ctl::parse_cp_location("./web:x").container.empty());   // starts with '.': host
  CHECK(ctl::parse_cp_location("/tmp/a:b").container.empty());  // starts with '/': host
  CHECK(ctl::parse_cp_location("plain").container.empty());
  CHECK(ctl::parse_cp_location("plain").path == "plain");
  CHECK(ctl::parse_cp_location("-").path == "-");

  auto a = ctl::parse_cp_args("web:/etc/hosts", "/tmp/");
  CHECK_FALSE(a.into_container);
  CHECK(a.src.container == "web");
  a = ctl::parse_cp_args("./file", "web:/tmp");
  CHECK(a.into_container);
  CHECK(a.dst.path == "/tmp");
  CHECK(ctl::parse_cp_args("-", "web:/tmp").into_container);
  CHECK_FALSE(ctl::parse_cp_args("web:/tmp", "-").into_container);
}

TEST_CASE("cp arguments that are refused", "[ctl][cp]") {
  CHECK(message_of([] { ctl::parse_cp_args("a:/x", "b:/y"); }).find("between containers") !=
        std::string::npos);
  CHECK(message_of([] { ctl::parse_cp_args("/x", "./y"); }).find("CONTAINER:PATH") !=
        std::string::npos);
  CHECK(message_of([] { ctl::parse_cp_args("web:", "/y"); }).find("you must specify paths") !=
        std::string::npos);
  CHECK(message_of([] { ctl::parse_cp_args("/x", ""); }).find("you must specify paths") !=
        std::string::npos);
  CHECK_FALSE(message_of([] { ctl::parse_cp_args("web:-", "/y"); }).empty());
}

TEST_CASE("cp path helpers", "[ctl][cp]") {
  CHECK(ctl::ends_with_dot("."));
  CHECK(ctl::ends_with_dot("dir/."));
  CHECK(ctl::ends_with_dot("/."));
  CHECK_FALSE(ctl::ends_with_dot("file."));
  CHECK_FALSE(ctl::ends_with_dot("dir/.."));
  CHECK(ctl::has_trailing_slash("dir/"));
  CHECK_FALSE(ctl::has_trailing_slash("/"));
  CHECK_FALSE(ctl::has_trailing_slash("dir"));
  CHECK(ctl::path_base("a/b/") == "b");
  CHECK(ctl::path_base("b") == "b");
  CHECK(ctl::path_base("/") == "/");
  CHECK(ctl::path_base("/b") == "b");
  CHECK(ctl::path_dir("a/b") == "a");
  CHECK(ctl::path_dir("a/b//") == "a");
  CHECK(ctl::path_dir("b") == ".");
  CHECK(ctl::path_dir("/b") == "/");
  CHECK(ctl::path_dir("/") == "/");
  CHECK(ctl::path_dir("/a//b") == "/a");
}

TEST_CASE("container to host: into an existing directory", "[ctl][cp]") {
  auto p = ctl::plan_copy_out("/etc/hosts", false, "/tmp/out", dir("/tmp/out"), {});
  CHECK_FALSE(p.to_stdout);
  CHECK(p.extract_dir == "/tmp/out");
  CHECK(p.name == "hosts");  // the source's base name
  p = ctl::plan_copy_out("/etc/", true, "out/", dir("/home/u/out"), {});
  CHECK(p.extract_dir == "/home/u/out");
  CHECK(p.name == "etc");
  // a symlink SRC is followed (the caller stats its target) but keeps its own name
  p = ctl::plan_copy_out("/bin/sh", false, "/tmp/out", dir("/tmp/out"), {});
  CHECK(p.name == "sh");
  // no usable base name: ctrd names the entry after the resolved path
  CHECK(ctl::plan_copy_out("..", true, "/tmp/out", dir("/tmp/out"), {}).name.empty());
}

TEST_CASE("container to host: SRC/. copies a directory's contents", "[ctl][cp]") {
  auto p = ctl::plan_copy_out("/etc/.", true, "/tmp/out", dir("/tmp/out"), {});
  CHECK(p.name == ".");
  CHECK(p.extract_dir == "/tmp/out");
  p = ctl::plan_copy_out("/", true, "/tmp/out", dir("/tmp/out"), {});  // the root: contents
  CHECK(p.name == ".");
  // DST missing: created with the contents (the directory itself under DST's name)
  p = ctl::plan_copy_out("/etc/.", true, "/tmp/new", missing(), dir("/tmp"));
  CHECK(p.name == "new");
  CHECK(p.extract_dir == "/tmp");
}

TEST_CASE("container to host: a missing DST takes the copy's name", "[ctl][cp]") {
  auto p = ctl::plan_copy_out("/etc/hosts", false, "/tmp/h2", missing(), dir("/tmp"));
  CHECK(p.extract_dir == "/tmp");
  CHECK(p.name == "h2");
  p = ctl::plan_copy_out("/etc", true, "copy", missing(), dir("/home/u"));
  CHECK(p.extract_dir == "/home/u");
  CHECK(p.name == "copy");
}

TEST_CASE("container to host: a file over an existing file", "[ctl][cp]") {
  auto p = ctl::plan_copy_out("/etc/hosts", false, "link-to-file", file("/data/real"), {});
  CHECK(p.extract_dir == "/data");  // symlinks resolved: the target is replaced
  CHECK(p.name == "real");
}

TEST_CASE("container to host: refused cases", "[ctl][cp]") {
  CHECK(message_of([] { ctl::plan_copy_out("/etc", true, "/tmp/f", file("/tmp/f"), {}); }) ==
        "destination must be a directory when copying a directory");
  CHECK(message_of([] {
          ctl::plan_copy_out("/etc/hosts", false, "/dev/null", other("/dev/null"), {});
        }).find("must be a directory or a regular file") != std::string::npos);
  CHECK(message_of([] {
          ctl::plan_copy_out("/etc/hosts", false, "/tmp/nodir/", missing(), dir("/tmp"));
        }).find("\"/tmp/nodir/\" could not be found on the host") != std::string::npos);
  CHECK(message_of([] {
          ctl::plan_copy_out("/etc/hosts", false, "/no/such/x", missing(), missing());
        }).find("could not be found on the host") != std::string::npos);
  CHECK(message_of([] {
          ctl::plan_copy_out("/etc/hosts", false, "/tmp/f/x", missing(), file("/tmp/f"));
        }).find("not a directory") != std::string::npos);
  CHECK(message_of([] {
          ctl::plan_copy_out("/etc/hosts/", false, "/tmp", dir("/tmp"), {});
        }).find("is not a directory") != std::string::npos);
  CHECK(message_of([] {
          ctl::plan_copy_out("/etc/hosts/.", false, "/tmp", dir("/tmp"), {});
        }).find("is not a directory") != std::string::npos);
}

TEST_CASE("container to host: - streams the tar", "[ctl][cp]") {
  auto p = ctl::plan_copy_out("/etc", true, "-", {}, {});
  CHECK(p.to_stdout);
  CHECK(p.name == "etc");
  CHECK(ctl::plan_copy_out("/etc/.", true, "-", {}, {}).name == ".");
}

TEST_CASE("host to container: into an existing directory", "[ctl][cp]") {
  auto p = ctl::plan_copy_in("./a.txt", file("/home/u/a.txt"), "web", "/tmp", dir("/tmp"), {});
  CHECK_FALSE(p.from_stdin);
  CHECK(p.dest_dir == "/tmp");
  CHECK(p.top_name == "a.txt");
  p = ctl::plan_copy_in("src/", dir("/home/u/src"), "web", "/srv/", dir("/srv/"), {});
  CHECK(p.dest_dir == "/srv/");
  CHECK(p.top_name == "src");
  p = ctl::plan_copy_in("current", dir("/releases/v2"), "web", "/srv", dir("/srv"), {});
  CHECK(p.top_name == "current");  // a followed symlink keeps its name
  CHECK(ctl::plan_copy_in("..", dir("/home"), "web", "/srv", dir("/srv"), {}).top_name.empty());
  p = ctl::plan_copy_in("src/.", dir("/home/u/src"), "web", "/srv", dir("/srv"), {});
  CHECK(p.top_name == ".");
  p = ctl::plan_copy_in("/", dir("/"), "web", "/host", dir("/host"), {});
  CHECK(p.top_name == ".");
}

TEST_CASE("host to container: a missing DST takes the copy's name", "[ctl][cp]") {
  auto p = ctl::plan_copy_in("a.txt", file("/home/u/a.txt"), "web", "/tmp/b.txt",
                             missing("/tmp/b.txt"), dir("/tmp"));
  CHECK(p.dest_dir == "/tmp");
  CHECK(p.top_name == "b.txt");
  p = ctl::plan_copy_in("src/.", dir("/home/u/src"), "web", "/srv/new", missing("/srv/new"),
                        dir("/srv"));
  CHECK(p.dest_dir == "/srv");
  CHECK(p.top_name == "new");
  // a relative DST is taken from the container's working directory: its parent is "."
  p = ctl::plan_copy_in("a.txt", file("/home/u/a.txt"), "web", "b.txt", missing("b.txt"), dir("."));
  CHECK(p.dest_dir == ".");
  CHECK(p.top_name == "b.txt");
  // a dangling symlink as DST: its target is created
  p = ctl::plan_copy_in("a.txt", file("/home/u/a.txt"), "web", "/link", missing("/data/target"),
                        dir("/data"));
  CHECK(p.dest_dir == "/data");
  CHECK(p.top_name == "target");
}

TEST_CASE("host to container: a file over an existing file", "[ctl][cp]") {
  auto p =
      ctl::plan_copy_in("a.txt", file("/home/u/a.txt"), "web", "/etc/motd", file("/etc/motd"), {});
  CHECK(p.dest_dir == "/etc");
  CHECK(p.top_name == "motd");
}

TEST_CASE("host to container: refused cases", "[ctl][cp]") {
  CHECK(message_of([] {
          ctl::plan_copy_in("missing", missing("missing"), "web", "/tmp", dir("/tmp"), {});
        }).find("\"missing\" could not be found on the host") != std::string::npos);
  CHECK(message_of([] {
          ctl::plan_copy_in("src", dir("/h/src"), "web", "/etc/motd", file("/etc/motd"), {});
        }) == "destination must be a directory when copying a directory");
  CHECK(message_of([] {
          ctl::plan_copy_in("a", file("/h/a"), "web", "/nodir/", missing("/nodir/"), dir("/"));
        }).find("\"/nodir/\" could not be found on container web") != std::string::npos);
  CHECK(message_of([] {
          ctl::plan_copy_in("a", file("/h/a"), "web", "/no/such/x", missing("/no/such/x"),
                            missing("/no/such"));
        }).find("\"/no/such\" could not be found on container web") != std::string::npos);
  CHECK(message_of([] {
          ctl::plan_copy_in("a", file("/h/a"), "web", "/etc/motd/x", missing("/etc/motd/x"),
                            file("/etc/motd"));
        }).find("not a directory") != std::string::npos);
  CHECK(message_of([] {
          ctl::plan_copy_in("a/", file("/h/a"), "web", "/tmp", dir("/tmp"), {});
        }).find("is not a directory") != std::string::npos);
}

TEST_CASE("host to container: - sends stdin's tar into a directory", "[ctl][cp]") {
  auto p = ctl::plan_copy_in("-", {}, "web", "/tmp", dir("/tmp"), {});
  CHECK(p.from_stdin);
  CHECK(p.dest_dir == "/tmp");
  CHECK(message_of([] { ctl::plan_copy_in("-", {}, "web", "/etc/motd", file("/etc/motd"), {}); }) ==
        "destination must be a directory when copying from stdin");
  CHECK(message_of([] { ctl::plan_copy_in("-", {}, "web", "/new", missing("/new"), dir("/")); }) ==
        "destination must be a directory when copying from stdin");
}

TEST_CASE("mode strings and file types as ls and stat print them", "[ctl][stat]") {
  CHECK(ctl::mode_string(S_IFREG | 0644) == "-rw-r--r--");
  CHECK(ctl::mode_string(S_IFDIR | 0755) == "drwxr-xr-x");
  CHECK(ctl::mode_string(S_IFLNK | 0777) == "lrwxrwxrwx");
  CHECK(ctl::mode_string(S_IFREG | 04755) == "-rwsr-xr-x");
  CHECK(ctl::mode_string(S_IFREG | 02644) == "-rw-r-Sr--");
  CHECK(ctl::mode_string(S_IFDIR | 01777) == "drwxrwxrwt");
  CHECK(ctl::mode_string(S_IFDIR | 01700) == "drwx-----T");
  CHECK(ctl::mode_string(S_IFCHR | 0666) == "crw-rw-rw-");
  CHECK(ctl::mode_string(S_IFBLK | 0660) == "brw-rw----");
  CHECK(ctl::mode_string(S_IFIFO | 0600) == "prw-------");
  CHECK(ctl::mode_string(S_IFSOCK | 0777) == "srwxrwxrwx");
  CHECK(ctl::file_type_name(S_IFREG | 0644, 10) == "regular file");
  CHECK(ctl::file_type_name(S_IFREG | 0644, 0) == "regular empty file");
  CHECK(ctl::file_type_name(S_IFDIR | 0755, 4096) == "directory");
  CHECK(ctl::file_type_name(S_IFLNK | 0777, 4) == "symbolic link");
  CHECK(ctl::file_type_name(S_IFCHR | 0666, 0) == "character special file");
}

TEST_CASE("stat output", "[ctl][stat]") {
  json info = {
      {"name", "hosts"}, {"size", 174}, {"mode", S_IFREG | 0644}, {"mtime_ns", 1700000000123456789},
      {"uid", 0},        {"gid", 1000}, {"link_target", ""}};
  CHECK(ctl::stat_text("/etc/hosts", info, true) ==
        "  File: /etc/hosts\n"
        "  Size: 174       \tregular file\n"
        "Access: (0644/-rw-r--r--)  Uid: (    0)   Gid: ( 1000)\n"
        "Modify: 2023-11-14 22:13:20.123456789 +0000\n");
  json link = {{"name", "localtime"},
               {"size", 27},
               {"mode", S_IFLNK | 0777},
               {"mtime_ns", 0},
               {"uid", 0},
               {"gid", 0},
               {"link_target", "/usr/share/zoneinfo/UTC"}};
  CHECK(ctl::stat_text("/etc/localtime", link, true) ==
        "  File: /etc/localtime -> /usr/share/zoneinfo/UTC\n"
        "  Size: 27        \tsymbolic link\n"
        "Access: (0777/lrwxrwxrwx)  Uid: (    0)   Gid: (    0)\n"
        "Modify: 1970-01-01 00:00:00.000000000 +0000\n");
}

TEST_CASE("data bytes of notifications", "[ctl][cp]") {
  json bin = json{{"data", ctl::binary_value("ab\0c", 4)}};
  const char* d = nullptr;
  std::size_t n = 0;
  REQUIRE(ctl::data_of(bin, d, n));
  CHECK(std::string(d, n) == std::string("ab\0c", 4));
  json text = json{{"data", "text"}};  // d points into it: it must outlive the check
  REQUIRE(ctl::data_of(text, d, n));
  CHECK(std::string(d, n) == "text");
  CHECK_FALSE(ctl::data_of(json{{"eof", true}}, d, n));
  CHECK_FALSE(ctl::data_of(json::array(), d, n));
}

}  // namespace ctl_copy_test
