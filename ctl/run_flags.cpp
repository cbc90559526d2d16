// The create/run flags of issue 14 (podman parity): --entrypoint, --tmpfs, --mount,
// --add-host, --dns, --dns-search, --replace, --group-add, -u NAME resolution, --label-file
// and --annotation (docs/ctrctl.md, "create").
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <CLI/CLI.hpp>

#include "ctl/create_flags.hpp"
#include "messages/error.hpp"
#include "messages/refuse.hpp"
#include "runtime/user_lookup.hpp"

namespace ctl {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    auto at = s.find(sep, pos);
    out.push_back(s.substr(pos, at == std::string::npos ? std::string::npos : at - pos));
    if (at == std::string::npos) return out;
    pos = at + 1;
  }
}

bool valid_ip(const std::string& ip) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, ip.c_str(), buf) == 1 || ::inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

bool is_octal(const std::string& t) {
  return !t.empty() && t.size() <= 5 && t.find_first_not_of("01234567") == std::string::npos;
}

// A tmpfs size: digits with an optional k/m/g (or %) suffix, as the kernel takes it.
bool is_size(const std::string& t) {
  if (t.empty()) return false;
  std::size_t digits = t.find_first_not_of("0123456789");
  if (digits == 0) return false;
  if (digits == std::string::npos) return true;
  return digits + 1 == t.size() && std::strchr("kKmMgG%", t[digits]) != nullptr;
}

// Applies one tmpfs option word (--tmpfs OPTS, or the tmpfs-* keys of --mount) to `t`.
void tmpfs_option(const std::string& opt, json& t, std::vector<std::string>& kernel,
                  const std::string& text) {
  auto bad = [&](const std::string& why) {
    ctrd::throw_invalid("invalid tmpfs \"" + text + "\": " + why);
  };
  if (opt == "ro" || opt == "rw") {
    t["read_only"] = opt == "ro";
  } else if (opt == "noexec" || opt == "exec") {
    t["noexec"] = opt == "noexec";
  } else if (opt == "nosuid" || opt == "suid") {
    t["nosuid"] = opt == "nosuid";
  } else if (opt == "nodev" || opt == "dev") {
    t["nodev"] = opt == "nodev";
  } else {
    auto eq = opt.find('=');
    std::string key = opt.substr(0, eq), value = eq == std::string::npos ? "" : opt.substr(eq + 1);
    if (key == "size" && is_size(value)) {
      kernel.push_back("size=" + value);
    } else if (key == "mode" && is_octal(value)) {
      kernel.push_back("mode=" + value);
    } else if ((key == "nr_inodes" && is_size(value)) ||
               ((key == "uid" || key == "gid") && ctrd::numeric_id(value))) {
      kernel.push_back(key + "=" + value);
    } else {
      bad("unknown or malformed option \"" + opt +
          "\": ctrd supports ro, rw, [no]exec, [no]suid, [no]dev, size=, mode=, nr_inodes=, "
          "uid=, gid=");
    }
  }
}

std::string join(const std::vector<std::string>& v, char sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(1, sep)) + s;
  return out;
}

std::string read_text_file(const std::string& path, const char* what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    ctrd::throw_invalid(std::string("cannot read ") + what + " " + path + ": " +
                        std::strerror(errno));
  std::string text;
  char buf[8192];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) text.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return text;
}

bool is_name(const std::string& id) {
  return !id.empty() && !ctrd::numeric_id(id);
}

}  // namespace

void add_run_flags(CLI::App& cmd, create_options& o) {
  cmd.add_option("--entrypoint", o.entrypoint,
                 "Command run before the container's command: a word or a JSON array")
      ->each([&o](const std::string&) { o.has_entrypoint = true; });
  cmd.add_option("--tmpfs", o.tmpfs, "Mount a tmpfs: PATH[:OPTS] (needs --rootfs)")
      ->allow_extra_args(false);
  cmd.add_option("--mount", o.mounts,
                 "Attach a mount: type=bind,source=HOST,destination=CTR[,ro] or "
                 "type=tmpfs,destination=CTR[,tmpfs-size=N][,tmpfs-mode=OCTAL] (needs --rootfs)")
      ->allow_extra_args(false);
  cmd.add_option("--add-host", o.add_hosts, "Add HOST:IP to the container's /etc/hosts")
      ->allow_extra_args(false);
  cmd.add_option("--dns", o.dns, "Nameserver of the container's /etc/resolv.conf")
      ->allow_extra_args(false);
  cmd.add_option("--dns-search", o.dns_search,
                 "Search domain of the container's /etc/resolv.conf ('.': none)")
      ->allow_extra_args(false);
  cmd.add_flag("--replace", o.replace,
               "Remove a container of the same name (--name) first, running or not");
  cmd.add_option("--group-add", o.group_add, "Add a supplementary group (name or id)")
      ->allow_extra_args(false);
  cmd.add_option("--label-file", o.label_files, "Read labels from a file of KEY=VALUE lines")
      ->allow_extra_args(false);
  cmd.add_option("--annotation", o.annotations, "Add an annotation KEY=VALUE")
      ->allow_extra_args(false);
}

std::vector<std::string> parse_entrypoint(const std::string& text) {
  if (text.empty()) return {};
  if (text[0] == '[') {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_array())
      ctrd::throw_invalid("invalid entrypoint \"" + text + "\": not a JSON array of strings");
    std::vector<std::string> out;
    for (const auto& e : j) {
      if (!e.is_string())
        ctrd::throw_invalid("invalid entrypoint \"" + text + "\": not a JSON array of strings");
      out.push_back(e.get<std::string>());
    }
    return out;
  }
  return {text};
}

json parse_tmpfs(const std::string& text) {
  auto colon = text.find(':');
  std::string dest = text.substr(0, colon);
  if (dest.empty() || dest[0] != '/')
    ctrd::throw_invalid("invalid tmpfs \"" + text + "\": the container path must be absolute");
  json t{{"destination", absolute_path(dest, "/")},
         {"read_only", false},
         {"noexec", true},
         {"nosuid", true},
         {"nodev", true}};
  std::vector<std::string> kernel;
  if (colon != std::string::npos)
    for (const auto& opt : split(text.substr(colon + 1), ','))
      if (!opt.empty()) tmpfs_option(opt, t, kernel, text);
  t["options"] = join(kernel, ',');
  return t;
}

json parse_mount(const std::string& text, const std::string& cwd) {
  auto bad = [&](const std::string& why) {
    ctrd::throw_invalid("invalid mount \"" + text + "\": " + why);
  };
  std::string type, source, destination, propagation;
  bool read_only = false;
  json t{{"read_only", false}, {"noexec", false}, {"nosuid", true}, {"nodev", true}};
  std::vector<std::string> kernel;
  std::vector<std::string> tmpfs_opts;
  for (const auto& field : split(text, ',')) {
    auto eq = field.find('=');
    std::string key = field.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : field.substr(eq + 1);
    bool has_value = eq != std::string::npos;
    if (key == "type") {
      type = value;
    } else if (key == "source" || key == "src") {
      source = value;
    } else if (key == "destination" || key == "dst" || key == "target") {
      destination = value;
    } else if (key == "ro" || key == "readonly") {
      if (has_value && value != "true" && value != "false") bad(key + " must be true or false");
      read_only = !has_value || value == "true";
    } else if (key == "rw") {
      read_only = has_value && value == "false";
    } else if (key == "bind-propagation") {
      propagation = value;
    } else if (key == "tmpfs-size") {
      tmpfs_opts.push_back("size=" + value);
    } else if (key == "tmpfs-mode") {
      tmpfs_opts.push_back("mode=" + value);
    } else if (key == "noexec" || key == "exec" || key == "nosuid" || key == "suid" ||
               key == "nodev" || key == "dev") {
      tmpfs_opts.push_back(key);
    } else if (key.empty()) {
      bad("empty option");
    } else {
      bad("unknown option \"" + key + "\"");
    }
  }
  if (type.empty()) bad("type is required (ctrd supports type=bind and type=tmpfs)");
  if (type != "bind" && type != "tmpfs")
    bad("mount type \"" + type +
        "\" is not supported: ctrd supports type=bind and type=tmpfs (it has no volumes or "
        "images)");
  if (destination.empty() || destination[0] != '/')
    bad("destination must be an absolute path in the container");
  if (type == "tmpfs") {
    if (!source.empty()) bad("a tmpfs mount takes no source");
    if (!propagation.empty()) bad("bind-propagation is for type=bind");
    t["destination"] = absolute_path(destination, "/");
    t["read_only"] = read_only;
    for (const auto& opt : tmpfs_opts) tmpfs_option(opt, t, kernel, text);
    t["options"] = join(kernel, ',');
    return json{{"tmpfs", t}};
  }
  if (!tmpfs_opts.empty()) bad("tmpfs options are for type=tmpfs");
  if (source.empty()) bad("a bind mount needs source=HOST_PATH");
  if (!propagation.empty() && propagation != "private" && propagation != "rprivate")
    bad("bind-propagation \"" + propagation +
        "\" is not supported: a container's mounts are private (private, rprivate)");
  std::string abs = absolute_path(source, source[0] == '/' ? std::string("/") : cwd);
  return json{{"bind",
               {{"source", abs},
                {"destination", absolute_path(destination, "/")},
                {"read_only", read_only}}}};
}

std::string parse_add_host(const std::string& text) {
  auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0)
    ctrd::throw_invalid("invalid add-host \"" + text + "\": use HOST:IP");
  std::string host = text.substr(0, colon), ip = text.substr(colon + 1);
  if (host.find_first_of(" \t\n\r;") != std::string::npos)
    ctrd::throw_invalid("invalid add-host \"" + text + "\": invalid host name \"" + host + "\"");
  if (ip == "host-gateway")
    ctrd::throw_invalid("invalid add-host \"" + text +
                        "\": ctrd has no host gateway (host network)");
  if (!valid_ip(ip))
    ctrd::throw_invalid("invalid add-host \"" + text + "\": invalid IP address \"" + ip + "\"");
  return text;
}

std::vector<std::string> parse_label_file(const std::string& text, const std::string& source) {
  std::vector<std::string> out;
  std::size_t lineno = 0;
  for (auto line : split(text, '\n')) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    line.erase(0, first);
    if (line[0] == '=')
      ctrd::throw_invalid(source + ":" + std::to_string(lineno) + ": invalid label \"" + line +
                          "\": empty key");
    out.push_back(line);
  }
  return out;
}

void apply_run_flags(const create_options& o, const std::string& cwd_in, json& def) {
  std::string cwd = cwd_in;
  auto dir = [&]() -> const std::string& {
    if (cwd.empty()) cwd = current_directory();
    return cwd;
  };
  if (o.has_entrypoint) {
    auto argv = parse_entrypoint(o.entrypoint);
    for (const auto& a : o.command) argv.push_back(a);
    def["command"] = argv;
  }
  // Labels: the files first, then --label (which wins).
  for (const auto& f : o.label_files) {
    if (!def.contains("labels")) def["labels"] = json::object();
    for (const auto& l : parse_label_file(read_text_file(f, "label file"), f)) {
      auto eq = l.find('=');
      std::string key = l.substr(0, eq);
      bool from_flag = false;
      for (const auto& flag : o.labels)
        from_flag = from_flag || flag.substr(0, flag.find('=')) == key;
      if (!from_flag)
        def["labels"][key] = eq == std::string::npos ? std::string() : l.substr(eq + 1);
    }
  }
  if (!o.annotations.empty()) {
    json a = json::object();
    for (const auto& text : o.annotations) {
      auto eq = text.find('=');
      if (eq == std::string::npos || eq == 0)
        ctrd::throw_invalid("invalid annotation \"" + text +
                            "\": annotations must be formatted KEY=VALUE");
      a[text.substr(0, eq)] = text.substr(eq + 1);
    }
    def["annotations"] = std::move(a);
  }
  bool has_rootfs = def.contains("rootfs");
  auto need_rootfs = [&](const char* flag) {
    if (!has_rootfs)
      ctrd::throw_invalid(
          std::string(flag) +
          " needs --rootfs (a container on the host's root shares the host's files)");
  };
  if (!o.tmpfs.empty() || !o.mounts.empty()) {
    json tmpfs = json::array();
    if (!o.mounts.empty() && !def.contains("mounts")) def["mounts"] = json::array();
    for (const auto& t : o.tmpfs) {
      need_rootfs("--tmpfs");
      tmpfs.push_back(parse_tmpfs(t));
    }
    for (const auto& m : o.mounts) {
      need_rootfs("--mount");
      json parsed = parse_mount(
          m, m.find("src=/") != std::string::npos || m.find("source=/") != std::string::npos
                 ? std::string("/")
                 : dir());
      if (parsed.contains("tmpfs")) {
        tmpfs.push_back(parsed["tmpfs"]);
        continue;
      }
      const auto& b = parsed["bind"];
      struct stat st {};
      if (::stat(b["source"].get<std::string>().c_str(), &st) != 0)
        ctrd::throw_invalid("invalid mount \"" + m + "\": host path " +
                            b["source"].get<std::string>() + ": " + std::strerror(errno));
      def["mounts"].push_back(b);
    }
    if (!tmpfs.empty()) def["tmpfs"] = std::move(tmpfs);
  }
  if (!o.add_hosts.empty()) {
    need_rootfs("--add-host");
    json list = json::array();
    for (const auto& h : o.add_hosts) list.push_back(parse_add_host(h));
    def["add_hosts"] = std::move(list);
  }
  if (!o.dns.empty()) {
    need_rootfs("--dns");
    for (const auto& d : o.dns)
      if (!valid_ip(d)) ctrd::throw_invalid("invalid dns server \"" + d + "\": not an IP address");
    def["dns"] = o.dns;
  }
  if (!o.dns_search.empty()) {
    need_rootfs("--dns-search");
    for (const auto& d : o.dns_search)
      if (d.empty() || d.find_first_of(" \t\n\r,") != std::string::npos)
        ctrd::throw_invalid("invalid dns search domain \"" + d + "\"");
    def["dns_search"] = o.dns_search;
  }
  if (o.replace && o.name.empty())
    ctrd::throw_invalid("cannot replace container without --name being set");
  for (const auto& g : o.group_add)
    if (g == "keep-groups")
      ctrd::throw_invalid(
          "--group-add keep-groups is not supported: ctrd has no rootless runtime groups");
  // Names of users and groups: resolved through the container's own tables.
  auto colon = o.user.find(':');
  bool named_user = is_name(o.user.substr(0, colon)) ||
                    (colon != std::string::npos && is_name(o.user.substr(colon + 1)));
  if (named_user || !o.group_add.empty()) {
    std::string root = has_rootfs ? def["rootfs"].get<std::string>() : std::string("/");
    auto passwd = ctrd::parse_passwd(ctrd::read_in_root(root, "/etc/passwd"));
    auto groups = ctrd::parse_group(ctrd::read_in_root(root, "/etc/group"));
    if (named_user) {
      auto r = ctrd::resolve_user(o.user, o.group_add, passwd, groups);
      def["user"] = std::to_string(r.uid) + ":" + std::to_string(r.gid);
      if (!r.groups.empty()) def["group_add"] = r.groups;
    } else {
      // Numeric or no user: only --group-add is resolved (the ids stay ctrd's rule).
      json ids = json::array();
      for (const auto& g : o.group_add) {
        auto r = ctrd::resolve_user("0:" + g, {}, passwd, groups);
        ids.push_back(r.gid);
      }
      def["group_add"] = std::move(ids);
    }
  }
}

}  // namespace ctl
