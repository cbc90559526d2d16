#include "ctl/common.hpp"

#include <unistd.h>
#include <cstdlib>

#include "config/paths.hpp"
#include "ctl/detach_keys.hpp"
#include "ctl/io.hpp"
#include "messages/duration.hpp"

namespace ctl {

std::chrono::milliseconds answer_timeout(const std::string& flag) {
  const char* env = std::getenv("CTRCTL_TIMEOUT");
  std::string text = !flag.empty() ? flag : (env != nullptr && *env != '\0') ? env : "30s";
  try {
    return std::chrono::milliseconds(ctrd::parse_duration_ms(text));
  } catch (const ctrd::error& e) {
    throw ctrd::error(
        ctrd::ec::invalid_argument,
        std::string(!flag.empty() ? "--timeout" : "CTRCTL_TIMEOUT") + ": " + e.what());
  }
}

void connect(client& c, const context& ctx) {
  c.set_timeout(answer_timeout(ctx.timeout));
  c.connect(ctrd::resolve_socket_path(ctx.socket));
}

void connect_waiting(client& c, const context& ctx) {
  connect(c, ctx);
  c.expect_long_waits();
}

void write_output(const std::string& stream, const char* data, std::size_t size) {
  if (stream == "stdout") {
    if (!write_all(STDOUT_FILENO, data, size)) exit_now(exit_broken_pipe);
  } else {
    (void)write_all(STDERR_FILENO, data, size);
  }
}

int for_each_container(client& c, const std::vector<std::string>& containers,
                       const std::string& method,
                       const std::function<json(const std::string&)>& params_for,
                       const std::function<void(const std::string&, const response&)>& on_success,
                       const std::function<bool(const std::string&, const response&)>& ignore) {
  std::vector<uint32_t> ids;
  ids.reserve(containers.size());
  for (const auto& name : containers) ids.push_back(c.send(method, params_for(name)));
  int status = 0;
  for (std::size_t i = 0; i < containers.size(); ++i) {
    response r = c.wait(ids[i]);
    if (r.ok() || (ignore && ignore(containers[i], r))) {
      if (on_success)
        on_success(containers[i], r);
      else
        out_line(containers[i]);
    } else {
      print_error(r.message());
      status = exit_code_of(r.error);
    }
  }
  return status;
}

int result_exit_code(const response& r) {
  if (r.result.is_object()) {
    auto it = r.result.find("exit_code");
    if (it != r.result.end() && it->is_number_integer()) return it->get<int>();
  }
  print_error("ctrd did not report an exit code");
  return 125;
}

int attached_start(client& c, const std::string& container, const attach_options& o, bool* failed) {
  json params{{"container", container}, {"attach", true}};
  if (o.forward_stdin) params["stdin"] = true;
  uint32_t id = c.send("start", params, write_output);
  return attach_stream(c, id, o, failed);
}

std::string detach_keys_flag(const std::string& text, bool given) {
  return parse_detach_keys(given ? text : std::string(default_detach_keys));
}

terminal_setup terminal_setup_of(const json& inspect_result) {
  terminal_setup t;
  if (!inspect_result.is_object()) return t;
  auto cfg = inspect_result.find("Config");
  if (cfg == inspect_result.end() || !cfg->is_object()) return t;
  if (auto it = cfg->find("OpenStdin"); it != cfg->end() && it->is_boolean())
    t.interactive = it->get<bool>();
  if (auto it = cfg->find("Tty"); it != cfg->end() && it->is_boolean()) t.tty = it->get<bool>();
  return t;
}

}  // namespace ctl
