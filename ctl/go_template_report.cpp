// render_format(): podman's report package on top of the Go template evaluator. Resolves
// the "\t"/"\n" escapes, the "table" prefix (a header row), runs the template once per
// element of a list and lays the output out with the tabwriter (stats_format.hpp
// tab_table).
#include <cctype>
#include <regex>

#include "ctl/go_template.hpp"
#include "ctl/stats_format.hpp"

namespace ctl {
namespace gotmpl {

std::string header_name(const std::string& field) {
  // fatih/camelcase: split where the character class changes (lower, upper, digit), and
  // before the last upper-case letter of an upper-case run followed by a lower-case one.
  auto cls = [](char c) {
    auto u = static_cast<unsigned char>(c);
    if (std::islower(u) != 0) return 1;
    if (std::isupper(u) != 0) return 2;
    if (std::isdigit(u) != 0) return 3;
    return 4;
  };
  std::vector<std::string> parts;
  for (char c : field) {
    if (parts.empty() || cls(parts.back().back()) != cls(c))
      parts.emplace_back(1, c);
    else
      parts.back() += c;
  }
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (!parts[i].empty() && cls(parts[i][0]) == 2 && cls(parts[i + 1][0]) == 1) {
      parts[i + 1].insert(parts[i + 1].begin(), parts[i].back());
      parts[i].pop_back();
    }
  }
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += ' ';
    for (char c : p) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace gotmpl

namespace {

// The header "data": every key of `sample` mapped to its header (objects recursively, so
// {{.State.Status}} heads its column with STATUS).
json header_data(const json& sample, const header_names& overrides) {
  json h = json::object();
  if (!sample.is_object()) return h;
  for (auto it = sample.begin(); it != sample.end(); ++it) {
    auto o = overrides.find(it.key());
    if (it.value().is_object() && !it.value().empty() && o == overrides.end())
      h[it.key()] = header_data(it.value(), overrides);
    else
      h[it.key()] = o != overrides.end() ? o->second : gotmpl::header_name(it.key());
  }
  for (const auto& [k, v] : overrides)  // fields an empty list cannot show
    if (!h.contains(k)) h[k] = v;
  return h;
}

std::string resolve_escapes(const std::string& f) {
  std::string out;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '\\' && i + 1 < f.size() && (f[i + 1] == 't' || f[i + 1] == 'n')) {
      out += f[i + 1] == 't' ? '\t' : '\n';
      ++i;
    } else {
      out += f[i];
    }
  }
  return out;
}

// Splits text into lines of tab-separated cells and lays them out like Go's tabwriter.
std::string tabwrite(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    std::vector<std::string> cells;
    std::size_t c = 0;
    for (;;) {
      std::size_t tab = line.find('\t', c);
      cells.push_back(line.substr(c, tab == std::string::npos ? std::string::npos : tab - c));
      if (tab == std::string::npos) break;
      c = tab + 1;
    }
    rows.push_back(std::move(cells));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  std::string out = tab_table(rows);
  if (!text.empty() && text.back() != '\n' && !out.empty()) out.pop_back();
  return out;
}

}  // namespace

bool is_json_format(const std::string& format) {
  static const std::regex json_re(R"(^\s*(json|\{\{\s*json\s*\.\s*\}\})\s*$)");
  return std::regex_match(format, json_re);
}

bool is_table_format(const std::string& format) {
  return format == "table" || format.rfind("table ", 0) == 0;
}

std::string render_format(const json& data, const std::string& format, const header_names& headers,
                          const std::string& name) {
  bool table = is_table_format(format);
  std::string f = resolve_escapes(table ? format.substr(format.size() > 5 ? 6 : 5) : format);
  if (f.empty() || f.back() != '\n') f += '\n';
  auto t = gotmpl::tmpl::parse(f, name);
  static const std::regex range_dot(R"(\{\{-?\s*range\s+\.\s*-?\}\})");
  bool per_element = data.is_array() && !std::regex_search(f, range_dot);
  std::string text;
  if (table) {
    const json& sample = data.is_array() ? (data.empty() ? json::object() : data[0]) : data;
    json h = header_data(sample, headers);
    try {
      text += t.execute(per_element || !data.is_array() ? h : json::array({h}));
    } catch (const std::exception&) {
      // A template whose header cannot be derived (e.g. ranging over a field) has none.
    }
  }
  if (per_element) {
    for (const auto& e : data) text += t.execute(e);
  } else {
    text += t.execute(data);
  }
  return tabwrite(text);
}

}  // namespace ctl
