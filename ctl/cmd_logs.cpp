// `ctrctl logs`: the container's captured output, each chunk to stdout or stderr by stream;
// --follow keeps streaming live output until the container is removed (or Ctrl-C), --tail,
// --since/--until (podman's time syntax, stream_flags.hpp) and --timestamps (each line
// prefixed with its RFC 3339 time; fragments are joined without repeating the prefix).
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/format.hpp"
#include "ctl/io.hpp"
#include "ctl/stream_flags.hpp"

namespace ctl {

runner add_logs(CLI::App& app) {
  struct options {
    std::string name;
    bool follow = false;
    std::string tail;
    std::string since;
    std::string until;
    bool timestamps = false;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("logs", "Print a container's captured output");
  sub->add_flag("-f,--follow", o->follow,
                "Keep printing new output until the container is removed");
  sub->add_option("--tail", o->tail, "Print only the last N lines (default: all)");
  sub->add_option("--since", o->since,
                  "Only output after this time (RFC 3339, Unix seconds, or a duration ago: 10m)");
  sub->add_option("--until", o->until,
                  "Only output before this time (RFC 3339, Unix seconds, or a duration ago: 10m)");
  sub->add_flag("-t,--timestamps", o->timestamps, "Prefix each line with its time (RFC 3339)");
  sub->add_option("CONTAINER", o->name, "Container name, id or unique id prefix")->required();
  return [o](context& ctx) {
    json params{{"container", o->name}};
    int64_t now = now_ns();
    if (o->follow) params["follow"] = true;
    if (!o->tail.empty()) params["tail"] = parse_tail(o->tail);
    if (!o->since.empty()) params["since"] = parse_time_ns(o->since, now);
    if (!o->until.empty()) params["until"] = parse_time_ns(o->until, now);
    if (o->timestamps) params["timestamps"] = true;
    client c;
    if (o->follow)
      connect_waiting(c, ctx);
    else
      connect(c, ctx);
    if (!o->timestamps) {
      response r = c.call("logs", params, write_output);
      if (!r.ok()) {
        print_error(r.message());
        return exit_code_of(r.error);
      }
      return 0;
    }
    // One record per notification: print the prefix unless the previous record of the
    // same stream was a fragment (`partial`) of the same line.
    bool continued[2] = {false, false};
    uint32_t id = c.send_raw("logs", params, [&](const std::string& method, const json& p) {
      if (method != "output") return;
      std::string stream = p.value("stream", std::string("stdout"));
      auto d = p.find("data");
      if (d == p.end()) return;
      std::string data;
      if (d->is_binary())
        data.assign(d->get_binary().begin(), d->get_binary().end());
      else if (d->is_string())
        data = d->get<std::string>();
      bool& cont = continued[stream == "stdout" ? 0 : 1];
      std::string text;
      if (!cont) {
        auto t = p.find("time");
        if (t != p.end() && t->is_string())
          text = t->get<std::string>() + " ";
        else if (t != p.end() && t->is_number_integer())
          text = format_rfc3339_nano(t->get<int64_t>()) + " ";
      }
      text += data;
      cont = p.value("partial", false);
      write_output(stream, text.data(), text.size());
    });
    response r = c.wait(id);
    if (!r.ok()) {
      print_error(r.message());
      return exit_code_of(r.error);
    }
    return 0;
  };
}

}  // namespace ctl
