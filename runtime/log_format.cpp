#include "runtime/log_format.hpp"

#include "runtime/proc.hpp"

namespace ctrd {

void format_log_records(int64_t ts_ns, bool is_stderr, std::string_view chunk, std::string& out) {
  const std::string prefix = proc::rfc3339(ts_ns) + (is_stderr ? " stderr " : " stdout ");
  std::size_t pos = 0;
  while (pos < chunk.size()) {
    auto nl = chunk.find('\n', pos);
    out += prefix;
    if (nl == std::string_view::npos) {
      out += "P ";
      out.append(chunk.substr(pos));
      out += '\n';
      return;
    }
    out += "F ";
    out.append(chunk.substr(pos, nl - pos));
    out += '\n';
    pos = nl + 1;
  }
}

bool parse_log_record(std::string_view line, log_record& rec) {
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return false;
  auto rest = line.substr(sp1 + 1);
  if (rest.size() < 9) return false;  // "stdout F " is the shortest tail
  if (rest.substr(0, 7) == "stdout ")
    rec.is_stderr = false;
  else if (rest.substr(0, 7) == "stderr ")
    rec.is_stderr = true;
  else
    return false;
  char flag = rest[7];
  if ((flag != 'F' && flag != 'P') || rest[8] != ' ') return false;
  rec.time = line.substr(0, sp1);
  rec.partial = flag == 'P';
  rec.text = rest.substr(9);
  return true;
}

}  // namespace ctrd
