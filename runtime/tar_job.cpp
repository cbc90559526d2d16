#include "runtime/tar_job.hpp"

#include "config/paths.hpp"

#include <unistd.h>
#include <climits>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace ctrd::tarjob {
namespace {

using json = nlohmann::json;

json maps_to_json(const std::vector<id_range>& m) {
  json out = json::array();
  for (const auto& r : m) out.push_back(json::array({r.inside, r.outside, r.count}));
  return out;
}

std::vector<id_range> maps_from_json(const json& j) {
  std::vector<id_range> out;
  for (const auto& r : j) out.push_back(id_range{r.at(0), r.at(1), r.at(2)});
  return out;
}

}  // namespace

std::vector<std::string> to_argv(const std::string& argv0, const tar_job_spec& s) {
  json j{{"path", s.path},
         {"top_name", s.top_name},
         {"skip_virtual_fs", s.skip_virtual_fs},
         {"overwrite", s.overwrite},
         {"uid_map", maps_to_json(s.uid_map)},
         {"gid_map", maps_to_json(s.gid_map)},
         {"fs_uid", s.fs_uid},
         {"fs_gid", s.fs_gid}};
  if (s.owner) j["owner"] = json::array({s.owner->first, s.owner->second});
  return {argv0, s.in ? "in" : "out", j.dump()};
}

tar_job_spec from_args(const std::vector<std::string>& args) {
  if (args.size() != 2 || (args[0] != "in" && args[0] != "out"))
    throw error(ec::invalid_argument, "usage: ctrd-tar in|out JSON (run by ctrd only)");
  try {
    auto j = json::parse(args[1]);
    tar_job_spec s;
    s.in = args[0] == "in";
    s.path = j.at("path").get<std::string>();
    s.top_name = j.at("top_name").get<std::string>();
    s.skip_virtual_fs = j.at("skip_virtual_fs").get<bool>();
    s.overwrite = j.at("overwrite").get<bool>();
    s.uid_map = maps_from_json(j.at("uid_map"));
    s.gid_map = maps_from_json(j.at("gid_map"));
    s.fs_uid = j.at("fs_uid").get<uint32_t>();
    s.fs_gid = j.at("fs_gid").get<uint32_t>();
    if (auto o = j.find("owner"); o != j.end())
      s.owner = std::make_pair(o->at(0).get<uint32_t>(), o->at(1).get<uint32_t>());
    return s;
  } catch (const json::exception& e) {
    throw error(ec::invalid_argument, std::string("ctrd-tar: bad job description: ") + e.what());
  }
}

std::string encode_status(const tar_status& s) {
  json j = s.ok ? json{{"ok", true}, {"entries", s.entries}, {"bytes", s.bytes}}
                : json{{"ok", false}, {"code", static_cast<int>(s.code)}, {"message", s.message}};
  return j.dump() + "\n";
}

std::optional<tar_status> decode_status(const std::string& text) {
  auto nl = text.find('\n');
  if (nl == std::string::npos) return std::nullopt;
  try {
    auto j = json::parse(text.substr(0, nl));
    tar_status s;
    s.ok = j.at("ok").get<bool>();
    if (s.ok) {
      s.entries = j.at("entries").get<uint64_t>();
      s.bytes = j.at("bytes").get<uint64_t>();
    } else {
      int code = j.at("code").get<int>();
      s.code =
          code > 0 && code <= static_cast<int>(last_code) ? static_cast<ec>(code) : ec::internal;
      s.message = j.at("message").get<std::string>();
    }
    return s;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::string helper_path() {
  if (const char* env = std::getenv("CTRD_TAR_HELPER"); env && *env) return env;
  return own_executable_dir() + "/ctrd-tar";
}

std::string describe_exit(int code) {
  if (code > 128) return "ctrd-tar was killed by signal " + std::to_string(code - 128);
  return "ctrd-tar exited with code " + std::to_string(code) + " without a result";
}

}  // namespace ctrd::tarjob
