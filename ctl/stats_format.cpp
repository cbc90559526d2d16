#include "ctl/stats_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ctl/size_units.hpp"

namespace ctl {
namespace {

uint64_t u64(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  if (it->is_number_float())
    return it->get<double>() > 0 ? static_cast<uint64_t>(it->get<double>()) : 0;
  if (it->is_number_integer() && !it->is_number_unsigned() && it->get<int64_t>() < 0) return 0;
  return it->get<uint64_t>();
}

int64_t i64(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  if (it->is_number_float()) return static_cast<int64_t>(it->get<double>());
  return it->get<int64_t>();
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Display width: counts UTF-8 code points.
std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// Go's fmtFrac: the fraction of v / 10^prec, trailing zeros (and a bare '.') dropped.
std::string fraction(uint64_t v, int prec) {
  std::string digits;
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    auto d = static_cast<char>('0' + v % 10);
    print = print || d != '0';
    if (print) digits.insert(digits.begin(), d);
    v /= 10;
  }
  return print ? "." + digits : "";
}

}  // namespace

stats_sample sample_of(const json& j) {
  stats_sample s;
  if (!j.is_object()) return s;
  s.id = str(j, "id");
  s.name = str(j, "name");
  s.state = str(j, "state");
  s.read_ns = i64(j, "read_ns");
  s.started_ns = i64(j, "started_ns");
  s.cpu_ns = u64(j, "cpu_ns");
  s.memory_bytes = u64(j, "memory_bytes");
  s.memory_limit = u64(j, "memory_limit");
  s.pids = u64(j, "pids");
  s.block_read = u64(j, "block_read");
  s.block_write = u64(j, "block_write");
  return s;
}

double cpu_percent(uint64_t cpu_ns, int64_t read_ns, uint64_t prev_cpu_ns, int64_t prev_read_ns) {
  if (cpu_ns <= prev_cpu_ns || read_ns <= prev_read_ns) return 0;
  return static_cast<double>(cpu_ns - prev_cpu_ns) / static_cast<double>(read_ns - prev_read_ns) *
         100.0;
}

stats_row compute_stats_row(const stats_sample& s, stats_history& history) {
  stats_row r;
  r.id = s.id;
  r.name = s.name;
  auto it = history.by_id.find(s.id);
  stats_history::entry prev;
  if (it != history.by_id.end()) {
    prev = it->second;
  } else {
    prev.read_ns = s.started_ns;  // podman: without a previous sample, since the start
  }
  r.cpu_percent = cpu_percent(s.cpu_ns, s.read_ns, prev.cpu_ns, prev.read_ns);
  r.avg_cpu = (prev.avg_cpu * static_cast<double>(prev.points) + r.cpu_percent) /
              static_cast<double>(prev.points + 1);
  r.mem_usage = s.memory_bytes;
  r.mem_limit = s.memory_limit;
  r.mem_percent = s.memory_limit > 0 ? static_cast<double>(s.memory_bytes) /
                                           static_cast<double>(s.memory_limit) * 100.0
                                     : 0;
  r.block_read = s.block_read;
  r.block_write = s.block_write;
  r.pids = s.pids;
  r.cpu_ns = s.cpu_ns;
  history.by_id[s.id] = stats_history::entry{s.cpu_ns, s.read_ns, r.avg_cpu, prev.points + 1};
  return r;
}

stats_row idle_stats_row(const std::string& id, const std::string& name) {
  stats_row r;
  r.id = id;
  r.name = name;
  return r;
}

std::string go_duration(int64_t ns) {
  if (ns == 0) return "0s";
  bool neg = ns < 0;
  uint64_t u = neg ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  std::string out;
  if (u < 1000000000ull) {
    if (u < 1000)
      out = std::to_string(u) + "ns";
    else if (u < 1000000)
      out = std::to_string(u / 1000) + fraction(u % 1000, 3) + "\xC2\xB5s";  // µs
    else
      out = std::to_string(u / 1000000) + fraction(u % 1000000, 6) + "ms";
  } else {
    out = std::to_string((u / 1000000000ull) % 60) + fraction(u % 1000000000ull, 9) + "s";
    uint64_t minutes = u / 60000000000ull;
    if (minutes > 0) {
      out = std::to_string(minutes % 60) + "m" + out;
      uint64_t hours = minutes / 60;
      if (hours > 0) out = std::to_string(hours) + "h" + out;
    }
  }
  return neg ? "-" + out : out;
}

std::string percent_string(double percent) {
  if (std::isnan(percent) || percent == 0) return "--";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f%%", percent);
  return buf;
}

std::string combine_human(uint64_t a, uint64_t b) {
  if (a == 0 && b == 0) return "0B / 0B";
  return human_size(static_cast<double>(a)) + " / " + human_size(static_cast<double>(b));
}

std::string tab_table(const std::vector<std::vector<std::string>>& rows) {
  std::size_t cols = 0;
  for (const auto& r : rows) cols = std::max(cols, r.size());
  std::vector<std::size_t> w(cols, 12);
  for (const auto& r : rows)
    for (std::size_t i = 0; i + 1 < r.size(); ++i) w[i] = std::max(w[i], width(r[i]) + 2);
  std::string out;
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      out += r[i];
      if (i + 1 < r.size()) out.append(w[i] - width(r[i]), ' ');
    }
    out += '\n';
  }
  return out;
}

namespace {

std::string pids_string(uint64_t pids) {
  return pids == 0 ? "--" : std::to_string(pids);
}

std::string cpu_time(uint64_t ns) {
  return go_duration(ns > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(ns));
}

}  // namespace

std::string stats_table(const std::vector<stats_row>& rows) {
  std::vector<std::vector<std::string>> t;
  t.push_back({"ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET IO", "BLOCK IO", "PIDS",
               "CPU TIME", "AVG CPU %"});
  for (const auto& r : rows)
    t.push_back({r.id.substr(0, 12), r.name, percent_string(r.cpu_percent),
                 combine_human(r.mem_usage, r.mem_limit), percent_string(r.mem_percent), "--",
                 combine_human(r.block_read, r.block_write), pids_string(r.pids),
                 cpu_time(r.cpu_ns), percent_string(r.avg_cpu)});
  return tab_table(t);
}

json stats_template_rows(const std::vector<stats_row>& rows) {
  json out = json::array();
  for (const auto& r : rows)
    out.push_back(json{{"ID", r.id.substr(0, 12)},
                       {"ContainerID", r.id},
                       {"Name", r.name},
                       {"CPUPerc", percent_string(r.cpu_percent)},
                       {"AVGCPU", percent_string(r.avg_cpu)},
                       {"CPU", r.cpu_percent},
                       {"MemUsage", combine_human(r.mem_usage, r.mem_limit)},
                       {"MemUsageBytes", combine_human(r.mem_usage, r.mem_limit)},
                       {"MemPerc", percent_string(r.mem_percent)},
                       {"NetIO", "--"},
                       {"BlockIO", combine_human(r.block_read, r.block_write)},
                       {"PIDS", pids_string(r.pids)},
                       {"UpTime", cpu_time(r.cpu_ns)},
                       {"CPUNano", r.cpu_ns},
                       {"MemUsageRaw", r.mem_usage},
                       {"MemLimit", r.mem_limit}});
  return out;
}

std::map<std::string, std::string> stats_headers() {
  return {{"ID", "ID"},
          {"UpTime", "CPU TIME"},
          {"CPUPerc", "CPU %"},
          {"AVGCPU", "AVG CPU %"},
          {"MemUsage", "MEM USAGE / LIMIT"},
          {"MemUsageBytes", "MEM USAGE / LIMIT"},
          {"MemPerc", "MEM %"},
          {"NetIO", "NET IO"},
          {"BlockIO", "BLOCK IO"},
          {"PIDS", "PIDS"}};
}

std::string stats_json(const std::vector<stats_row>& rows) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& r : rows) {
    nlohmann::ordered_json o;
    o["id"] = r.id.substr(0, 12);
    o["name"] = r.name;
    o["cpu_time"] = cpu_time(r.cpu_ns);
    o["cpu_percent"] = percent_string(r.cpu_percent);
    o["avg_cpu"] = percent_string(r.avg_cpu);
    o["mem_usage"] = combine_human(r.mem_usage, r.mem_limit);
    o["mem_percent"] = percent_string(r.mem_percent);
    o["net_io"] = "--";
    o["block_io"] = combine_human(r.block_read, r.block_write);
    o["pids"] = pids_string(r.pids);
    arr.push_back(std::move(o));
  }
  return arr.dump(4, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string artifact_table(const json& list) {
  std::vector<std::vector<std::string>> t;
  t.push_back({"NAME", "SIZE"});
  if (list.is_array())
    for (const auto& a : list)
      if (a.is_object())
        t.push_back({str(a, "name"), human_size(static_cast<double>(u64(a, "size")))});
  return tab_table(t);
}

}  // namespace ctl
