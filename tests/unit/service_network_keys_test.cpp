// The network keys of service files (issue 15): network (names too), ip, publish (the create
// key `ports`) and network_aliases, read by the parser and written back by generate service.
#include <catch2/catch.hpp>

#include <string>

#include "config/service_file.hpp"
#include "config/service_writer.hpp"
#include "messages/container_config.hpp"

namespace service_network_keys_test {

using namespace ctrd;

namespace {

std::string parse_error(const std::string& text) {
  auto r = parse_service_text("command = [\"sh\"]\n" + text, "/d/svc.toml");
  if (r.ok()) return "(parsed)";
  return to_string(*r.error);
}

}  // namespace

TEST_CASE("service files: network keys become create keys", "[service_writer][network]") {
  auto p = parse_service_text(
      "command = [\"sh\"]\nnetwork = \"front\"\nip = \"10.89.0.9\"\n"
      "publish = [\"8080:80\", \"127.0.0.1:5353:53/udp\"]\nnetwork_aliases = [\"www\"]\n",
      "/d/svc.toml");
  INFO((p.ok() ? std::string() : to_string(*p.error)));
  REQUIRE(p.ok());
  const auto& d = p.service->definition;
  CHECK(d["network"] == "front");
  CHECK(d["ip"] == "10.89.0.9");
  CHECK(d["ports"] == json({"8080:80", "127.0.0.1:5353:53/udp"}));
  CHECK_FALSE(d.contains("publish"));
  CHECK(d["network_aliases"] == json({"www"}));
}

TEST_CASE("service files: bad network keys are named", "[service_writer][network]") {
  CHECK(parse_error("network = \"a b\"\n").find("2:11: network: invalid network \"a b\"") !=
        std::string::npos);
  CHECK(parse_error("publish = \"80\"\n").find("publish: must be an array of strings") !=
        std::string::npos);
  CHECK(parse_error("publish = [\"\"]\n").find("publish: must be an array of non-empty") !=
        std::string::npos);
  CHECK(parse_error("ip = 3\n").find("ip: must be a string") != std::string::npos);
  CHECK(parse_error("network_aliases = [1]\n").find("network_aliases: must be an array") !=
        std::string::npos);
}

TEST_CASE("generate service writes the network keys back", "[service_writer][network]") {
  json create = {{"name", "web"},
                 {"command", {"sh"}},
                 {"network", "front"},
                 {"networks", {"back"}},
                 {"ip", "10.89.0.9"},
                 {"ports", {"8080:80", "127.0.0.1:5353:53/udp", "9000-9001:9100-9101"}},
                 {"network_aliases", {"www"}}};
  auto cfg = config_from_json(create);
  cfg.id = std::string(64, 'a');
  json stored = to_json(cfg);
  auto r = generate_service(stored);
  INFO(r.text);
  CHECK(r.text.find("\nnetwork = \"front\"\nnetworks = [\"back\"]\nip = \"10.89.0.9\"\n"
                    "publish = [\"8080:80\", \"127.0.0.1:5353:53/udp\", \"9000-9001:9100-9101\"]\n"
                    "network_aliases = [\"www\"]\n") != std::string::npos);
  CHECK(r.notes.empty());
  auto back = parse_service_text(r.text, "/etc/ctrd/containers.d/web.toml");
  REQUIRE(back.ok());
  for (const char* k : {"network", "networks", "ip", "ports", "network_aliases"})
    CHECK(back.service->definition[k] == stored[k]);
}

}  // namespace service_network_keys_test
