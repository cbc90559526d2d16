// The key rules of a service file (docs/service-files.md): turns the TOML table toml++
// parsed into the create definition ctrd uses (the json of a `create` request), or the first
// problem in file order with its line, column and key. Internal to ctrd_service_files
// (service_file.cpp reads, size-checks and pre-checks the text; this file knows the keys).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <toml++/toml.h>

#include "config/service_file.hpp"
#include "messages/value_codec.hpp"

namespace ctrd::service_text {

/// The definition of service `name` (file `file`) from its parsed table, or the first
/// problem in `error` (then the returned json is empty).
json definition_of(const toml::table& root, const std::string& file, const std::string& name,
                   std::optional<service_error>& error);

/// A toml++ source position (uint32/uint64) as an int line or column for service_error.
int clamp_int(uint64_t v);

}  // namespace ctrd::service_text
