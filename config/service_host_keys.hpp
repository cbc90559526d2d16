// The service-file keys that describe where and how a container runs on the host (root file
// system, mounts, namespaces, networks, cgroup limits, log rotation, devices, user namespace).
// Each maps one to one onto a create key of the same name, but `publish` onto `ports`
// (docs/protocol.md, "Container
// definition") and is checked by the same code a `create` request goes through
// (messages/isolation, messages/security), so a file and a client can never disagree.
// Internal to ctrd_service_files.
#pragma once

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "messages/value_codec.hpp"

namespace ctrd::service_text {

/// The names of these keys, in the order docs/service-files.md lists them.
const std::vector<std::string>& host_keys();

/// Whether `key` is one of host_keys().
bool is_host_key(const std::string& key);

/// The create key of host key `key`: `ports` for `publish`, else `key` itself.
std::string host_create_key(const std::string& key);

/// The create value of host key `key` from its TOML value. `mounts` also takes
/// "SOURCE:DESTINATION[:ro|rw]" strings (as -v); `memory` and `log_max_size` also take a
/// size with a unit ("512m", "1g"); `network` takes bridge and network names (ctrd checks
/// that the network exists when it creates the container). Throws ctrd::error{invalid_argument}
/// saying what is wrong; the caller adds the position.
json host_key_value(const std::string& key, const toml::node& value);

}  // namespace ctrd::service_text
