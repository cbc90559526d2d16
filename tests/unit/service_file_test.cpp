// Service files (config/service_file.hpp): TOML -> create map, error positions, directories,
// hostile input, and the shipped examples.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/service_file.hpp"
#include "messages/container_config.hpp"
#include "tests/support/temp_dir.hpp"

namespace service_file_test {

using namespace ctrd;
namespace fs = std::filesystem;

namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

// Parses `text` as <dir>/<name>.toml.
service_file_result parse(const test::temp_dir& dir, const std::string& text,
                          const std::string& name = "svc") {
  auto path = dir / (name + ".toml");
  write_file(path, text);
  return parse_service_file(path);
}

json expect_ok(const test::temp_dir& dir, const std::string& text,
               const std::string& name = "svc") {
  auto r = parse(dir, text, name);
  if (!r.ok()) FAIL("unexpected error: " << to_string(*r.error) << "\nfor:\n" << text);
  REQUIRE_FALSE(r.error.has_value());
  return r.service->definition;
}

service_error expect_error(const test::temp_dir& dir, const std::string& text,
                           const std::string& name = "svc") {
  auto r = parse(dir, text, name);
  if (r.ok()) FAIL("accepted:\n" << text << "\nas " << r.service->definition.dump());
  REQUIRE_FALSE(r.service.has_value());
  return *r.error;
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("a minimal service file gives command, name and source only", "[service_file]") {
  test::temp_dir dir;
  auto def = expect_ok(dir, "command = [\"sleep\", \"infinity\"]\n", "web");
  auto source = fs::path(dir / "web.toml").lexically_normal().string();
  CHECK(def == json{{"command", {"sleep", "infinity"}}, {"name", "web"}, {"source", source}});
  auto r = parse_service_file(dir / "web.toml");
  REQUIRE(r.ok());
  CHECK(r.service->name == "web");
  CHECK(r.service->file == source);
  CHECK(fs::path(r.service->file).is_absolute());
}

TEST_CASE("every key maps to the create map in protocol units", "[service_file]") {
  test::temp_dir dir;
  auto def = expect_ok(dir, R"(
command = ["/bin/server", "--port", "80"]
restart = "on-failure:3"
requires = ["db", "cache"]
stop_signal = "SIGINT"
stop_timeout = 20
workdir = "/srv"
user = "1000:1000"
autostart = false
sdnotify = true
restart_delay = "250ms"
restart_max_delay = "1m30s"
restart_reset = 30
restart_window = 2.5
restart_limit = 7

[env]
B = "2"
A = "x=y"
PORT = 8080
DEBUG = true

[labels]
"com.example.team" = "infra"
tier = "web"

[health]
cmd = "curl -fsS http://localhost/ || exit 1"
interval = "10s"
timeout = "2s"
retries = 5
start_period = "1m"
on_failure = "restart"
)",
                       "web");
  json expected = {{"command", {"/bin/server", "--port", "80"}},
                   {"restart", "on-failure:3"},
                   {"requires", {"db", "cache"}},
                   {"stop_signal", "SIGINT"},
                   {"stop_timeout", 20},
                   {"workdir", "/srv"},
                   {"user", "1000:1000"},
                   {"autostart", false},
                   {"sdnotify", true},
                   {"restart_delay_ms", 250},
                   {"restart_max_delay_ms", 90000},
                   {"restart_reset_ms", 30000},
                   {"restart_window_ms", 2500},
                   {"restart_limit", 7},
                   {"env", {"B=2", "A=x=y", "PORT=8080", "DEBUG=true"}},  // table: in file order
                   {"labels", {{"com.example.team", "infra"}, {"tier", "web"}}},
                   {"health_cmd", {"/bin/sh", "-c", "curl -fsS http://localhost/ || exit 1"}},
                   {"health_interval_ms", 10000},
                   {"health_timeout_ms", 2000},
                   {"health_retries", 5},
                   {"health_start_period_ms", 60000},
                   {"health_on_failure", "restart"},
                   {"name", "web"},
                   {"source", fs::path(dir / "web.toml").lexically_normal().string()}};
  CHECK(def == expected);

  // The map is what ctrd's create accepts: it round-trips through the container config.
  auto c = config_from_json(def);
  CHECK_NOTHROW(validate(c));
  CHECK(c.backoff.max_ms == 90000);
  CHECK(c.health.on_failure == health_action::restart);
  CHECK(c.stop_signal == SIGINT);
  CHECK(c.restart.max_retries == 3);
  CHECK_FALSE(c.autostart);
  CHECK(c.source == def["source"]);
}

TEST_CASE("flat health keys and the [health] table give the same map", "[service_file]") {
  test::temp_dir dir;
  auto flat = expect_ok(dir, R"(
command = ["srv"]
health_cmd = ["/bin/check", "--quick"]
health_interval = "30s"
health_timeout = 5
health_retries = 2
health_start_period = "0s"
health_on_failure = "kill"
)");
  auto table = expect_ok(dir, R"(
command = ["srv"]
[health]
cmd = ["/bin/check", "--quick"]
interval = "30s"
timeout = 5
retries = 2
start_period = "0s"
on_failure = "kill"
)");
  CHECK(flat == table);
  CHECK(flat["health_cmd"] == json{"/bin/check", "--quick"});
  CHECK(flat["health_timeout_ms"] == 5000);
  CHECK(flat["health_start_period_ms"] == 0);
  CHECK(flat["health_on_failure"] == "kill");
  // Dotted keys are the same table.
  auto dotted = expect_ok(dir, "command = [\"srv\"]\nhealth.cmd = \"true\"\n");
  CHECK(dotted["health_cmd"] == json{"/bin/sh", "-c", "true"});
}

TEST_CASE("env as a table or as an array of K=V", "[service_file]") {
  test::temp_dir dir;
  auto arr = expect_ok(dir, "command = [\"x\"]\nenv = [\"Z=1\", \"A=2\", \"EMPTY=\"]\n");
  CHECK(arr["env"] == json{"Z=1", "A=2", "EMPTY="});  // array: order kept
  auto inl = expect_ok(dir, "command = [\"x\"]\nenv = { Z = \"1\", A = \"2\" }\n");
  CHECK(inl["env"] == json{"Z=1", "A=2"});
  auto dotted = expect_ok(dir, "command = [\"x\"]\nenv.Z = \"1\"\nenv.A = \"2\"\nenv.M = \"3\"\n");
  CHECK(dotted["env"] == json{"Z=1", "A=2", "M=3"});
}

TEST_CASE("restart policies are normalised and signals may be numbers", "[service_file]") {
  test::temp_dir dir;
  CHECK(expect_ok(dir, "command = [\"x\"]\nrestart = \"never\"\n")["restart"] == "no");
  CHECK(expect_ok(dir, "command = [\"x\"]\nrestart = \"unless-stopped\"\n")["restart"] ==
        "unless-stopped");
  CHECK(expect_ok(dir, "command = [\"x\"]\nstop_signal = 2\n")["stop_signal"] == 2);
  CHECK(expect_ok(dir, "command = [\"x\"]\nuser = 1000\n")["user"] == "1000");
  CHECK(expect_ok(dir, "command = [\"x\"]\nrestart_delay = 0\n")["restart_delay_ms"] == 0);
}

TEST_CASE("syntax errors carry toml++'s line and column", "[service_file]") {
  test::temp_dir dir;
  auto e = expect_error(dir, "command = [\"x\"]\n\nrestart = \"always\n");
  CHECK(e.line == 3);
  CHECK(e.column > 0);
  CHECK(e.key.empty());
  CHECK(e.file == dir / "svc.toml");
  CHECK(contains(to_string(e), dir / "svc.toml:3:"));

  auto dup = expect_error(dir, "command = [\"x\"]\ncommand = [\"y\"]\n");
  CHECK(dup.line == 2);
}

TEST_CASE("unknown keys are errors with a suggestion", "[service_file]") {
  test::temp_dir dir;
  auto e = expect_error(dir, "command = [\"x\"]\n  resart = \"always\"\n");
  CHECK(e.line == 2);
  CHECK(e.column == 3);
  CHECK(e.key == "resart");
  CHECK(contains(e.message, "unknown key"));
  CHECK(contains(e.message, "did you mean \"restart\""));
  CHECK(to_string(e) == dir / "svc.toml:2:3: resart: " + e.message);

  auto h = expect_error(dir, "command = [\"x\"]\n[health]\ncmd = \"true\"\nintervall = \"5s\"\n");
  CHECK(h.line == 4);
  CHECK(h.key == "health.intervall");
  CHECK(contains(h.message, "did you mean \"health.interval\""));

  auto ms = expect_error(dir, "command = [\"x\"]\nrestart_delay_ms = 100\n");
  CHECK(ms.key == "restart_delay_ms");
  CHECK(contains(ms.message, "without \"_ms\""));

  auto name = expect_error(dir, "name = \"other\"\ncommand = [\"x\"]\n");
  CHECK(name.key == "name");
  CHECK(name.line == 1);

  // The first problem in the file is reported, whatever the keys' alphabetical order.
  auto first = expect_error(dir, "zz = 1\nresart = 1\ncommand = \"x\"\n");
  CHECK(first.key == "zz");
  CHECK(first.line == 1);

  auto far = expect_error(dir, "command = [\"x\"]\nauto_remove = true\n");
  CHECK(far.key == "auto_remove");
  CHECK(far.message == "unknown key");
}

TEST_CASE("wrong types name the key and the position of the value", "[service_file]") {
  test::temp_dir dir;
  auto e = expect_error(dir, "command = \"sleep 10\"\n");
  CHECK(e.key == "command");
  CHECK(e.line == 1);
  CHECK(e.column == 11);
  CHECK(contains(e.message, "must be an array of strings"));

  auto elem = expect_error(dir, "command = [\n  \"sleep\",\n  10,\n]\n");
  CHECK(elem.key == "command");
  CHECK(elem.line == 3);
  CHECK(contains(elem.message, "must be an array of strings"));

  auto b = expect_error(dir, "command = [\"x\"]\nautostart = \"yes\"\n");
  CHECK(b.key == "autostart");
  CHECK(contains(b.message, "boolean"));

  auto env = expect_error(dir, "command = [\"x\"]\n[env]\nA = 1.5\n");
  CHECK(env.key == "env.A");
  CHECK(env.line == 3);

  auto labels = expect_error(dir, "command = [\"x\"]\nlabels = { a = 1 }\n");
  CHECK(labels.key == "labels.a");

  auto health = expect_error(dir, "command = [\"x\"]\nhealth = \"true\"\n");
  CHECK(health.key == "health");
  CHECK(contains(health.message, "must be a table"));

  auto timeout = expect_error(dir, "command = [\"x\"]\nstop_timeout = \"10s\"\n");
  CHECK(timeout.key == "stop_timeout");
}

TEST_CASE("bad values name the key", "[service_file]") {
  test::temp_dir dir;
  struct bad_case {
    const char* line;
    const char* key;
    const char* fragment;
  };
  const bad_case cases[] = {
      {"stop_signal = \"SIGBOGUS\"", "stop_signal", "invalid signal"},
      {"stop_signal = 0", "stop_signal", "invalid signal"},
      {"stop_signal = 4294967297", "stop_signal", "invalid signal"},
      {"restart = \"sometimes\"", "restart", "invalid restart policy"},
      {"restart = \"always:3\"", "restart", "on-failure"},
      {"restart_delay = \"10 parsecs\"", "restart_delay", "invalid duration"},
      {"restart_delay = \"-1s\"", "restart_delay", "invalid duration"},
      {"restart_delay = -1", "restart_delay", "negative"},
      {"restart_delay = -0.5", "restart_delay", "non-negative"},
      {"restart_delay = nan", "restart_delay", "finite"},
      {"restart_delay = inf", "restart_delay", "finite"},
      {"restart_window = \"31d\"", "restart_window", "invalid duration"},
      {"restart_window = \"800h\"", "restart_window", "30 days"},
      {"restart_window = 9223372036854775807", "restart_window", "30 days"},
      {"restart_window = 1e300", "restart_window", "30 days"},
      {"restart_limit = -1", "restart_limit", "negative"},
      {"restart_limit = 4294967296", "restart_limit", "at most"},
      {"stop_timeout = -5", "stop_timeout", "negative"},
      {"stop_timeout = 18446744073709551615", "", ""},  // not even a TOML integer: syntax error
      {"health_on_failure = \"explode\"\nhealth_cmd = \"true\"", "health_on_failure",
       "invalid health-on-failure action"},
      {"health_cmd = \"  \"", "health_cmd", "must not be empty"},
      {"health_cmd = []", "health_cmd", "must not be empty"},
      {"health_cmd = \"true\"\nhealth_interval = 0", "health_interval", "greater than 0"},
      {"health_interval = \"5s\"", "health_interval", "needs a health check command"},
      {"requires = [\"ok\", \"-bad\"]", "requires", "not a valid container name"},
      {"requires = [\"svc\"]", "requires", "cannot require itself"},
      {"requires = [\"a\", \"a\"]", "requires", "listed twice"},
      {"env = [\"NOEQUALS\"]", "env", "KEY=VALUE"},
      {"env = [\"=v\"]", "env", "KEY=VALUE"},
      {"env = { \"A=B\" = \"c\" }", "env.A=B", "invalid variable name"},
      {"workdir = \"relative/dir\"", "workdir", "absolute"},
      {"user = \"bob\"", "user", "UID"},
      {"user = -1", "user", "invalid user id"},
      {"labels = { \"\" = \"x\" }", "labels.", "must not be empty"},
      {"env = [\"A=\\u0000\"]", "env", "NUL"},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    auto e = expect_error(dir, std::string("command = [\"x\"]\n") + c.line + "\n");
    CHECK(e.key == c.key);
    CHECK(contains(e.message, c.fragment));
    CHECK(e.line >= 2);
  }
  auto empty_prog = expect_error(dir, "command = [\"\", \"x\"]\n");
  CHECK(empty_prog.key == "command");
  auto no_args = expect_error(dir, "command = []\n");
  CHECK(contains(no_args.message, "must not be empty"));
}

TEST_CASE("mixing [health] with flat health keys is refused", "[service_file]") {
  test::temp_dir dir;
  auto e =
      expect_error(dir, "command = [\"x\"]\nhealth_interval = \"5s\"\n[health]\ncmd = \"true\"\n");
  CHECK(e.key == "health_interval");
  CHECK(e.line == 2);
  CHECK(contains(e.message, "[health] table (line 3)"));
}

TEST_CASE("missing command, bad file names and validate's own checks", "[service_file]") {
  test::temp_dir dir;
  auto e = expect_error(dir, "restart = \"always\"\n");
  CHECK(e.key == "command");
  CHECK(e.line == 0);
  CHECK(contains(e.message, "missing"));
  CHECK(to_string(e) == dir / "svc.toml: command: " + e.message);

  auto n = expect_error(dir, "command = [\"x\"]\n", "-web");
  CHECK(contains(n.message, "not a valid container name"));
  CHECK(n.key.empty());
  CHECK(to_string(n) == dir / "-web.toml: " + n.message);

  // A max delay below the first delay is accepted: ctrd never caps below the first delay.
  std::ofstream(dir / "slow.toml")
      << "command = [\"x\"]\nrestart_delay = \"10s\"\nrestart_max_delay = \"1s\"\n";
  CHECK(parse_service_file(dir / "slow.toml").ok());
}

TEST_CASE("files that are not small regular files are refused", "[service_file]") {
  test::temp_dir dir;
  auto missing = parse_service_file(dir / "nope.toml");
  REQUIRE_FALSE(missing.ok());
  CHECK(contains(missing.error->message, "cannot open"));

  fs::create_directory(dir / "d.toml");
  auto d = parse_service_file(dir / "d.toml");
  REQUIRE_FALSE(d.ok());
  CHECK(contains(d.error->message, "not a regular file"));

  REQUIRE(::mkfifo((dir / "f.toml").c_str(), 0600) == 0);
  auto f = parse_service_file(dir / "f.toml");  // must not block
  REQUIRE_FALSE(f.ok());
  CHECK(contains(f.error->message, "not a regular file"));

  std::string big = "command = [\"x\"]\n# " + std::string(max_service_file_size, 'a') + "\n";
  auto b = parse(dir, big);
  REQUIRE_FALSE(b.ok());
  CHECK(contains(b.error->message, "too large"));
}

TEST_CASE("hostile content gives errors, never crashes", "[service_file]") {
  test::temp_dir dir;
  std::string deep_header = "[" + std::string(1, 'a');
  for (int i = 0; i < 200000; ++i) deep_header += ".a";
  deep_header += "]\n";
  auto e1 = expect_error(dir, "command = [\"x\"]\n" + deep_header);
  CHECK(e1.line == 2);

  std::string deep_dotted = "a";
  for (int i = 0; i < 200000; ++i) deep_dotted += ".a";
  expect_error(dir, deep_dotted + " = 1\n");
  expect_error(dir, "command = [\"x\"]\nx = {" + std::string(100, ' ') + deep_dotted + " = 1}\n");

  expect_error(dir, "command = " + std::string(300000, '[') + "\n");
  std::string nested_tables = "env = ";
  for (int i = 0; i < 100000; ++i) nested_tables += "{a=";
  expect_error(dir, nested_tables + "\n");

  std::string junk;
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>((i * 7919) & 0xff);
  expect_error(dir, junk);
  expect_error(dir, std::string("command = [\"x\"]\n\0\n", 18));
  expect_error(dir, "command = [\"\xff\xfe\"]\n");

  // Large (but allowed) strings are fine, as are many keys in one table; a definition
  // beyond 256 KiB in all is refused (max_config_bytes).
  std::string huge(200000, 'x');
  auto ok = expect_ok(dir, "command = [\"echo\", \"" + huge + "\"]\n");
  CHECK(ok["command"][1].get<std::string>().size() == huge.size());
  auto e = expect_error(dir, "command = [\"echo\", \"" + std::string(900000, 'x') + "\"]\n");
  CHECK(contains(e.message, "may take at most 256 KiB"));
  std::string many = "command = [\"x\"]\n[labels]\n";
  for (int i = 0; i < 1000; ++i) many += "k" + std::to_string(i) + " = \"v\"\n";
  CHECK(expect_ok(dir, many)["labels"].size() == 1000);
  // More labels than a client could decode in one map (4096 entries) are refused.
  for (int i = 1000; i < 5000; ++i) many += "k" + std::to_string(i) + " = \"v\"\n";
  expect_error(dir, many);

  // Dots inside strings and comments do not count towards the limit.
  std::string dots(5000, '.');
  CHECK(expect_ok(dir, "command = [\"" + dots + "\", '" + dots + "', '''\n" + dots + "''']  # " +
                           dots + "\n")["command"][0] == dots);
}

TEST_CASE("a directory loads its good files and reports the bad ones", "[service_file]") {
  test::temp_dir dir;
  write_file(dir / "web.toml", "command = [\"web\"]\n");
  write_file(dir / "a.b.toml", "command = [\"ab\"]\n");
  write_file(dir / "a.toml", "command = [\"a\"]\n");
  write_file(dir / "broken.toml", "command = [\"x\"]\nrestrat = \"always\"\n");
  write_file(dir / "notes.txt", "not a service");
  write_file(dir / ".hidden.toml", "garbage");
  write_file(dir / "web.toml~", "garbage");
  auto d = load_service_dir(dir.path());
  REQUIRE(d.services.size() == 3);
  CHECK(d.services[0].name == "a");
  CHECK(d.services[1].name == "a.b");
  CHECK(d.services[2].name == "web");
  CHECK(d.services[2].definition["command"] == json{"web"});
  REQUIRE(d.errors.size() == 1);
  CHECK(d.errors[0].file == dir / "broken.toml");
  CHECK(d.errors[0].line == 2);
  CHECK(d.errors[0].key == "restrat");
  CHECK(to_json(d.errors[0]) == json{{"file", dir / "broken.toml"},
                                     {"line", 2},
                                     {"column", 1},
                                     {"key", "restrat"},
                                     {"message", d.errors[0].message}});
}

TEST_CASE("a missing directory is empty, a file in its place is an error", "[service_file]") {
  test::temp_dir dir;
  auto missing = load_service_dir(dir / "nope");
  CHECK(missing.services.empty());
  CHECK(missing.errors.empty());

  write_file(dir / "file", "x");
  auto notdir = load_service_dir(dir / "file");
  REQUIRE(notdir.errors.size() == 1);
  CHECK(notdir.errors[0].file == dir / "file");
  CHECK(contains(notdir.errors[0].message, "not a directory"));

  auto empty = load_service_dir(dir.path());
  CHECK(empty.services.empty());
  CHECK(empty.errors.empty());
}

TEST_CASE("the shipped examples parse without errors", "[service_file]") {
  auto examples = (fs::path(CTRD_SOURCE_DIR) / "config/examples").lexically_normal();
  REQUIRE(fs::is_directory(examples));
  auto d = load_service_dir(examples.string());
  for (const auto& e : d.errors) FAIL_CHECK(to_string(e));
  CHECK(d.errors.empty());
  REQUIRE(d.services.size() >= 3);
  std::map<std::string, json> by_name;
  for (const auto& s : d.services) {
    CHECK_NOTHROW(validate(config_from_json(s.definition)));
    by_name[s.name] = s.definition;
  }
  REQUIRE(by_name.count("web"));
  REQUIRE(by_name.count("probe"));
  REQUIRE(by_name.count("hello"));
  CHECK(by_name["web"]["restart"] == "always");
  CHECK(by_name["web"]["health_cmd"].size() >= 1);
  CHECK(by_name["probe"]["requires"] == json{"web"});
  CHECK(by_name["hello"]["restart"] == "no");
}

// Found by fuzz/service_file_fuzz (its check that every accepted definition travels as the
// params of a create request): the parser accepted arrays longer than the wire decoder
// takes, so ctrd created containers whose list/inspect replies no client could decode.
TEST_CASE("fuzz: arrays beyond the wire decoder's limits are refused",
          "[service_file][fuzz-regression]") {
  test::temp_dir dir;
  auto strings = [](std::size_t n, const std::string& prefix) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += (i ? ",\"" : "\"") + prefix + std::to_string(i) + "\"";
    return s;
  };
  auto table = [](std::size_t n, const std::string& prefix) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += prefix + std::to_string(i) + " = \"v\"\n";
    return s;
  };
  const std::size_t max_array = decode_limits{}.max_array, max_map = decode_limits{}.max_map;

  auto e = expect_error(dir, "command = [" + strings(max_array + 1, "a") + "]\n");
  CHECK(e.key == "command");
  CHECK(e.line == 1);
  CHECK(contains(e.message, "too many elements (65537, at most 65536)"));

  e = expect_error(dir, "command = [\"x\"]\nenv = [" + strings(max_array + 1, "E=") + "]\n");
  CHECK(e.key == "env");
  CHECK(e.line == 2);
  CHECK(contains(e.message, "too many elements"));

  e = expect_error(dir, "command = [\"x\"]\n[env]\n" + table(max_array + 1, "E"));
  CHECK(e.key == "env");
  CHECK(contains(e.message, "too many variables (65537, at most 65536)"));

  e = expect_error(dir,
                   "command = [\"x\"]\n[health]\ncmd = [" + strings(max_array + 1, "c") + "]\n");
  CHECK(e.key == "health.cmd");

  // At the element limit the definition's size limit (256 KiB) decides.
  e = expect_error(dir, "command = [" + strings(max_array, "a") + "]\n");
  CHECK(contains(e.message, "may take at most 256 KiB"));
  // At the other limits: accepted, and the definition survives the wire.
  auto def =
      expect_ok(dir, "command = [" + strings(20000, "a") + "]\n[labels]\n" + table(1024, "l"));
  CHECK(def["command"].size() == 20000);
  CHECK(def["labels"].size() == 1024);  // labels stop at 1024 (they are map entries of events)
  CHECK(max_map >= 1024 + 8);
  auto bytes = encode_msgpack(def);
  CHECK(decode_msgpack(bytes.data(), bytes.size()) == def);
}

// Found by fuzz/service_file_fuzz: toml++ 3.3 reaches __builtin_unreachable (undefined
// behaviour; UBSan: unicode_autogenerated.h:44) when it asks whether most non-ASCII code
// points are whitespace (toml++ issues #190, #295). The parser refuses them, with their
// position, wherever toml++ would ask: outside strings and comments, after a backslash in a
// multi-line basic string, and first after a line-ending backslash.
TEST_CASE("fuzz: non-ASCII characters toml++ would misclassify are refused",
          "[service_file][fuzz-regression]") {
  test::temp_dir dir;
  struct bad_case {
    std::string text;
    int line, column;
    std::string message;
  };
  const bad_case cases[] = {
      {"command = [\"x\"]\nlabels = { b\xc3\xa9 = \"v\" }\n", 2, 13, "non-ASCII character outside"},
      {"\xcc\xaa", 1, 1, "non-ASCII character outside"},
      {"\xef\xbb\xbf"
       "command = [0\"\xc3\xa9\xe2\x98\x83\", \"\xf0\x9f\x98\x80\"] # comment \xc3\xa9\n"
       "qabels = { \"\xc3\xa9\" = \"\\U0001F600\" }\n",
       1, 14, "non-ASCII character outside"},
      {"command = [\"x\"]\nx = 1'\xc3\xa9'\n", 2, 7, "non-ASCII character outside"},
      {"s = \"\"\"\\\n\xc2\xa7\"\"\"\n", 2, 1, "line-ending backslash"},
      {"command = [\"\"\"a \\  \r\n\n   \xc3\xa9\"\"\"]\n", 3, 4, "line-ending backslash"},
      {"command = [\"\"\"\\\xc3\xa9\"\"\"]\n", 1, 15, "invalid escape sequence"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto e = expect_error(dir, c.text);
    CHECK(e.line == c.line);
    CHECK(e.column == c.column);
    CHECK(contains(e.message, c.message));
  }
  // Non-ASCII text where TOML allows it is still fine.
  auto def = expect_ok(
      dir,
      "\xef\xbb\xbf# caf\xc3\xa9\ncommand = [\"caf\xc3\xa9\", '\xe2\x98\x83', "
      "\"\"\"a \\\n  b \xc3\xa9\"\"\"]\nlabels = { \"\xc3\xa9\" = '''\xf0\x9f\x98\x80''' }\n");
  CHECK(def["command"] == json{"caf\xc3\xa9", "\xe2\x98\x83", "a b \xc3\xa9"});
  CHECK(def["labels"] == json{{"\xc3\xa9", "\xf0\x9f\x98\x80"}});
}

TEST_CASE("ulimits and oom_score_adj in a service file", "[service_file]") {
  test::temp_dir dir;
  auto def = expect_ok(dir, R"(command = ["true"]
ulimits = ["nofile=1024:4096", "core=0"]
oom_score_adj = -10
)");
  CHECK(def["ulimits"] == json::array({"nofile=1024:4096", "core=0:0"}));
  CHECK(def["oom_score_adj"] == -10);
  auto e = expect_error(dir, "command = [\"true\"]\nulimits = [\"nofile=1\", \"files=2\"]\n");
  CHECK(e.key == "ulimits");
  CHECK(e.line == 2);
  CHECK(contains(e.message, "unknown type \"files\""));
  e = expect_error(dir, "command = [\"true\"]\noom_score_adj = 1001\n");
  CHECK(e.key == "oom_score_adj");
  CHECK(contains(e.message, "-1000 to 1000"));
}

}  // namespace service_file_test
