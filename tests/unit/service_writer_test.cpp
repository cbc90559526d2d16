// `ctrctl generate service` (config/service_writer.hpp): the service file it writes is read
// back by the service-file parser into the same definition, for every key a service file
// can carry; the rest become notes.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "config/service_file.hpp"
#include "config/service_writer.hpp"
#include "messages/container_config.hpp"

namespace service_writer_test {

using namespace ctrd;

namespace {

// The definition ctrd stores for a create map (what the `definition` method returns).
json stored(json create) {
  create["name"] = "web";
  auto cfg = config_from_json(create);
  cfg.id = std::string(64, 'a');
  cfg.created_ns = 1;
  return to_json(cfg);
}

// What the parser reads back from the generated text, as a stored definition.
json round_trip(const json& definition) {
  auto text = generate_service(definition).text;
  auto r = parse_service_text(text, "/etc/ctrd/containers.d/web.toml");
  if (!r.ok()) FAIL("generated file does not parse: " << to_string(*r.error) << "\n" << text);
  REQUIRE(r.ok());
  auto cfg = config_from_json(r.service->definition);
  cfg.id = std::string(64, 'a');
  cfg.created_ns = 1;
  cfg.source.clear();
  return to_json(cfg);
}

json rich() {
  return json{
      {"command", {"/usr/bin/server", "--port", "8080", "quote\"and\\back"}},
      {"env", {"A=1", "WEIRD KEY=x y", "EMPTY="}},
      {"workdir", "/srv"},
      {"user", "1000:1000"},
      {"labels", {{"tier", "web"}, {"a.b/c", "with \"quotes\""}}},
      {"stop_signal", "SIGINT"},
      {"stop_timeout", 3u},
      {"restart", "on-failure:4"},
      {"requires", {"db", "cache"}},
      {"restart_delay_ms", 1500u},
      {"restart_max_delay_ms", 90000u},
      {"restart_reset_ms", 7200000u},
      {"restart_limit", 0u},
      {"restart_window_ms", 250u},
      {"health_cmd", {"/bin/sh", "-c", "test -e /tmp/ok"}},
      {"health_interval_ms", 5000u},
      {"health_timeout_ms", 1500u},
      {"health_retries", 7u},
      {"health_start_period_ms", 60000u},
      {"health_on_failure", "restart"},
      {"sdnotify", true},
      {"autostart", false},
      {"log_max_size", 1048576u},
      {"log_max_files", 2u},
      {"rootfs", "/var/lib/images/alpine"},
      {"rootfs_overlay", true},
      {"read_only", true},
      {"mounts",
       {{{"source", "/srv/data"}, {"destination", "/data"}, {"read_only", true}},
        {{"source", "/srv/cache"}, {"destination", "/cache"}, {"read_only", false}}}},
      {"hostname", "box"},
      {"pid", "private"},
      {"ipc", "host"},
      {"uts", "private"},
      {"network", "none"},
      {"memory", 268435456u},
      {"cpus", 0.5},
      {"cpu_shares", 512u},
      {"pids_limit", 100u},
      {"ulimits", {"nofile=1024:4096", "core=0:0"}},
      {"oom_score_adj", -500},
      {"cap_add", {"CAP_NET_RAW"}},
      {"cap_drop", {"CAP_CHOWN"}},
      {"no_new_privileges", true},
      {"seccomp_profile", "unconfined"},
      {"mask", {"/proc/a", "/proc/b"}},
      {"unmask", {"/proc/kcore"}},
      {"devices", {"/dev/null:/dev/mynull:rw"}},
      {"uidmap", {"0:100000:65536"}},
      {"gidmap", {"0:200000:65536"}},
      {"annotations", {{"io.example/owner", "ops"}}},
      {"group_add", {10u, 20u}},
      {"tmpfs",
       {{{"destination", "/run/x"},
         {"options", "size=64m"},
         {"read_only", false},
         {"noexec", true},
         {"nosuid", true},
         {"nodev", false}}}},

  };
}

}  // namespace

TEST_CASE("generate service: a rich definition reads back the same", "[service_writer]") {
  auto d = stored(rich());
  auto back = round_trip(d);
  d.erase("source");
  back.erase("source");
  d["name"] = back["name"];
  CHECK(back == d);
  INFO(generate_service(d).text);
  CHECK(generate_service(d).notes.empty());
}

TEST_CASE("generate service: the /etc file keys read back the same", "[service_writer]") {
  auto d = stored(json{{"command", {"sh"}},
                       {"rootfs", "/r"},
                       {"add_hosts", {"db:10.0.0.2"}},
                       {"dns", {"10.0.0.53"}},
                       {"dns_search", {"example.org"}}});
  auto back = round_trip(d);
  d.erase("source");
  back.erase("source");
  CHECK(back == d);
}

TEST_CASE("generate service: defaults are left out", "[service_writer]") {
  auto d = stored(json{{"command", {"sleep", "infinity"}}});
  auto r = generate_service(d);
  CHECK(r.text ==
        "# web.toml: the service file of container web (ctrctl generate service web)\n"
        "command = [\"sleep\", \"infinity\"]\n"
        "pids_limit = 0\n");
  CHECK(round_trip(d)["command"] == d["command"]);
}

TEST_CASE("generate service: every stored key is carried or noted", "[service_writer]") {
  std::set<std::string> known(service_carried_keys().begin(), service_carried_keys().end());
  known.insert(service_noted_keys().begin(), service_noted_keys().end());
  for (const char* k : {"id", "name", "created_ns", "source"}) known.insert(k);
  auto d = stored(rich());
  for (const auto& [k, v] : d.items()) {
    INFO("key " << k);
    CHECK(known.count(k) == 1);
  }
}

TEST_CASE("generate service: what a service file cannot carry becomes a note", "[service_writer]") {
  auto d = stored(
      json{{"command", {"sh"}}, {"auto_remove", true}, {"tty", true}, {"interactive", true}});
  auto r = generate_service(d);
  REQUIRE(r.notes.size() == 3);
  CHECK(r.text.find("# --rm is not carried over") != std::string::npos);
  CHECK(r.text.find("# -t is not carried over") != std::string::npos);
  CHECK(parse_service_text(r.text, "/d/web.toml").ok());
}

TEST_CASE("generate service: userns auto is written as auto, without the picked maps",
          "[service_writer]") {
  auto d = stored(json{{"command", {"sh"}}, {"rootfs", "/r"}, {"pid", "private"}});
  d["userns"] = "auto";
  d["uidmap"] = {"0:100000:65536"};
  d["gidmap"] = {"0:100000:65536"};
  auto r = generate_service(d);
  CHECK(r.text.find("userns = \"auto\"") != std::string::npos);
  CHECK(r.text.find("uidmap") == std::string::npos);
  REQUIRE(r.notes.size() == 1);
  auto p = parse_service_text(r.text, "/d/web.toml");
  REQUIRE(p.ok());
  CHECK(p.service->definition["userns"] == "auto");
}

TEST_CASE("generate service: TOML strings are escaped", "[service_writer]") {
  CHECK(toml_quote("plain") == "\"plain\"");
  CHECK(toml_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(toml_quote("l1\nl2\tx") == "\"l1\\nl2\\tx\"");
  CHECK(toml_quote(std::string("\x01\x7f", 2)) == "\"\\u0001\\u007F\"");
  CHECK(toml_quote("\xc3\xa9t\xc3\xa9") == "\"\xc3\xa9t\xc3\xa9\"");
}

TEST_CASE("service files: host keys map onto create keys", "[service_writer]") {
  auto p = parse_service_text(
      "command = [\"sh\"]\nrootfs = \"/r\"\nmounts = [\"/a:/b:ro\", \"/c:/d\"]\n"
      "memory = \"64m\"\nlog_max_size = 4096\ncpus = 2\n",
      "/d/svc.toml");
  REQUIRE(p.ok());
  const auto& d = p.service->definition;
  CHECK(d["mounts"][0] == json{{"source", "/a"}, {"destination", "/b"}, {"read_only", true}});
  CHECK(d["mounts"][1]["read_only"] == false);
  CHECK(d["memory"] == 64u << 20);
  CHECK(d["cpus"] == 2);
  // Log sizes are decimal, as `--log-opt max-size` (memory is binary, as `-m`).
  auto logs = parse_service_text("command = [\"sh\"]\nlog_max_size = \"1k\"\n", "/d/l.toml");
  REQUIRE(logs.ok());
  CHECK(logs.service->definition["log_max_size"] == 1000);

  auto bad = [](const std::string& text) {
    auto r = parse_service_text("command = [\"sh\"]\n" + text, "/d/svc.toml");
    REQUIRE_FALSE(r.ok());
    return to_string(*r.error);
  };
  CHECK(bad("mounts = [\"/a\"]\n") ==
        "/d/svc.toml:2:10: mounts: invalid mount \"/a\": expected SOURCE:DESTINATION[:ro|rw]");
  CHECK(bad("memory = \"lots\"\n").find("memory: invalid memory size \"lots\"") !=
        std::string::npos);
  CHECK(bad("network = \"container:db\"\n").find("network: invalid network \"container:db\"") !=
        std::string::npos);
  CHECK(bad("pid = 3\n").find("2:7: pid: ") != std::string::npos);
  CHECK(bad("rootf = \"/r\"\n").find("did you mean \"rootfs\"") != std::string::npos);
  // The whole-definition check still applies: a mount needs a rootfs.
  CHECK(bad("mounts = [\"/a:/b\"]\n").find("need --rootfs") != std::string::npos);
}

}  // namespace service_writer_test
