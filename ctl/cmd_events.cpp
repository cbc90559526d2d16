// `ctrctl events`: streams ctrd's container events, podman style, until Ctrl-C (exit 0) or
// until --until has passed (ctrd then ends the request; exit 0). Human lines by default
// (format.hpp event_human()), one JSON object per line with --format json. A `dropped`
// notice (the client was too slow) becomes a warning on stderr.
#include <poll.h>
#include <cerrno>
#include <csignal>
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/format.hpp"
#include "ctl/go_template.hpp"
#include "ctl/io.hpp"
#include "ctl/stream_flags.hpp"
#include "ctl/terminal.hpp"

namespace ctl {

runner add_events(CLI::App& app) {
  struct options {
    std::string since;
    std::string until;
    std::vector<std::string> filters;
    std::string format;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("events", "Show container events");
  sub->add_option("--since", o->since,
                  "Events after this time (RFC 3339, Unix seconds, or a duration ago: 10m)");
  sub->add_option("--until", o->until,
                  "Stop at this time (RFC 3339, Unix seconds, or a duration ago: 10m)");
  sub->add_option("-f,--filter", o->filters,
                  "Filter: container=NAME|ID, event=STATUS, type=container (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--format", o->format,
                  "Output format: json (one object per line) or a Go template "
                  "('{{.Time}} {{.Status}} {{.Name}}')");
  sub->footer("Streams until interrupted (Ctrl-C, exit 0) or until --until has passed.");
  return [o](context& ctx) {
    json params = json::object();
    int64_t now = now_ns();
    if (!o->since.empty()) params["since"] = parse_time_ns(o->since, now);
    if (!o->until.empty()) params["until"] = parse_time_ns(o->until, now);
    json filters = parse_event_filters(o->filters);
    if (!filters.empty()) params["filters"] = std::move(filters);
    bool as_json = is_json_format(o->format);
    std::string format = as_json ? std::string() : o->format;
    if (!format.empty()) gotmpl::tmpl::parse(format, "events");  // syntax errors first
    params["stream"] = true;
    signal_pipe interrupt({SIGINT, SIGTERM});
    client c;
    connect_waiting(c, ctx);
    std::string template_error;
    uint32_t id =
        c.send_raw("events", params,
                   [as_json, format, &template_error](const std::string& method, const json& p) {
                     if (method != "event") return;
                     if (auto d = p.find("dropped"); d != p.end() && d->is_number()) {
                       err("WARN: " + std::to_string(d->get<int64_t>()) +
                           " events dropped (client too slow)\n");
                       return;
                     }
                     auto e = p.find("event");
                     if (e == p.end() || !e->is_object()) return;
                     if (!format.empty()) {
                       if (!template_error.empty()) return;
                       try {
                         out(render_format(*e, format, {}, "events"));
                       } catch (const std::exception& x) {
                         template_error = x.what();  // reported once the stream is ended below
                       }
                       return;
                     }
                     out_line(as_json ? e->dump() : event_human(*e, false));
                   });
    c.flush();
    response r;
    while (!c.try_take(id, r)) {
      if (!template_error.empty()) {
        print_error(template_error);
        return 125;
      }
      pollfd fds[2] = {{c.fd(), POLLIN, 0}, {interrupt.fd(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        throw ctrd::error(ctrd::ec::internal, "poll failed");
      }
      if (fds[1].revents != 0) {
        for (int sig : interrupt.drain())
          if (sig == SIGINT) return 0;  // podman: Ctrl-C ends `events` normally
        return 128 + SIGTERM;
      }
      if (fds[0].revents != 0) c.receive();
    }
    if (!template_error.empty()) {
      print_error(template_error);
      return 125;
    }
    if (!r.ok()) {
      print_error(r.message());
      return exit_code_of(r.error);
    }
    return 0;
  };
}

}  // namespace ctl
