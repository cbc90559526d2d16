// Unit tests for the pure parts of issue 14's verbs: top's descriptors and cells, diff's
// walk over an upper layer (whiteouts by mknod 0/0, opaque directories by xattr), prune
// filters, update flags and what an update may change, info's YAML. Links ctl_lib and
// ctrd_core.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/container_update.hpp"
#include "ctl/info_format.hpp"
#include "ctl/overlay_diff.hpp"
#include "ctl/prune.hpp"
#include "ctl/top_format.hpp"
#include "ctl/top_proc.hpp"
#include "ctl/update_flags.hpp"
#include "messages/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace ctl_verbs_test {

using ctl::json;
namespace fsys = std::filesystem;

TEST_CASE("top descriptors: podman's default and codes and commas and unknown ones", "[ctl][top]") {
  CHECK(ctl::parse_top_descriptors({}) == ctl::default_top_descriptors());
  CHECK(ctl::parse_top_descriptors({"pid,%C", "args"}) ==
        std::vector<std::string>{"pid", "pcpu", "args"});
  CHECK(ctl::parse_top_descriptors({"user pid"}) == std::vector<std::string>{"user", "pid"});
  CHECK_THROWS_WITH(ctl::parse_top_descriptors({"pid", "nope"}), "'nope': unknown descriptor");
  CHECK(ctl::top_header("pcpu") == "%CPU");
  CHECK(ctl::top_header("etime") == "ELAPSED");
  CHECK(ctl::top_header("args") == "COMMAND");
  auto names = ctl::top_descriptor_names();
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(names.size() == 32);
}

TEST_CASE("top cells are psgo's", "[ctl][top]") {
  ctl::proc_sample p;
  p.pid = 1;
  p.ppid = 0;
  p.host_pid = 4242;
  p.comm = "sleep";
  p.cmdline = {"sleep", "100"};
  p.state = 'S';
  p.nice = -5;
  p.tty_nr = (136u << 8) | 3;  // /dev/pts/3
  p.cpu_ticks = 6150;          // 61.5 s at 100 Hz
  p.start_ns = 1000000000000;
  p.vsize = 4096 * 1024;
  p.rss_kb = 812;
  p.euid = 0;
  p.egid = 1000;
  p.groups = {1000, 27};
  p.cap_eff = 0;
  p.cap_bnd = ~uint64_t{0};
  p.seccomp = 2;
  ctl::top_names names;
  names.user = [](uint32_t id) { return id == 0 ? std::string("root") : std::string(); };
  const int64_t now = p.start_ns + int64_t{123} * 1000000000 + 500000000;
  auto cell = [&](const char* d) { return ctl::top_cell(d, p, now, 100, names); };
  CHECK(cell("pid") == "1");
  CHECK(cell("ppid") == "0");
  CHECK(cell("hpid") == "4242");
  CHECK(cell("user") == "root");
  CHECK(cell("group") == "1000");  // no name: the number
  CHECK(cell("groups") == "1000,27");
  CHECK(cell("args") == "sleep 100");
  CHECK(cell("comm") == "sleep");
  CHECK(cell("etime") == "2m3.5s");
  CHECK(cell("time") == "1m1s");  // whole seconds
  CHECK(cell("pcpu") == "49.798");
  CHECK(cell("tty") == "pts/3");
  CHECK(cell("nice") == "-5");
  CHECK(cell("vsz") == "4096");
  CHECK(cell("rss") == "812");
  CHECK(cell("state") == "S");
  CHECK(cell("capeff") == "none");
  CHECK(cell("capbnd") == "full");
  CHECK(cell("seccomp") == "filter");
  p.cmdline.clear();
  CHECK(cell("args") == "[sleep]");  // a kernel thread or zombie, as ps

  CHECK(ctl::tty_name(0) == "?");
  CHECK(ctl::tty_name((4u << 8) | 1) == "tty1");
  CHECK(ctl::tty_name((4u << 8) | 64) == "ttyS0");
  CHECK(ctl::tty_name((137u << 8) | 2) == "pts/258");

  auto table = ctl::top_table({"pid", "args"}, {p}, now, 100, names);
  CHECK(table == "PID         COMMAND\n1           [sleep]\n");
}

TEST_CASE("top reads this process and its passwd names", "[ctl][top]") {
  auto samples = ctl::read_samples({static_cast<long>(::getpid())});
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].host_pid == ::getpid());
  CHECK_FALSE(samples[0].cmdline.empty());
  CHECK(samples[0].start_ns > 0);
  CHECK(samples[0].start_ns <= ctl::wall_now_ns());
  CHECK(ctl::read_samples({999999999}).empty());  // gone: left out
  auto tree = ctl::process_tree(::getpid());
  CHECK(tree.front() == ::getpid());
  CHECK(ctl::id_name("root:x:0:0:root:/root:/bin/sh\nbob:x:1000:1000::/home/bob:/bin/sh\n", 1000) ==
        "bob");
  CHECK(ctl::id_name("wheel:x:10:bob\n", 10) == "wheel");
  CHECK(ctl::id_name("root:x:0:0\n", 7).empty());
}

namespace {

void write(const std::string& path, const std::string& text) {
  fsys::create_directories(fsys::path(path).parent_path());
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("diff walks an upper layer with added and changed entries and whiteouts and opaque dirs",
          "[ctl][diff]") {
  ctrd::test::temp_dir t;
  auto lower = t / "lower", upper = t / "upper";
  write(lower + "/etc/passwd", "root");
  write(lower + "/etc/hosts", "h");
  write(lower + "/bin/ls", "ls");
  write(lower + "/var/cache/a", "a");
  write(lower + "/var/cache/b", "b");
  write(upper + "/etc/passwd", "root\nbob");
  write(upper + "/etc/new", "n");
  write(upper + "/newdir/f", "f");
  write(upper + "/var/cache/c", "c");
  fsys::create_directories(upper + "/bin");
  if (::mknod((upper + "/bin/ls").c_str(), S_IFCHR | 0000, makedev(0, 0)) != 0) {
    WARN("skipped: mknod of a whiteout needs CAP_MKNOD");
    return;
  }
  bool opaque =
      ::setxattr((upper + "/var/cache").c_str(), "trusted.overlay.opaque", "y", 1, 0) == 0 ||
      ::setxattr((upper + "/var/cache").c_str(), "user.overlay.opaque", "y", 1, 0) == 0;
  auto changes = ctl::overlay_changes(upper, lower);
  std::vector<ctl::fs_change> want = {
      {'C', "/bin"},        {'D', "/bin/ls"},      {'C', "/etc"},         {'A', "/etc/new"},
      {'C', "/etc/passwd"}, {'A', "/newdir"},      {'A', "/newdir/f"},    {'C', "/var"},
      {'C', "/var/cache"},  {'D', "/var/cache/a"}, {'D', "/var/cache/b"}, {'A', "/var/cache/c"},
  };
  if (!opaque) {
    WARN("no overlay xattr could be set here: the opaque part is not checked");
    want.erase(want.begin() + 9, want.begin() + 11);
  }
  CHECK(changes == want);
  CHECK(ctl::changes_text({{'A', "/x"}, {'D', "/y"}}) == "A /x\nD /y\n");
  auto j = ctl::changes_json(changes);
  CHECK(j["deleted"][0] == "/bin/ls");
  CHECK(j["added"].size() == 4);
  CHECK_THROWS_AS(ctl::overlay_changes(t / "nothere", lower), ctrd::error);
}

TEST_CASE("prune filters: until and labels", "[ctl][prune]") {
  const int64_t now = int64_t{1700000000} * 1000000000;
  auto f = ctl::parse_prune_filters({"until=1h", "label=tier=db", "label!=keep"}, now);
  const int64_t old = now - int64_t{7200} * 1000000000, fresh = now - 1000000000;
  CHECK(ctl::prune_matches(f, old, json{{"tier", "db"}}));
  CHECK_FALSE(ctl::prune_matches(f, fresh, json{{"tier", "db"}}));
  CHECK_FALSE(ctl::prune_matches(f, old, json{{"tier", "web"}}));
  CHECK_FALSE(ctl::prune_matches(f, old, json{{"tier", "db"}, {"keep", ""}}));
  auto k = ctl::parse_prune_filters({"label=k"}, now);
  CHECK(ctl::prune_matches(k, fresh, json{{"k", "anything"}}));
  CHECK_FALSE(ctl::prune_matches(k, fresh, json::object()));
  CHECK(ctl::parse_prune_filters({"until=1700000000"}, now).until_ns == now);
  CHECK_THROWS_WITH(ctl::parse_prune_filters({"colour=red"}, now),
                    Catch::Contains("invalid filter \"colour=red\""));
  CHECK_THROWS_AS(ctl::parse_prune_filters({"until"}, now), ctrd::error);
  CHECK_THROWS_AS(ctl::parse_prune_filters({"until=soon"}, now), ctrd::error);
  CHECK(ctl::prunable_state("exited"));
  CHECK(ctl::prunable_state("created"));
  CHECK_FALSE(ctl::prunable_state("running"));
  CHECK_FALSE(ctl::prunable_state("paused"));
  CHECK(ctl::container_dir(json{{"LogPath", "/r/containers/abc/ctr.log"}}) == "/r/containers/abc");
}

TEST_CASE("disk usage counts blocks under a folder", "[ctl][prune]") {
  ctrd::test::temp_dir t;
  write(t / "a/b", std::string(100000, 'x'));
  CHECK(ctl::disk_usage(t.path()) >= 100000);
  CHECK(ctl::disk_usage(t / "nothere") == 0);
}

TEST_CASE("update flags become the update map and unsupported ones are named", "[ctl][update]") {
  ctl::update_options o;
  CHECK_THROWS_WITH(ctl::update_changes(o), Catch::Contains("nothing to update"));
  o.memory = "64m";
  o.cpus = "1.5";
  o.cpu_shares = "512";
  o.pids_limit = "-1";
  o.restart = "on-failure:2";
  auto c = ctl::update_changes(o);
  CHECK(c == json{{"memory", 64u << 20},
                  {"cpus", 1.5},
                  {"cpu_shares", 512},
                  {"pids_limit", 0},
                  {"restart", "on-failure:2"}});
  o.memory = "1m";
  CHECK_THROWS_WITH(ctl::update_changes(o), Catch::Contains("6MB"));
  ctl::update_options bad;
  bad.cpu_quota = "5000";
  CHECK_THROWS_WITH(ctl::update_changes(bad), Catch::Contains("--cpu-quota is not supported"));
  ctl::update_options policy;
  policy.restart = "sometimes";
  CHECK_THROWS_AS(ctl::update_changes(policy), ctrd::error);
}

TEST_CASE("an update changes only resources and the restart policy", "[core][update]") {
  auto c = ctrd::config_from_json(
      json{{"command", {"sleep", "1"}}, {"name", "u"}, {"labels", {{"a", "b"}}}, {"memory", 0}});
  auto next = ctrd::apply_update(c, json{{"memory", 64u << 20}, {"restart", "always"}});
  CHECK(next.isolation.memory == 64u << 20);
  CHECK(next.restart.kind == ctrd::restart_kind::always);
  CHECK(next.name == "u");
  CHECK(next.labels == c.labels);
  CHECK(next.command == c.command);
  CHECK_THROWS_WITH(ctrd::apply_update(c, json{{"name", "x"}}),
                    Catch::Contains("\"name\" cannot be updated"));
  CHECK_THROWS_AS(ctrd::apply_update(c, json::object()), ctrd::error);
  CHECK_THROWS_AS(ctrd::apply_update(c, json{{"memory", "lots"}}), ctrd::error);
  auto once = ctrd::config_from_json(json{{"command", {"true"}}, {"auto_remove", true}});
  CHECK_THROWS_WITH(ctrd::apply_update(once, json{{"restart", "always"}}), Catch::Contains("--rm"));
}

TEST_CASE("info renders podman's YAML layout", "[ctl][info]") {
  json j = {{"host", {{"arch", "amd64"}, {"cgroupControllers", {"cpu", "memory"}}, {"cpus", 2}}},
            {"store", {{"containerStore", {{"number", 3}}}, {"configDir", ""}}},
            {"version", {{"Version", "0.1.0"}}}};
  CHECK(ctl::yaml_text(j) ==
        "host:\n"
        "  arch: amd64\n"
        "  cgroupControllers:\n"
        "  - cpu\n"
        "  - memory\n"
        "  cpus: 2\n"
        "store:\n"
        "  configDir: \"\"\n"
        "  containerStore:\n"
        "    number: 3\n"
        "version:\n"
        "  Version: 0.1.0\n");
  CHECK(ctl::uptime_text(3723.5) == "1h 2m 3.50s");
  auto h = ctl::host_facts();
  CHECK(h["os"] == "linux");
  CHECK(h["cpus"].get<int>() > 0);
}

}  // namespace ctl_verbs_test
