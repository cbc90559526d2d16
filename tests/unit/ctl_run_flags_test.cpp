// Unit tests for issue 14's create/run flags (ctl/run_flags.cpp), the user and group
// lookup of a container (runtime/user_lookup) and its /etc files (runtime/etc_files).
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "config/service_file.hpp"
#include "ctl/create_flags.hpp"
#include "messages/container_config.hpp"
#include "messages/error.hpp"
#include "runtime/etc_files.hpp"
#include "runtime/user_lookup.hpp"
#include "tests/unit/ctl_flags_support.hpp"

namespace ctl_run_flags_test {

using ctl::json;
using namespace ctl_test;

TEST_CASE("run flags: --entrypoint is a word or a JSON array before the command",
          "[ctl][runflags]") {
  CHECK(ctl::parse_entrypoint("/bin/sh") == std::vector<std::string>{"/bin/sh"});
  CHECK(ctl::parse_entrypoint("sh -c") == std::vector<std::string>{"sh -c"});  // one word
  CHECK(ctl::parse_entrypoint("[\"sh\", \"-c\"]") == std::vector<std::string>{"sh", "-c"});
  CHECK(ctl::parse_entrypoint("").empty());
  CHECK(code_of([] { ctl::parse_entrypoint("[1, 2]"); }) == ctrd::ec::invalid_argument);
  CHECK(code_of([] { ctl::parse_entrypoint("[\"a\""); }) == ctrd::ec::invalid_argument);
  auto def = definition_from({"--entrypoint", "[\"echo\", \"hi\"]"});
  CHECK(def["command"] == json({"echo", "hi", "true"}));
}

TEST_CASE("run flags: --tmpfs: podman's default options and the kernel's", "[ctl][runflags]") {
  auto t = ctl::parse_tmpfs("/scratch");
  CHECK(t["destination"] == "/scratch");
  CHECK(t["noexec"] == true);
  CHECK(t["nosuid"] == true);
  CHECK(t["nodev"] == true);
  CHECK(t["read_only"] == false);
  CHECK(t["options"] == "");
  t = ctl::parse_tmpfs("/tmp:rw,exec,size=64m,mode=1777");
  CHECK(t["noexec"] == false);
  CHECK(t["options"] == "size=64m,mode=1777");
  CHECK(ctl::parse_tmpfs("/ro:ro")["read_only"] == true);
  CHECK(message_of([] { ctl::parse_tmpfs("rel"); }).find("absolute") != std::string::npos);
  CHECK(message_of([] { ctl::parse_tmpfs("/x:size=lots"); }).find("size=lots") !=
        std::string::npos);
  CHECK(code_of([] { ctl::parse_tmpfs("/x:mode=999"); }) == ctrd::ec::invalid_argument);
  CHECK(code_of([] { ctl::parse_tmpfs("/x:bogus"); }) == ctrd::ec::invalid_argument);
}

TEST_CASE("run flags: --mount takes bind and tmpfs and refuses other types", "[ctl][runflags]") {
  auto b = ctl::parse_mount("type=bind,src=/data,target=/d,ro", "/cwd");
  CHECK(b["bind"]["source"] == "/data");
  CHECK(b["bind"]["destination"] == "/d");
  CHECK(b["bind"]["read_only"] == true);
  b = ctl::parse_mount("type=bind,source=rel,destination=/d,readonly=false", "/cwd");
  CHECK(b["bind"]["source"] == "/cwd/rel");
  CHECK(b["bind"]["read_only"] == false);
  CHECK(
      ctl::parse_mount("type=bind,src=/a,dst=/b,bind-propagation=rprivate", "/").contains("bind"));
  auto t = ctl::parse_mount("type=tmpfs,destination=/t,tmpfs-size=1m,tmpfs-mode=700", "/");
  CHECK(t["tmpfs"]["destination"] == "/t");
  CHECK(t["tmpfs"]["options"] == "size=1m,mode=700");
  CHECK(t["tmpfs"]["noexec"] == false);
  CHECK(message_of([] {
          ctl::parse_mount("type=volume,src=v,dst=/v", "/");
        }).find("type=bind and type=tmpfs") != std::string::npos);
  CHECK(message_of([] { ctl::parse_mount("src=/a,dst=/b", "/"); }).find("type is required") !=
        std::string::npos);
  CHECK(code_of([] { ctl::parse_mount("type=bind,dst=/b", "/"); }) == ctrd::ec::invalid_argument);
  CHECK(code_of([] { ctl::parse_mount("type=bind,src=/a,dst=b", "/"); }) ==
        ctrd::ec::invalid_argument);
  CHECK(code_of([] { ctl::parse_mount("type=bind,src=/a,dst=/b,bind-propagation=shared", "/"); }) ==
        ctrd::ec::invalid_argument);
  CHECK(code_of([] { ctl::parse_mount("type=tmpfs,src=/a,dst=/b", "/"); }) ==
        ctrd::ec::invalid_argument);
  CHECK(code_of([] { ctl::parse_mount("type=bind,src=/a,dst=/b,bogus=1", "/"); }) ==
        ctrd::ec::invalid_argument);
}

TEST_CASE("run flags: --add-host and --dns and the flags that need a rootfs", "[ctl][runflags]") {
  CHECK(ctl::parse_add_host("db:10.0.0.2") == "db:10.0.0.2");
  CHECK(ctl::parse_add_host("v6:fd00::1") == "v6:fd00::1");
  CHECK(code_of([] { ctl::parse_add_host("db"); }) == ctrd::ec::invalid_argument);
  CHECK(code_of([] { ctl::parse_add_host("db:notanip"); }) == ctrd::ec::invalid_argument);
  CHECK(code_of([] { ctl::parse_add_host(":1.2.3.4"); }) == ctrd::ec::invalid_argument);
  CHECK(message_of([] {
          definition_from({"--add-host", "a:1.2.3.4"});
        }).find("needs --rootfs") != std::string::npos);
  CHECK(message_of([] {
          definition_from({"--dns", "1.1.1.1"});
        }).find("needs --rootfs") != std::string::npos);
  CHECK(message_of([] {
          definition_from({"--tmpfs", "/t"});
        }).find("needs --rootfs") != std::string::npos);
  CHECK(message_of([] { definition_from({"--replace"}); }).find("without --name") !=
        std::string::npos);
}

TEST_CASE("run flags: --annotation and --label-file", "[ctl][runflags]") {
  auto def = definition_from({"--annotation", "a=1", "--annotation", "b=x=y"});
  CHECK(def["annotations"] == json({{"a", "1"}, {"b", "x=y"}}));
  CHECK(message_of([] {
          definition_from({"--annotation", "novalue"});
        }).find("KEY=VALUE") != std::string::npos);
  auto labels = ctl::parse_label_file("# c\n\nk=v\r\n  flag\nx=1=2\n", "f");
  CHECK(labels == std::vector<std::string>{"k=v", "flag", "x=1=2"});
  CHECK(message_of([] { ctl::parse_label_file("ok=1\n=v\n", "f"); }).find("f:2") !=
        std::string::npos);
  char tmpl[] = "/tmp/ctl_labels_XXXXXX";
  int fd = ::mkstemp(tmpl);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(tmpl) << "a=file\nb=file\n";
  def = definition_from({"--label-file", tmpl, "--label", "b=flag"});
  CHECK(def["labels"] == json({{"a", "file"}, {"b", "flag"}}));
  std::remove(tmpl);
  CHECK(code_of([] {
          definition_from({"--label-file", "/nonexistent/labels"});
        }) == ctrd::ec::invalid_argument);
}

TEST_CASE("users and groups resolve through the container's tables", "[runtime][users]") {
  auto passwd = ctrd::parse_passwd(
      "root:x:0:0:root:/root:/bin/sh\n# comment\nbroken\napp:x:1000:1001::/home/app:/bin/sh\n"
      "web:x:33:33::/:/bin/false\n");
  auto groups = ctrd::parse_group("root:x:0:\napp:x:1001:\nstaff:x:50:app,web\naudio:x:29:web\n");
  REQUIRE(passwd.size() == 3);
  REQUIRE(groups.size() == 4);
  auto r = ctrd::resolve_user("app", {}, passwd, groups);
  CHECK(r.uid == 1000);
  CHECK(r.gid == 1001);
  CHECK(r.groups == std::vector<uint32_t>{50});  // member of staff
  r = ctrd::resolve_user("app:audio", {"root", "77"}, passwd, groups);
  CHECK(r.gid == 29);
  CHECK(r.groups == std::vector<uint32_t>{50, 0, 77});
  r = ctrd::resolve_user("33", {}, passwd, groups);  // a number with an entry: its gid
  CHECK(r.uid == 33);
  CHECK(r.gid == 33);
  r = ctrd::resolve_user("4242", {}, passwd, groups);  // without one: gid 0, as podman
  CHECK(r.uid == 4242);
  CHECK(r.gid == 0);
  CHECK(message_of([&] { ctrd::resolve_user("nobody", {}, passwd, groups); }) ==
        "unable to find user nobody: no matching entries in passwd file");
  CHECK(message_of([&] { ctrd::resolve_user("app:nogroup", {}, passwd, groups); }) ==
        "unable to find group nogroup: no matching entries in group file");
  CHECK(ctrd::numeric_id("4294967295") == std::nullopt);
  CHECK(ctrd::numeric_id("12") == 12u);
}

TEST_CASE("a container's /etc/hosts and /etc/resolv.conf and environment", "[runtime][etc]") {
  auto hosts = ctrd::hosts_content("web", {"db:10.0.0.2", "v6:fd00::1"});
  CHECK(hosts ==
        "10.0.0.2\tdb\nfd00::1\tv6\n"
        "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"
        "::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n"
        "127.0.1.1\tweb\n");
  std::string host = "# generated\nnameserver 10.1.1.1\nsearch corp.example\noptions ndots:2\n";
  CHECK(ctrd::resolv_content(host, {}, {}) == host);
  CHECK(ctrd::resolv_content(host, {"1.1.1.1", "9.9.9.9"}, {}) ==
        "# generated\nsearch corp.example\noptions ndots:2\nnameserver 1.1.1.1\nnameserver "
        "9.9.9.9\n");
  CHECK(ctrd::resolv_content(host, {}, {"a.example", "b.example"}) ==
        "# generated\nnameserver 10.1.1.1\noptions ndots:2\nsearch a.example b.example\n");
  CHECK(ctrd::resolv_content(host, {}, {"."}) ==
        "# generated\nnameserver 10.1.1.1\noptions ndots:2\n");
  std::vector<std::string> env{"PATH=/bin", "TERM=vt100"};
  ctrd::add_default_env(env, "TERM", "xterm");
  ctrd::add_default_env(env, "HOSTNAME", "box");
  CHECK(env == std::vector<std::string>{"PATH=/bin", "TERM=vt100", "HOSTNAME=box"});
  ctrd::isolation_spec iso;
  iso.rootfs = "/r";
  CHECK(ctrd::container_hostname(iso, "name") == "name");
  iso.hostname = "h1";
  CHECK(ctrd::container_hostname(iso, "name") == "h1");
}

TEST_CASE("the definition keeps tmpfs mounts and hosts and dns and annotations and groups",
          "[runflags]") {
  json def{{"command", {"true"}},
           {"rootfs", "/r"},
           {"tmpfs", {{{"destination", "/t"}, {"options", "size=1m"}, {"noexec", true}}}},
           {"add_hosts", {"db:1.2.3.4"}},
           {"dns", {"1.1.1.1"}},
           {"dns_search", {"example.com"}},
           {"annotations", {{"k", "v"}}},
           {"group_add", {10, 20}}};
  auto c = ctrd::config_from_json(def);
  ctrd::validate(c);
  REQUIRE(c.isolation.tmpfs.size() == 1);
  CHECK(c.isolation.tmpfs[0].options == "size=1m");
  CHECK(c.isolation.tmpfs[0].noexec);
  CHECK(c.group_add == std::vector<uint32_t>{10, 20});
  auto back = ctrd::config_from_json(ctrd::to_json(c));
  CHECK(back.isolation.tmpfs == c.isolation.tmpfs);
  CHECK(back.isolation.add_hosts == c.isolation.add_hosts);
  CHECK(back.annotations == c.annotations);
  def["tmpfs"] = json::array({{{"destination", "relative"}}});
  CHECK(code_of([&] { ctrd::validate(ctrd::config_from_json(def)); }) ==
        ctrd::ec::invalid_argument);
  def.erase("tmpfs");
  def.erase("rootfs");
  CHECK(code_of([&] { ctrd::validate(ctrd::config_from_json(def)); }) ==
        ctrd::ec::invalid_argument);  // hosts need a rootfs
}

TEST_CASE("service files take annotations and numeric group_add", "[runflags][service]") {
  auto r = ctrd::parse_service_text(
      "command = [\"sleep\", \"1\"]\ngroup_add = [10, 20]\n[annotations]\n\"io.x\" = \"y\"\n",
      "/etc/ctrd/web.toml");
  REQUIRE(r.ok());
  CHECK(r.service->definition["group_add"] == json({10, 20}));
  CHECK(r.service->definition["annotations"] == json({{"io.x", "y"}}));
  auto bad = ctrd::parse_service_text("command = [\"true\"]\ngroup_add = [\"staff\"]\n",
                                      "/etc/ctrd/web.toml");
  REQUIRE(bad.error);
  CHECK(bad.error->key == "group_add");
  CHECK(bad.error->message.find("numeric group ids") != std::string::npos);
}

}  // namespace ctl_run_flags_test
