// The security vocabulary (messages/security.hpp): parsers, the create keys and their
// cross-field rules. Pure. (Capability rules: capabilities_test.cpp.)
#include <catch2/catch.hpp>

#include "messages/container_config.hpp"
#include "messages/error.hpp"
#include "messages/security.hpp"

namespace security_spec_test {

using namespace ctrd;

namespace {

bool rejects(const std::function<void()>& f, const std::string& part) {
  try {
    f();
  } catch (const error& e) {
    return e.code() == ec::invalid_argument &&
           std::string(e.what()).find(part) != std::string::npos;
  }
  return false;
}

}  // namespace

TEST_CASE("device and id mapping syntax", "[security]") {
  auto d = parse_device("/dev/fuse");
  CHECK(d.host == "/dev/fuse");
  CHECK(d.container == "/dev/fuse");
  CHECK(d.permissions == "rwm");
  d = parse_device("/dev/ttyUSB0:r");
  CHECK(d.container == "/dev/ttyUSB0");
  CHECK(d.permissions == "r");
  d = parse_device("/dev/ttyUSB0:/dev/modem");
  CHECK(d.container == "/dev/modem");
  d = parse_device("/dev/ttyUSB0:/dev/modem:rw");
  CHECK(format_device(d) == "/dev/ttyUSB0:/dev/modem:rw");
  CHECK(rejects([] { parse_device("dev/fuse"); }, "host path must be absolute"));
  CHECK(rejects([] { parse_device("/dev/a:/dev/b:rwx"); }, "combination of r, w and m"));
  CHECK(rejects([] { parse_device("/dev/a:/:r"); }, "not /"));
  CHECK(rejects([] { parse_device("/dev/a:/b:r:x"); }, "expected HOST"));

  auto r = parse_id_range("0:100000:65536");
  CHECK(r == id_range{0, 100000, 65536});
  CHECK(format_id_range(r) == "0:100000:65536");
  CHECK(rejects([] { parse_id_range("0:100000"); }, "CONTAINER:HOST:COUNT"));
  CHECK(rejects([] { parse_id_range("0:x:1"); }, "\"x\" is not a number"));
  CHECK(rejects([] { parse_id_range("0:1:0"); }, "COUNT is 0"));
  CHECK(rejects([] { parse_id_range("0:4294967000:65536"); }, "beyond the largest id"));
}

TEST_CASE("security-opt values", "[security]") {
  json def = json::object();
  apply_security_opt("seccomp=unconfined", def);
  apply_security_opt("no-new-privileges", def);
  apply_security_opt("unmask=/proc/kcore:/sys/firmware", def);
  apply_security_opt("mask=/proc/version", def);
  apply_security_opt("label=disable", def);
  apply_security_opt("apparmor=unconfined", def);
  CHECK(def["seccomp_profile"] == "unconfined");
  CHECK(def["no_new_privileges"] == true);
  CHECK(def["unmask"] == json::array({"/proc/kcore", "/sys/firmware"}));
  CHECK(def["mask"] == json::array({"/proc/version"}));
  apply_security_opt("no-new-privileges=false", def);
  CHECK(def["no_new_privileges"] == false);
  json d2 = json::object();
  CHECK(rejects([&] { apply_security_opt("label=type:x", d2); }, "only label=disable"));
  CHECK(rejects([&] { apply_security_opt("apparmor=p", d2); }, "only apparmor=unconfined"));
  CHECK(rejects([&] { apply_security_opt("seccomp=", d2); }, "seccomp=unconfined"));
  CHECK(rejects([&] { apply_security_opt("no-new-privileges=maybe", d2); }, "no-new-privileges"));
  CHECK(rejects([&] { apply_security_opt("selinux=1", d2); }, "unknown option"));
}

TEST_CASE("security keys round-trip and cross-field rules", "[security]") {
  json def = {{"command", {"true"}},
              {"rootfs", "/srv/root"},
              {"privileged", true},
              {"cap_add", {"net_raw"}},
              {"cap_drop", {"CAP_CHOWN"}},
              {"no_new_privileges", true},
              {"seccomp_profile", "/etc/ctrd/p.json"},
              {"unmask", {"ALL"}},
              {"devices", {"/dev/fuse"}},
              {"uidmap", {"0:100000:65536"}},
              {"gidmap", {"0:200000:65536"}}};
  auto c = config_from_json(def);
  validate(c);
  CHECK(c.security.cap_add == std::vector<std::string>{"CAP_NET_RAW"});
  CHECK(c.security.devices.front().permissions == "rwm");
  auto again = config_from_json(to_json(c));
  CHECK(again.security.uid_map == c.security.uid_map);
  CHECK(again.security.gid_map == c.security.gid_map);
  CHECK(again.security.devices == c.security.devices);
  CHECK(again.security.seccomp_profile == "/etc/ctrd/p.json");
  CHECK(again.security.privileged);
  // Defaults are not written: an old record and a new one look alike.
  auto plain = to_json(config_from_json(json{{"command", {"true"}}}));
  CHECK(!plain.contains("privileged"));
  CHECK(!plain.contains("cap_add"));

  auto invalid = [](json d, const std::string& part) {
    d["command"] = {"true"};
    return rejects([&] { validate(config_from_json(d)); }, part);
  };
  CHECK(invalid({{"devices", {"/dev/fuse"}}}, "--device needs --rootfs"));
  CHECK(invalid({{"uidmap", {"0:100000:10"}}}, "needs --rootfs"));
  CHECK(invalid({{"rootfs", "/r"}, {"gidmap", {"0:1:1"}}}, "--gidmap needs --uidmap"));
  CHECK(invalid({{"rootfs", "/r"}, {"userns", "keep-id"}}, "ctrd supports host and auto"));
  CHECK(invalid({{"rootfs", "/r"}, {"uidmap", {"0:100000:10", "5:200000:10"}}}, "overlaps"));
  CHECK(invalid({{"seccomp_profile", "rel.json"}}, "absolute path"));
  CHECK(invalid({{"unmask", {"proc"}}}, "expected ALL or absolute paths"));
  CHECK(invalid({{"rootfs", "/r"}, {"devices", {"/dev/a:/dev/x", "/dev/b:/dev/x"}}},
                "duplicate device path"));
  CHECK(invalid({{"cap_add", {"CAP_KILL"}}, {"cap_drop", {"kill"}}}, "both added and dropped"));
  CHECK(rejects([] { config_from_json(json{{"cap_add", {"CAP_FLY"}}}); }, "CAP_FLY"));
  CHECK(rejects([] { config_from_json(json{{"privileged", "yes"}}); }, "must be a boolean"));
}

}  // namespace security_spec_test
