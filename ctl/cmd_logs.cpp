// `ctrctl logs`: containers' captured output, each chunk to stdout or stderr by stream;
// --follow keeps streaming live output until the container's process ends (podman: also
// when it is already exited at the call, it prints what there is and returns), --tail,
// --since/--until (podman's time syntax, stream_flags.hpp) and --timestamps (each line
// prefixed with its RFC 3339 time; fragments are joined without repeating the prefix).
// Several containers (podman): each line is prefixed with the container's short id, or its
// name with -n/--names; without -f one container after the other, with -f all at once.
// A container with the journald log driver is read from the journal (journal_logs.hpp).
#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/format.hpp"
#include "ctl/io.hpp"
#include "ctl/journal_logs.hpp"
#include "ctl/stream_flags.hpp"

namespace ctl {
namespace {

/// Writes one container's records: the line prefix (container, then time) at the start of
/// every line, fragments (`partial`) of a line joined.
class line_writer {
 public:
  line_writer(std::string label, bool timestamps)
      : label_(std::move(label)), timestamps_(timestamps) {}

  /// One `output` notification of a `logs` request.
  void operator()(const std::string& method, const json& p) {
    if (method != "output") return;
    std::string stream = p.value("stream", std::string("stdout"));
    auto d = p.find("data");
    if (d == p.end()) return;
    std::string data;
    if (d->is_binary())
      data.assign(d->get_binary().begin(), d->get_binary().end());
    else if (d->is_string())
      data = d->get<std::string>();
    int si = stream == "stdout" ? 0 : 1;
    std::string prefix = label_;
    if (timestamps_) {
      auto t = p.find("time");
      if (t != p.end() && t->is_string())
        prefix += t->get<std::string>() + " ";
      else if (t != p.end() && t->is_number_integer())
        prefix += format_rfc3339_nano(t->get<int64_t>()) + " ";
    }
    std::string text;
    if (timestamps_) {  // one record per line (or fragment)
      if (!continued_[si]) text = prefix;
      text += data;
      continued_[si] = p.value("partial", false);
    } else {  // chunks: a prefix after every newline that more text follows
      for (char ch : data) {
        if (!continued_[si]) text += prefix;
        text += ch;
        continued_[si] = ch != '\n';
      }
    }
    write_output(stream, text.data(), text.size());
  }

 private:
  std::string label_;  // "NAME " or "SHORTID " with several containers, else ""
  bool timestamps_;
  bool continued_[2] = {false, false};  // stdout, stderr: the last write ended mid-line
};

}  // namespace

runner add_logs(CLI::App& app) {
  struct options {
    std::vector<std::string> names;
    bool follow = false;
    bool use_names = false;
    std::string tail;
    std::string since;
    std::string until;
    bool timestamps = false;
  };
  auto o = std::make_shared<options>();
  auto* sub = app.add_subcommand("logs", "Print containers' captured output");
  sub->add_flag("-f,--follow", o->follow,
                "Keep printing new output until the container's process ends");
  sub->add_flag("-n,--names", o->use_names,
                "With several containers: prefix lines with the name instead of the short id");
  sub->add_option("--tail", o->tail, "Print only the last N lines (default: all)");
  sub->add_option("--since", o->since,
                  "Only output after this time (RFC 3339, Unix seconds, or a duration ago: 10m)");
  sub->add_option("--until", o->until,
                  "Only output before this time (RFC 3339, Unix seconds, or a duration ago: 10m)");
  sub->add_flag("-t,--timestamps", o->timestamps, "Prefix each line with its time (RFC 3339)");
  sub->add_option("CONTAINER", o->names, "Container names, ids or unique id prefixes")->required();
  return [o](context& ctx) {
    json params = json::object();
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
    bool multi = o->names.size() > 1;
    // A journald container: ctrd keeps no log of it; journalctl reads the journal.
    auto journal = [&](const json& info, const std::string& label) {
      journal_query q;
      if (params.contains("tail")) q.tail = params["tail"].get<int64_t>();
      q.since_ns = params.value("since", int64_t{0});
      q.until_ns = params.value("until", int64_t{0});
      q.follow = o->follow && info.value("State", json::object()).value("Running", false);
      q.timestamps = o->timestamps;
      q.label = label;
      auto id = info.value("Id", std::string());
      return print_journal_logs(id, q, [&] { (void)c.call("wait", json{{"container", id}}); });
    };
    auto journald = [](const json& info) {
      return info.value("HostConfig", json::object())
                 .value("LogConfig", json::object())
                 .value("Type", std::string()) == "journald";
    };
    if (!multi && !o->timestamps) {  // the plain stream, written as it comes
      params["container"] = o->names[0];
      response r = c.call("logs", params, write_output);
      if (!r.ok()) {
        if (r.code() == ctrd::ec::invalid_argument) {
          response i = c.call("inspect", json{{"container", o->names[0]}});
          if (i.ok() && journald(i.result)) return journal(i.result, "");
        }
        print_error(r.message());
        return exit_code_of(r.error);
      }
      return 0;
    }
    // The labels first (every container must exist, as podman checks before printing).
    std::vector<std::string> labels(o->names.size());
    std::vector<json> infos(o->names.size());
    {
      std::vector<uint32_t> ids;
      for (const auto& n : o->names) ids.push_back(c.send("inspect", json{{"container", n}}));
      for (std::size_t i = 0; i < ids.size(); ++i) {
        response r = c.wait(ids[i]);
        if (!r.ok()) {
          print_error(r.message());
          return exit_code_of(r.error);
        }
        infos[i] = r.result;
        if (!multi) continue;
        std::string label = o->use_names ? r.result.value("Name", o->names[i])
                                         : r.result.value("Id", o->names[i]).substr(0, 12);
        labels[i] = label + " ";
        if (o->follow && journald(r.result)) {
          print_error("logs -f of several containers follows ctrd's own logs only: follow " +
                      o->names[i] + " (log driver journald) on its own");
          return 125;
        }
      }
    }
    // Records (with `time` and `partial`) when timestamps or labels need line boundaries.
    int status = 0;
    std::vector<std::unique_ptr<line_writer>> writers;
    std::vector<uint32_t> ids;
    auto start = [&](std::size_t i) -> uint32_t {
      if (journald(infos[i])) {  // printed now, in its turn (never with -f here)
        if (int rc = journal(infos[i], labels[i]); rc != 0) status = rc;
        return 0;
      }
      json p = params;
      p["container"] = o->names[i];
      if (multi) p["timestamps"] = true;  // line records; the time is printed only with -t
      writers.push_back(std::make_unique<line_writer>(labels[i], o->timestamps));
      auto* w = writers.back().get();
      return c.send_raw("logs", p, [w](const std::string& m, const json& q) { (*w)(m, q); });
    };
    auto finish = [&](uint32_t id) {
      if (id == 0) return;  // a journald container, already printed
      response r = c.wait(id);
      if (!r.ok()) {
        print_error(r.message());
        status = exit_code_of(r.error);
      }
    };
    if (o->follow) {  // all at once: their lines interleave as they come
      for (std::size_t i = 0; i < o->names.size(); ++i) ids.push_back(start(i));
      for (auto id : ids) finish(id);
    } else {  // one after the other
      for (std::size_t i = 0; i < o->names.size(); ++i) finish(start(i));
    }
    return status;
  };
}

}  // namespace ctl
