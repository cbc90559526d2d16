// The service file (docs/service-files.md) that recreates a container: ctrd's answer to
// `podman generate systemd --new` and quadlet. Turns a stored definition (the create map
// ctrd keeps, messages/container_config.hpp to_json) back into TOML that the service-file
// parser reads into the same definition. Pure; used by `ctrctl generate service`.
#pragma once

#include <string>
#include <vector>

#include "messages/value_codec.hpp"

namespace ctrd {

/// What generate_service() produced.
struct service_text_result {
  std::string text;                ///< the TOML file, newline-terminated
  std::vector<std::string> notes;  ///< settings a service file cannot carry, with the reason
};

/// The service file for `definition` (a full stored definition, as to_json writes it).
/// Settings equal to their defaults are left out; settings a service file has no key for
/// (auto_remove, interactive, tty) become notes, also written as comments at the top.
service_text_result generate_service(const json& definition);

/// The create keys generate_service() carries over, and those it turns into notes.
/// Every key of a stored definition is in exactly one of them or in the bookkeeping keys
/// (id, name, created_ns, source), which the unit tests check.
const std::vector<std::string>& service_carried_keys();
const std::vector<std::string>& service_noted_keys();

/// A TOML basic string: quoted, with ", \ and control characters escaped.
std::string toml_quote(const std::string& s);

}  // namespace ctrd
