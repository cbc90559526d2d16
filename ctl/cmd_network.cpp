// `ctrctl network create|ls|inspect|rm|reload|connect|disconnect|exists|prune`: podman's
// network commands over ctrd's network methods (docs/protocol.md "Networks"), with podman's
// output and exit codes (rm: 1 for a missing network, 2 for one in use).
#include <arpa/inet.h>

#include <memory>

#include <CLI/CLI.hpp>

#include "ctl/common.hpp"
#include "ctl/go_template.hpp"
#include "ctl/io.hpp"
#include "ctl/network_format.hpp"
#include "ctl/prune.hpp"
#include "ctl/select.hpp"
#include "messages/refuse.hpp"

namespace ctl {
namespace {

int fail(const response& r) {
  print_error(r.message());
  return exit_code_of(r.error);
}

void check_ipv4(const std::string& ip, const char* flag) {
  in_addr a{};
  if (!ip.empty() && ::inet_pton(AF_INET, ip.c_str(), &a) != 1)
    ctrd::throw_invalid("invalid IP address \"" + ip + "\" for " + flag +
                        ": ctrd's networks are IPv4");
}

struct create_opts {
  std::string name, subnet, gateway, driver;
  bool internal = false, disable_dns = false, ignore = false;
  std::vector<std::string> labels;
};

int run_create(const create_opts& o, const context& ctx) {
  if (!o.driver.empty() && o.driver != "bridge")
    ctrd::throw_invalid("unsupported driver \"" + o.driver +
                        "\": ctrd's networks are bridge networks");
  if (!o.gateway.empty() && o.subnet.empty())
    ctrd::throw_invalid("cannot set gateway or range without subnet");
  check_ipv4(o.gateway, "--gateway");
  json labels = json::object();
  for (const auto& l : o.labels) {
    auto eq = l.find('=');
    if (eq == 0 || l.empty()) ctrd::throw_invalid("invalid label \"" + l + "\": empty key");
    labels[l.substr(0, eq)] = eq == std::string::npos ? std::string() : l.substr(eq + 1);
  }
  json params{{"name", o.name},
              {"internal", o.internal},
              {"dns", !o.disable_dns},
              {"labels", labels},
              {"ignore", o.ignore}};
  if (!o.subnet.empty()) params["subnet"] = o.subnet;
  if (!o.gateway.empty()) params["gateway"] = o.gateway;
  client c;
  connect(c, ctx);
  response r = c.call("network_create", params);
  if (!r.ok()) return fail(r);
  out_line(r.result.value("name", o.name));
  return 0;
}

struct ls_opts {
  std::string format;
  bool quiet = false, no_trunc = false, noheading = false;
  std::vector<std::string> filters;
};

int run_ls(const ls_opts& o, const context& ctx) {
  auto filters = parse_network_filters(o.filters);
  if (!o.format.empty() && !is_json_format(o.format))
    gotmpl::tmpl::parse(o.format, "network ls");  // a syntax error fails before any request
  client c;
  connect(c, ctx);
  response r = c.call("network_list", json::object());
  if (!r.ok()) return fail(r);
  json list = filter_networks(r.result, filters);
  if (o.quiet) {
    for (const auto& n : list) out_line(n.value("name", std::string()));
    return 0;
  }
  if (is_json_format(o.format)) {
    for (auto& n : list) n.erase("containers");  // podman's list has no containers
    out_line(list.dump(2, ' ', false, json::error_handler_t::replace));
    return 0;
  }
  std::string format = o.format.empty() || o.format == "table" ? network_ls_format : o.format;
  if (o.noheading && is_table_format(format)) format = format.substr(format.size() > 5 ? 6 : 5);
  out(render_format(network_template_rows(list, o.no_trunc), format, network_headers(),
                    "network ls"));
  return 0;
}

int run_inspect(const std::vector<std::string>& names, const std::string& format,
                const context& ctx) {
  if (!format.empty() && !is_json_format(format)) gotmpl::tmpl::parse(format, "network inspect");
  client c;
  connect(c, ctx);
  std::vector<uint32_t> ids;
  for (const auto& n : names) ids.push_back(c.send("network_inspect", json{{"network", n}}));
  json found = json::array();
  std::vector<std::string> errors;
  int status = 0;
  for (auto id : ids) {
    response r = c.wait(id);
    if (r.ok()) {
      found.push_back(std::move(r.result));
    } else {
      errors.push_back(r.message());
      status = exit_code_of(r.error);
    }
  }
  if (format.empty() || is_json_format(format)) {
    out_line(found.dump(4, ' ', false, json::error_handler_t::replace));
  } else {
    json rows = json::array();
    for (const auto& n : found) rows.push_back(network_go_fields(n));
    out(render_format(rows, format, {}, "network inspect"));
  }
  for (const auto& e : errors) print_error(e);
  return status;
}

// podman's exit status of `network rm`: 1 once a network was missing, 2 once one was in use
// (the later one wins), else 125 for any other failure.
void note_rm_failure(ctrd::ec code, int& status) {
  if (code == ctrd::ec::no_such_network)
    status = 1;
  else if (code == ctrd::ec::network_in_use)
    status = 2;
  else if (status == 0)
    status = 125;
}

int run_rm(const std::vector<std::string>& names, bool force, const context& ctx) {
  client c;
  connect_waiting(c, ctx);  // -f stops and removes containers first
  std::vector<uint32_t> ids;
  for (const auto& n : names)
    ids.push_back(c.send("network_remove", json{{"network", n}, {"force", force}}));
  std::vector<std::string> errors;
  int status = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    response r = c.wait(ids[i]);
    if (r.ok()) {
      out_line(names[i]);
    } else {
      errors.push_back(r.message());
      note_rm_failure(r.code(), status);
    }
  }
  for (const auto& e : errors) print_error(e);
  return status;
}

int run_reload(const std::vector<std::string>& containers, bool all, const context& ctx) {
  check_selection(all, containers);
  client c;
  connect_waiting(c, ctx);
  json params{{"all", all}, {"containers", containers}};
  response r = c.call("network_reload", params);
  if (!r.ok()) return fail(r);
  std::vector<std::string> errors;
  for (const auto& e : r.result.is_array() ? r.result : json::array()) {
    std::string error = e.value("error", std::string());
    if (error.empty())
      out_line(e.value("id", std::string()));
    else
      errors.push_back(error);
  }
  for (const auto& e : errors) print_error(e);
  return errors.empty() ? 0 : 125;
}

int run_prune(const std::vector<std::string>& filter_args, bool force, const context& ctx) {
  auto filters = parse_network_filters(filter_args);
  if (!force &&
      !confirm("WARNING! This will remove all networks not used by at least one container.\n"))
    return 0;
  client c;
  connect(c, ctx);
  response l = c.call("network_list", json::object());
  if (!l.ok()) return fail(l);
  int status = 0;
  for (const auto& name : prunable_networks(l.result, filters)) {
    response r = c.call("network_remove", json{{"network", name}, {"force", false}});
    if (r.ok()) {
      out_line(name);
    } else if (r.code() != ctrd::ec::network_in_use && r.code() != ctrd::ec::no_such_network) {
      print_error(r.message());  // one that became used or went meanwhile is no error
      status = exit_code_of(r.error);
    }
  }
  return status;
}

}  // namespace

runner add_network(CLI::App& app) {
  struct options {
    create_opts create;
    ls_opts ls;
    std::vector<std::string> names, containers, aliases, filters;
    std::string format, network, container, ip;
    bool force = false, all = false;
  };
  auto o = std::make_shared<options>();
  auto* net = app.add_subcommand("network", "Manage networks");
  net->require_subcommand(1);

  auto* create = net->add_subcommand("create", "Create a bridge network");
  create->add_option("--subnet", o->create.subnet,
                     "IPv4 subnet in CIDR form (default: a free /24 from 10.89.0.0)");
  create->add_option("--gateway", o->create.gateway,
                     "Gateway (the bridge's address) inside --subnet (default: its first)");
  create->add_flag("--internal", o->create.internal, "No traffic to or from outside the network");
  create->add_flag("--disable-dns", o->create.disable_dns,
                   "Do not resolve container names on this network");
  create->add_option("--label", o->create.labels, "Metadata K=V (repeatable)")
      ->allow_extra_args(false);
  create->add_option("-d,--driver", o->create.driver, "Driver: bridge (the only one)");
  create->add_flag("--ignore", o->create.ignore, "No error when the network exists already");
  create->add_option("NAME", o->create.name, "The network's name")->required();

  auto* ls = net->add_subcommand("ls", "List networks");
  ls->alias("list");
  ls->add_option("--format", o->ls.format,
                 "Output format: table (default), json, or a Go template ('{{.Name}}')");
  ls->add_flag("-q,--quiet", o->ls.quiet, "Print only the names");
  ls->add_flag("--no-trunc", o->ls.no_trunc, "Do not truncate the network ids");
  ls->add_flag("-n,--noheading", o->ls.noheading, "Do not print the header row");
  ls->add_option("-f,--filter", o->ls.filters,
                 "Filter: name (regular expression), id (prefix), driver, label, label! "
                 "(KEY=VALUE, repeatable)")
      ->allow_extra_args(false);

  auto* inspect = net->add_subcommand("inspect", "Show networks as JSON");
  inspect->add_option("-f,--format", o->format,
                      "Output format: json (default) or a Go template ('{{.Subnets}}')");
  inspect->add_option("NETWORK", o->names, "Network names")->required();

  auto* rm = net->add_subcommand("rm", "Remove networks");
  rm->alias("remove");
  rm->add_flag("-f,--force", o->force, "Remove the containers that use the network first");
  rm->add_option("NETWORK", o->names, "Network names")->required();

  auto* reload = net->add_subcommand(
      "reload", "Apply containers' network setup (firewall and port rules) again");
  reload->add_flag("-a,--all", o->all, "Every running container on a network");
  reload->add_option("CONTAINER", o->containers, "Container names or ids");

  auto* conn = net->add_subcommand("connect", "Connect a container to a network");
  conn->add_option("--ip", o->ip, "IPv4 address of the container on the network");
  conn->add_option("--alias", o->aliases, "Extra DNS name on the network (repeatable)")
      ->allow_extra_args(false);
  conn->add_option("NETWORK", o->network, "The network")->required();
  conn->add_option("CONTAINER", o->container, "The container")->required();

  auto* disc = net->add_subcommand("disconnect", "Disconnect a container from a network");
  disc->add_flag("-f,--force", o->force, "Force the disconnection");
  disc->add_option("NETWORK", o->network, "The network")->required();
  disc->add_option("CONTAINER", o->container, "The container")->required();

  auto* exists =
      net->add_subcommand("exists", "Check whether a network exists (exit 0) or not (1)");
  exists->add_option("NETWORK", o->network, "The network")->required();

  auto* prune = net->add_subcommand("prune", "Remove the networks no container uses");
  prune->add_flag("-f,--force", o->force, "Do not ask for confirmation");
  prune->add_option("--filter", o->filters, "name, id, driver, label, label! (repeatable)")
      ->allow_extra_args(false);

  return [=](context& ctx) {
    if (create->parsed()) return run_create(o->create, ctx);
    if (ls->parsed()) return run_ls(o->ls, ctx);
    if (inspect->parsed()) return run_inspect(o->names, o->format, ctx);
    if (rm->parsed()) return run_rm(o->names, o->force, ctx);
    if (reload->parsed()) return run_reload(o->containers, o->all, ctx);
    if (prune->parsed()) return run_prune(o->filters, o->force, ctx);
    client c;
    if (exists->parsed()) {
      connect(c, ctx);
      response r = c.call("network_inspect", json{{"network", o->network}});
      if (r.ok()) return 0;
      if (r.code() == ctrd::ec::no_such_network) return 1;
      return fail(r);
    }
    if (conn->parsed()) {
      check_ipv4(o->ip, "--ip");
      json params{{"network", o->network},
                  {"container", o->container},
                  {"aliases", split_list(o->aliases)}};
      if (!o->ip.empty()) params["ip"] = o->ip;
      connect_waiting(c, ctx);
      response r = c.call("network_connect", params);
      return r.ok() ? 0 : fail(r);
    }
    connect_waiting(c, ctx);
    response r =
        c.call("network_disconnect",
               json{{"network", o->network}, {"container", o->container}, {"force", o->force}});
    return r.ok() ? 0 : fail(r);
  };
}

}  // namespace ctl
