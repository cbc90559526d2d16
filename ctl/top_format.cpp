#include "ctl/top_format.hpp"

#include <algorithm>
#include <cstdio>

#include "ctl/format.hpp"
#include "ctl/stats_format.hpp"
#include "messages/capabilities.hpp"
#include "messages/error.hpp"

namespace ctl {
namespace {

struct descriptor_info {
  const char* code;  ///< "" when it has none
  const char* normal;
  const char* header;
};

// psgo's aixFormatDescriptors (label: ctrd has no SELinux labels; it prints "?" as psgo does
// without labelling support).
const descriptor_info descriptors[] = {
    {"%C", "pcpu", "%CPU"},
    {"%G", "group", "GROUP"},
    {"", "groups", "GROUPS"},
    {"%P", "ppid", "PPID"},
    {"%U", "user", "USER"},
    {"", "uid", "UID"},
    {"%a", "args", "COMMAND"},
    {"%c", "comm", "COMMAND"},
    {"%g", "rgroup", "RGROUP"},
    {"%n", "nice", "NI"},
    {"%p", "pid", "PID"},
    {"%r", "pgid", "PGID"},
    {"%t", "etime", "ELAPSED"},
    {"%u", "ruser", "RUSER"},
    {"%x", "time", "TIME"},
    {"%y", "tty", "TTY"},
    {"%z", "vsz", "VSZ"},
    {"", "capamb", "AMBIENT CAPS"},
    {"", "capinh", "INHERITED CAPS"},
    {"", "capprm", "PERMITTED CAPS"},
    {"", "capeff", "EFFECTIVE CAPS"},
    {"", "capbnd", "BOUNDING CAPS"},
    {"", "seccomp", "SECCOMP"},
    {"", "label", "LABEL"},
    {"", "hpid", "HPID"},
    {"", "huser", "HUSER"},
    {"", "huid", "HUID"},
    {"", "hgroup", "HGROUP"},
    {"", "hgroups", "HGROUPS"},
    {"", "rss", "RSS"},
    {"", "state", "STATE"},
    {"", "stime", "STIME"},
};

const descriptor_info* find_descriptor(const std::string& d) {
  for (const auto& info : descriptors)
    if (d == info.normal || (*info.code != '\0' && d == info.code)) return &info;
  return nullptr;
}

std::string name_or_number(const std::function<std::string(uint32_t)>& lookup, uint32_t id) {
  std::string n = lookup ? lookup(id) : std::string();
  return n.empty() ? std::to_string(id) : n;
}

std::string caps_text(uint64_t set) {
  if ((set & ctrd::all_capabilities) == ctrd::all_capabilities) return "full";
  auto names = ctrd::capability_names(set);
  if (names.empty()) return "none";
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

std::vector<std::string> default_top_descriptors() {
  return {"user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args"};
}

std::vector<std::string> parse_top_descriptors(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    std::string cur;
    auto flush = [&] {
      if (cur.empty()) return;
      const auto* info = find_descriptor(cur);
      if (info == nullptr)
        throw ctrd::error(ctrd::ec::invalid_argument, "'" + cur + "': unknown descriptor");
      out.emplace_back(info->normal);
      cur.clear();
    };
    for (char c : a) {
      if (c == ',' || c == ' ' || c == '\t')
        flush();
      else
        cur += c;
    }
    flush();
  }
  return out.empty() ? default_top_descriptors() : out;
}

std::vector<std::string> top_descriptor_names() {
  std::vector<std::string> names;
  for (const auto& info : descriptors) names.emplace_back(info.normal);
  std::sort(names.begin(), names.end());
  return names;
}

std::string top_header(const std::string& descriptor) {
  const auto* info = find_descriptor(descriptor);
  return info != nullptr ? info->header : descriptor;
}

std::string tty_name(uint64_t tty_nr) {
  if (tty_nr == 0) return "?";
  // The kernel's encoding (new_encode_dev): major in bits 8-19, minor in 0-7 and 20-31.
  uint64_t major = (tty_nr >> 8) & 0xfff;
  uint64_t minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return "pts/" + std::to_string((major - 136) * 256 + minor);
  if (major == 4 && minor < 64) return "tty" + std::to_string(minor);
  if (major == 4) return "ttyS" + std::to_string(minor - 64);
  if (major == 5 && minor == 1) return "console";
  return "?";
}

std::string top_cell(const std::string& d, const proc_sample& p, int64_t now_ns, long clk_tck,
                     const top_names& names) {
  const int64_t tick_ns = clk_tck > 0 ? 1000000000 / clk_tck : 10000000;
  const int64_t elapsed = std::max<int64_t>(0, now_ns - p.start_ns);
  if (d == "pcpu") {
    double secs = static_cast<double>(elapsed) / 1e9;
    double cpu = static_cast<double>(p.cpu_ticks) * static_cast<double>(tick_ns) / 1e9;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", secs > 0 ? 100.0 * cpu / secs : 0.0);
    return buf;
  }
  if (d == "group") return name_or_number(names.group, p.egid);
  if (d == "rgroup") return name_or_number(names.group, p.rgid);
  if (d == "groups" || d == "hgroups") {
    std::string out;
    for (auto g : p.groups)
      out += (out.empty() ? "" : ",") +
             name_or_number(d == "groups" ? names.group : names.host_group, g);
    return out;
  }
  if (d == "ppid") return std::to_string(p.ppid);
  if (d == "pid") return std::to_string(p.pid);
  if (d == "pgid") return std::to_string(p.pgid);
  if (d == "hpid") return std::to_string(p.host_pid);
  if (d == "user") return name_or_number(names.user, p.euid);
  if (d == "ruser") return name_or_number(names.user, p.ruid);
  if (d == "uid") return std::to_string(p.euid);
  if (d == "huser") return name_or_number(names.host_user, p.host_euid);
  if (d == "huid") return std::to_string(p.host_euid);
  if (d == "hgroup") return name_or_number(names.host_group, p.host_egid);
  if (d == "args") {
    if (p.cmdline.empty()) return "[" + p.comm + "]";
    std::string out;
    for (const auto& a : p.cmdline) out += (out.empty() ? "" : " ") + a;
    return out;
  }
  if (d == "comm") return p.comm;
  if (d == "nice") return std::to_string(p.nice);
  if (d == "etime") return go_duration(elapsed);
  if (d == "time")  // whole seconds, as psgo computes it
    return go_duration(
        static_cast<int64_t>(p.cpu_ticks / static_cast<uint64_t>(clk_tck > 0 ? clk_tck : 100)) *
        1000000000);
  if (d == "stime") return format_go_time(p.start_ns, false);
  if (d == "tty") return tty_name(p.tty_nr);
  if (d == "vsz") return std::to_string(p.vsize / 1024);
  if (d == "rss") return std::to_string(p.rss_kb);
  if (d == "state") return std::string(1, p.state);
  if (d == "capamb") return caps_text(p.cap_amb);
  if (d == "capinh") return caps_text(p.cap_inh);
  if (d == "capprm") return caps_text(p.cap_prm);
  if (d == "capeff") return caps_text(p.cap_eff);
  if (d == "capbnd") return caps_text(p.cap_bnd);
  if (d == "seccomp") {
    switch (p.seccomp) {
      case 0:
        return "disabled";
      case 1:
        return "strict";
      case 2:
        return "filter";
      default:
        return "?";
    }
  }
  if (d == "label") return "?";
  return "";
}

std::string top_table(const std::vector<std::string>& descs,
                      const std::vector<proc_sample>& samples, int64_t now_ns, long clk_tck,
                      const top_names& names) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  for (const auto& d : descs) header.push_back(top_header(d));
  rows.push_back(std::move(header));
  for (const auto& p : samples) {
    std::vector<std::string> row;
    for (const auto& d : descs) row.push_back(top_cell(d, p, now_ns, clk_tck, names));
    rows.push_back(std::move(row));
  }
  return tab_table(rows);
}

}  // namespace ctl
