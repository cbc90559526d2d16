// Unit tests for ctrctl's resource and isolation flags: memory sizes, cpus, pids limit,
// volumes, rootfs and the isolation flags. Links ctl_lib.
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
#include "messages/duration.hpp"
#include "messages/error.hpp"
#include "tests/unit/ctl_flags_support.hpp"

namespace ctl_isolation_flags_test {

using ctl::json;
using namespace ctl_test;

namespace {
// A scratch directory removed at the end of the test.
struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/ctl_flags_XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() { std::system(("rm -rf '" + path + "'").c_str()); }
};
}  // namespace

TEST_CASE("memory sizes use podman's binary units", "[ctl][flags][size]") {
  CHECK(ctl::parse_ram_size("64m") == 64 * 1024 * 1024);
  CHECK(ctl::parse_ram_size("64M") == 64 * 1024 * 1024);
  CHECK(ctl::parse_ram_size("64mb") == 64 * 1024 * 1024);
  CHECK(ctl::parse_ram_size("64MiB") == 64 * 1024 * 1024);
  CHECK(ctl::parse_ram_size("1g") == 1024 * 1024 * 1024);
  CHECK(ctl::parse_ram_size("1.5k") == 1536);
  CHECK(ctl::parse_ram_size("4096") == 4096);
  CHECK(ctl::parse_ram_size("4096b") == 4096);
  CHECK(ctl::parse_ram_size("2 m") == 2 * 1024 * 1024);
  CHECK(ctl::parse_ram_size("1t") == 1024ll * 1024 * 1024 * 1024);
  for (const char* bad :
       {"", "m", "64x", "-1", "64mm", "64ki", "1.", ".5m", "64m ", "1bb", "1e3", "99999999999p"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_ram_size(bad); }) == ctrd::ec::invalid_argument);
  }
}

TEST_CASE("memory limit minimum is 6m and 0 means no limit", "[ctl][flags][size]") {
  CHECK(ctl::parse_memory_limit("6m") == 6 * 1024 * 1024);
  CHECK(ctl::parse_memory_limit("0") == 0);
  CHECK(code_of([] { ctl::parse_memory_limit("5m"); }) == ctrd::ec::invalid_argument);
  CHECK(message_of([] {
          ctl::parse_memory_limit("1k");
        }).find("minimum memory limit allowed is 6MB") != std::string::npos);
}

TEST_CASE("cpus cpu-shares and pids-limit are checked", "[ctl][flags]") {
  CHECK(ctl::parse_cpus("0.5") == 0.5);
  CHECK(ctl::parse_cpus("2") == 2.0);
  CHECK(ctl::parse_cpus("0.01") == 0.01);
  for (const char* bad :
       {"", "0", "-1", "0.001", "abc", "1.5x", "inf", "nan", " 1", "1e2", "0x10"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_cpus(bad); }) == ctrd::ec::invalid_argument);
  }
  CHECK(ctl::parse_cpu_shares("1024") == 1024);
  CHECK(ctl::parse_cpu_shares("2") == 2);
  CHECK(ctl::parse_cpu_shares("262144") == 262144);
  CHECK(ctl::parse_cpu_shares("0") == 0);
  for (const char* bad : {"", "1", "262145", "-5", "x"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_cpu_shares(bad); }) == ctrd::ec::invalid_argument);
  }
  CHECK(ctl::parse_pids_limit("-1") == 0);
  CHECK(ctl::parse_pids_limit("0") == 0);
  CHECK(ctl::parse_pids_limit("100") == 100);
  for (const char* bad : {"", "-2", "x", "1.5", "9999999999999999999"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_pids_limit(bad); }) == ctrd::ec::invalid_argument);
  }
}

TEST_CASE("absolute_path joins and cleans lexically", "[ctl][flags]") {
  CHECK(ctl::absolute_path("data", "/home/u") == "/home/u/data");
  CHECK(ctl::absolute_path("./data/", "/home/u") == "/home/u/data");
  CHECK(ctl::absolute_path("../x", "/home/u") == "/home/x");
  CHECK(ctl::absolute_path("../../../x", "/home/u") == "/x");
  CHECK(ctl::absolute_path("/a//b/./c", "/ignored") == "/a/b/c");
  CHECK(ctl::absolute_path(".", "/") == "/");
}

TEST_CASE("volumes parse as HOST:CTR with ro or rw", "[ctl][flags]") {
  auto v = ctl::parse_volume("./data:/srv/data", "/home/u");
  CHECK(v.source == "/home/u/data");
  CHECK(v.destination == "/srv/data");
  CHECK_FALSE(v.read_only);
  v = ctl::parse_volume("/etc/hosts:/etc/hosts:ro", "/home/u");
  CHECK(v.source == "/etc/hosts");
  CHECK(v.read_only);
  CHECK_FALSE(ctl::parse_volume("/a:/b:rw", "/").read_only);
  CHECK(ctl::parse_volume("/a:/b/../c/", "/").destination == "/c");
  for (const char* bad :
       {"/a", "/a:", ":/b", "/a:b", "/a:/b:rx", "/a:/b:ro,rw", "/a:/b:ro:x", "named:/data"}) {
    INFO(bad);
    CHECK(code_of([&] { ctl::parse_volume(bad, "/"); }) == ctrd::ec::invalid_argument);
  }
  CHECK(message_of([] { ctl::parse_volume("named:/data", "/"); }).find("named volumes") !=
        std::string::npos);
}

TEST_CASE("isolation flags land in the definition", "[ctl][flags]") {
  temp_dir root;
  temp_dir data;
  auto o = with_command({"sh"});
  o.rootfs = root.path;
  o.read_only = true;
  o.volumes = {data.path + ":/data:ro", "/tmp:/scratch"};
  o.hostname = "box";
  o.pid = "private";
  o.ipc = "host";
  o.uts = "private";
  o.network = "none";
  o.memory = "64m";
  o.cpus = "1.5";
  o.cpu_shares = "512";
  o.pids_limit = "-1";
  json d = ctl::build_definition(o, host, "/");
  CHECK(d["rootfs"] == root.path);
  CHECK_FALSE(d.contains("rootfs_overlay"));
  CHECK(d["read_only"] == true);
  CHECK(d["mounts"] ==
        json::array({json{{"source", data.path}, {"destination", "/data"}, {"read_only", true}},
                     json{{"source", "/tmp"}, {"destination", "/scratch"}, {"read_only", false}}}));
  CHECK(d["hostname"] == "box");
  CHECK(d["pid"] == "private");
  CHECK(d["ipc"] == "host");
  CHECK(d["uts"] == "private");
  CHECK(d["network"] == "none");
  CHECK(d["memory"] == 64 * 1024 * 1024);
  CHECK(d["cpus"] == 1.5);
  CHECK(d["cpu_shares"] == 512);
  CHECK(d["pids_limit"] == 0);
  json bare = ctl::build_definition(with_command({"sh"}), host, "/");
  for (const char* key : {"rootfs", "rootfs_overlay", "read_only", "mounts", "hostname", "pid",
                          "ipc", "uts", "network", "memory", "cpus", "cpu_shares", "pids_limit"}) {
    INFO(key);
    CHECK_FALSE(bare.contains(key));
  }
}

TEST_CASE("relative rootfs and volume paths are made absolute", "[ctl][flags]") {
  temp_dir base;
  REQUIRE(::mkdir((base.path + "/root").c_str(), 0755) == 0);
  REQUIRE(::mkdir((base.path + "/data").c_str(), 0755) == 0);
  auto o = with_command({"sh"});
  o.rootfs = "root";
  o.volumes = {"./data:/data"};
  json d = ctl::build_definition(o, host, base.path);
  CHECK(d["rootfs"] == base.path + "/root");
  CHECK(d["mounts"][0]["source"] == base.path + "/data");
  o.rootfs = "root:O";  // podman's overlay spelling
  d = ctl::build_definition(o, host, base.path);
  CHECK(d["rootfs"] == base.path + "/root");
  CHECK(d["rootfs_overlay"] == true);
  o.rootfs = "root";
  o.rootfs_overlay = true;
  CHECK(ctl::build_definition(o, host, base.path)["rootfs_overlay"] == true);
}

TEST_CASE("bad isolation flags are refused with clear messages", "[ctl][flags]") {
  temp_dir root;
  auto bad = [&](const std::function<void(ctl::create_options&)>& set) {
    auto o = with_command({"true"});
    set(o);
    return message_of([&] { ctl::build_definition(o, host, "/"); });
  };
  auto has = [](const std::string& msg, const char* part) {
    INFO(msg);
    return msg.find(part) != std::string::npos;
  };
  CHECK(has(bad([](auto& o) { o.rootfs = "/nonexistent/rootfs"; }), "invalid rootfs"));
  CHECK(has(bad([](auto& o) { o.rootfs = "/etc/hostname"; }), "not a directory"));
  CHECK(has(bad([](auto& o) { o.rootfs_overlay = true; }), "--rootfs-overlay needs --rootfs"));
  CHECK(has(bad([](auto& o) { o.volumes = {"/tmp:/x"}; }), "--volume needs --rootfs"));
  CHECK(has(bad([&](auto& o) {
              o.rootfs = root.path;
              o.volumes = {"/nonexistent/dir:/x"};
            }),
            "host path /nonexistent/dir"));
  CHECK(has(bad([&](auto& o) {
              o.rootfs = root.path;
              o.volumes = {"/tmp:/x", "/var:/x/"};
            }),
            "duplicate mount destination /x"));
  CHECK(has(bad([](auto& o) { o.hostname = "bad name"; }), "invalid hostname"));
  CHECK(has(bad([](auto& o) { o.hostname = std::string(65, 'a'); }), "invalid hostname"));
  CHECK(has(bad([](auto& o) {
              o.hostname = "box";
              o.uts = "host";
            }),
            "cannot set hostname when running in the host UTS namespace"));
  CHECK(has(bad([](auto& o) { o.pid = "container:web"; }), "invalid pid namespace"));
  CHECK(has(bad([](auto& o) { o.ipc = "shareable"; }), "invalid ipc namespace"));
  CHECK(has(bad([](auto& o) { o.uts = "x"; }), "invalid uts namespace"));
  CHECK(has(bad([](auto& o) { o.network = "container:web"; }), "invalid network"));
  CHECK(has(bad([](auto& o) { o.memory = "lots"; }), "invalid memory size"));
  CHECK(has(bad([](auto& o) { o.memory = "1m"; }), "6MB"));
  CHECK(has(bad([](auto& o) { o.cpus = "0"; }), "invalid cpus"));
  CHECK(has(bad([](auto& o) { o.cpu_shares = "1"; }), "invalid cpu shares"));
  CHECK(has(bad([](auto& o) { o.pids_limit = "-3"; }), "invalid pids limit"));
}

TEST_CASE("CLI11 parses the isolation flags and split_args knows them", "[ctl][flags]") {
  temp_dir root;
  json d = definition_from(
      {"--rootfs",   root.path, "-v",           "/tmp:/t:ro", "--volume", "/var:/v", "--read-only",
       "--hostname", "h",       "--pid",        "host",       "--ipc",    "private", "--uts",
       "private",    "--net",   "none",         "-m",         "128m",     "--cpus",  "0.5",
       "-c",         "100",     "--pids-limit", "50"});
  CHECK(d["mounts"].size() == 2);
  CHECK(d["network"] == "none");
  CHECK(d["memory"] == 128 * 1024 * 1024);
  CHECK(d["cpu_shares"] == 100);
  CHECK(d["pids_limit"] == 50);
  CHECK(definition_from({"--network", "host"})["network"] == "host");

  CLI::App app;
  ctl::create_options o;
  ctl::add_create_flags(app, o);
  std::vector<std::string> args = {"-v",       "/a:/b", "-m",          "64m",
                                   "-c",       "2",     "--read-only", "--rootfs-overlay",
                                   "--rootfs", "/r",    "sh",          "-v"};
  auto s = ctl::split_args(app, args, 0);
  CHECK(s.flags_end == 10);
  CHECK(s.positional == 10);
}

// --- stats: units, CPU %, rendering ---

}  // namespace ctl_isolation_flags_test
