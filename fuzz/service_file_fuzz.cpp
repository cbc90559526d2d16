// libFuzzer target: the service-file parser (config/service_file.hpp), fed through its
// in-memory entry point parse_service_text with a fixed path.
//
// Checked properties (see fuzz/README.md):
//  - the parser never throws (its contract: only std::bad_alloc may escape) and returns
//    exactly one of service and error;
//  - an error names the file, has a non-negative line and column and a message, and can be
//    rendered (to_string, to_json + dump as the reload reply and ctrctl do);
//  - a service carries the name and source derived from the path, is accepted by
//    config_from_json + validate (what ctrd does with it next), and survives the wire as
//    the params of a `create` request: encode_request -> frame_reader -> decode_rpc gives
//    the same map, within the decoder's default limits.
// Any exception, sanitizer report, or failed check is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/service_file.hpp"
#include "fuzz/fuzz_check.hpp"
#include "messages/container_config.hpp"
#include "messages/error.hpp"
#include "messages/frame.hpp"
#include "messages/rpc.hpp"

using namespace ctrd;

namespace {

const std::string path = "/etc/ctrd/containers.d/svc.toml";

void check_error(const service_error& e) {
  FUZZ_CHECK(e.file == path);
  FUZZ_CHECK(e.line >= 0);
  FUZZ_CHECK(e.column >= 0);
  FUZZ_CHECK(!e.message.empty());
  std::string text = to_string(e);
  FUZZ_CHECK(text.rfind(path, 0) == 0);
  std::string dumped = to_json(e).dump(-1, ' ', false, json::error_handler_t::replace);
  FUZZ_CHECK(!dumped.empty());
}

void check_service(const service_def& s) {
  FUZZ_CHECK(s.name == "svc");
  FUZZ_CHECK(s.file == path);
  const json& def = s.definition;
  FUZZ_CHECK(def.is_object());
  FUZZ_CHECK(def.value("name", "") == "svc");
  FUZZ_CHECK(def.value("source", "") == path);
  FUZZ_CHECK(def.contains("command"));
  try {
    validate(config_from_json(def));
  } catch (const std::exception& e) {
    FUZZ_UNEXPECTED("validate(config_from_json()) of a parsed service", e);
  }
  // ctrd sends definitions to itself and to ctrctl in the same form as a create request.
  std::string frame = encode_request(1, "create", def);
  frame_reader r;
  r.feed(frame.data(), frame.size());
  std::string body;
  rpc_message m;
  try {
    FUZZ_CHECK(r.next(body));
    m = decode_rpc(body);
  } catch (const std::exception& e) {
    FUZZ_UNEXPECTED("decode_rpc of a parsed service as a create request", e);
  }
  FUZZ_CHECK(m.method == "create");
  FUZZ_CHECK(encode_msgpack(m.params) == encode_msgpack(def));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  service_file_result r;
  try {
    r = parse_service_text(text, path);
  } catch (const std::exception& e) {
    FUZZ_UNEXPECTED("parse_service_text", e);
  }
  FUZZ_CHECK(r.service.has_value() != r.error.has_value());
  FUZZ_CHECK(r.ok() == r.service.has_value());
  if (r.error)
    check_error(*r.error);
  else
    check_service(*r.service);
  return 0;
}
