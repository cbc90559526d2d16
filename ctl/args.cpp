#include "ctl/args.hpp"

#include <CLI/CLI.hpp>

namespace ctl {
namespace {

bool takes_value(const CLI::Option* o) {
  return o != nullptr && o->get_expected_min() > 0;
}

}  // namespace

arg_split split_args(const CLI::App& app, const std::vector<std::string>& args, std::size_t from) {
  std::size_t i = from;
  while (i < args.size()) {
    const std::string& a = args[i];
    if (a == "--") return {i, i + 1};
    if (a.size() < 2 || a[0] != '-') return {i, i};
    if (a[1] == '-') {  // --long or --long=value
      auto eq = a.find('=');
      const CLI::Option* o = app.get_option_no_throw(a.substr(0, eq));
      i += (takes_value(o) && eq == std::string::npos) ? 2 : 1;
      continue;
    }
    // -abc: a cluster of short flags; the first value-taking one eats the rest or the next arg
    std::size_t step = 1;
    for (std::size_t j = 1; j < a.size(); ++j) {
      const CLI::Option* o = app.get_option_no_throw(std::string("-") + a[j]);
      if (o == nullptr) break;
      if (takes_value(o)) {
        if (j + 1 == a.size()) step = 2;
        break;
      }
    }
    i += step;
  }
  if (i > args.size()) i = args.size();
  return {i, i};
}

}  // namespace ctl
