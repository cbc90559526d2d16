// Unit tests for ctrctl's Go template evaluator (ctl/go_template.hpp): the language, Go's
// printing and printf, podman's functions, errors, and render_format's table layout.
#include <catch2/catch.hpp>

#include "ctl/go_template.hpp"
#include "messages/error.hpp"

namespace ctl_go_template_test {

using ctl::json;

namespace {

json data() {
  return json::parse(R"({
    "Id": "0123456789abcdef0123",
    "Name": "web",
    "Names": ["web", "alias"],
    "Count": 3,
    "Zero": 0,
    "Ratio": 1.5,
    "Big": 1234567.0,
    "Yes": true,
    "No": false,
    "Empty": "",
    "Nothing": null,
    "Labels": {"app": "shop", "tier": "front"},
    "NoLabels": {},
    "State": {"Status": "running", "Pid": 42, "Health": {"Status": "healthy"}},
    "Mounts": [{"Source": "/a", "Destination": "/x"}, {"Source": "/b", "Destination": "/y"}],
    "Config": {"Cmd": ["sleep", "9"], "Env": {"A": "1"}}
  })");
}

std::string run(const std::string& t, const json& d = data()) {
  return ctl::gotmpl::tmpl::parse(t).execute(d);
}

std::string error_of(const std::string& t, const json& d = data()) {
  try {
    run(t, d);
  } catch (const ctrd::error& e) {
    CHECK(e.code() == ctrd::ec::invalid_argument);
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("go template prints text and fields and dot", "[ctl][gotmpl]") {
  CHECK(run("plain text") == "plain text");
  CHECK(run("{{.Name}}") == "web");
  CHECK(run("name={{.Name}} pid={{.State.Pid}}") == "name=web pid=42");
  CHECK(run("{{.State.Health.Status}}") == "healthy");
  CHECK(run("{{.Names}}") == "[web alias]");
  CHECK(run("{{.Labels}}") == "map[app:shop tier:front]");
  CHECK(run("{{.Count}} {{.Ratio}} {{.Big}} {{.Yes}} {{.Nothing}}") ==
        "3 1.5 1.234567e+06 true <nil>");
  CHECK(run("{{.}}", json("x")) == "x");
  CHECK(run("{{.}}", json::array({1, "a"})) == "[1 a]");
  CHECK(run("{{$.Name}}") == "web");
}

TEST_CASE("go template: maps print <no value> for unknown keys", "[ctl][gotmpl]") {
  CHECK(run("{{.Labels.app}}") == "shop");
  CHECK(run("{{.Labels.nope}}") == "<no value>");
  CHECK(run("{{.NoLabels.x}}") == "<no value>");
  CHECK(run("{{.Config.Env.B}}") == "<no value>");
  CHECK(run("{{.a}}", json::object({{"b", 1}})) == "<no value>");
}

TEST_CASE("go template: unknown struct fields are Go's errors", "[ctl][gotmpl]") {
  CHECK(error_of("{{.Foo}}") ==
        "template: output:1:2: executing \"output\" at <.Foo>: can't evaluate field Foo in type "
        "map[string]interface {}");
  CHECK(error_of("x\n  {{.State.Nope}}") ==
        "template: output:2:4: executing \"output\" at <.State.Nope>: can't evaluate field Nope "
        "in type map[string]interface {}");
  CHECK(error_of("{{.Name.Foo}}") ==
        "template: output:1:2: executing \"output\" at <.Name.Foo>: can't evaluate field Foo in "
        "type string");
  CHECK(error_of("{{.Nothing.X}}").find("nil pointer evaluating interface {}.X") !=
        std::string::npos);
}

TEST_CASE("go template: parse errors", "[ctl][gotmpl]") {
  CHECK(error_of("{{.Name") == "template: output:1: unclosed action");
  CHECK(error_of("{{nosuch .Name}}") == "template: output:1: function \"nosuch\" not defined");
  CHECK(error_of("{{if .Yes}}x") == "template: output:1: unexpected EOF");
  CHECK(error_of("{{end}}") == "template: output:1: unexpected {{end}}");
  CHECK(error_of("{{\"abc}}").find("unterminated quoted string") != std::string::npos);
  CHECK(error_of("{{}}") == "template: output:1: missing value for command");
  CHECK(error_of("a\n{{.Name | }}") == "template: output:2: missing command after |");
  CHECK(error_of("{{define \"x\"}}{{end}}").find("not supported") != std::string::npos);
}

TEST_CASE("go template if and else if and else follow Go truthiness", "[ctl][gotmpl]") {
  CHECK(run("{{if .Yes}}y{{end}}") == "y");
  CHECK(run("{{if .No}}y{{else}}n{{end}}") == "n");
  CHECK(run("{{if .Zero}}a{{else if .Empty}}b{{else if .Count}}c{{else}}d{{end}}") == "c");
  CHECK(run("{{if .Zero}}a{{else if .Empty}}b{{else}}d{{end}}") == "d");
  CHECK(run("{{if .NoLabels}}a{{else}}empty map{{end}}") == "empty map");
  CHECK(run("{{if .Nothing}}a{{else}}nil{{end}}") == "nil");
  CHECK(run("{{if .Labels.nope}}a{{else}}missing{{end}}") == "missing");
  CHECK(run("{{if .Names}}has{{end}}") == "has");
  CHECK(run("{{with .State}}{{.Status}}{{end}}") == "running");
  CHECK(run("{{with .Empty}}x{{else}}none{{end}}") == "none");
}

TEST_CASE("go template range with variables and break and continue", "[ctl][gotmpl]") {
  CHECK(run("{{range .Names}}[{{.}}]{{end}}") == "[web][alias]");
  CHECK(run("{{range $i, $e := .Names}}{{$i}}={{$e}} {{end}}") == "0=web 1=alias ");
  CHECK(run("{{range $k, $v := .Labels}}{{$k}}:{{$v}};{{end}}") == "app:shop;tier:front;");
  CHECK(run("{{range .Mounts}}{{.Source}}->{{.Destination}},{{end}}") == "/a->/x,/b->/y,");
  CHECK(run("{{range .NoLabels}}x{{else}}none{{end}}") == "none");
  CHECK(run("{{range .Nothing}}x{{else}}nil{{end}}") == "nil");
  CHECK(run("{{range .Mounts}}{{$.Name}}{{end}}") == "webweb");
  CHECK(run("{{$x := .Name}}{{$x}}-{{$x = \"b\"}}{{$x}}") == "web-b");
  CHECK(run("{{range .Names}}{{if eq . \"alias\"}}{{break}}{{end}}{{.}}{{end}}") == "web");
  CHECK(run("{{range .Names}}{{if eq . \"web\"}}{{continue}}{{end}}{{.}}{{end}}") == "alias");
  CHECK(run("{{range 3}}{{.}}{{end}}") == "012");
  CHECK(error_of("{{range .Name}}x{{end}}").find("range can't iterate over web") !=
        std::string::npos);
  CHECK(error_of("{{$nope}}").find("undefined variable: $nope") != std::string::npos);
}

TEST_CASE("go template: whitespace trimming and comments", "[ctl][gotmpl]") {
  CHECK(run("a  {{- .Name -}}  b") == "awebb");
  CHECK(run("a\n{{- /* note */ -}}\nb") == "ab");
  CHECK(run("{{/* only a comment */}}x") == "x");
  CHECK(run("{{range .Names -}}\n  {{.}}\n{{- end}}") == "webalias");
  CHECK(run("{{-3}}") == "-3");
}

TEST_CASE("go template literals and pipelines and parentheses", "[ctl][gotmpl]") {
  CHECK(run("{{\"a\\tb\"}}") == "a\tb");
  CHECK(run("{{`raw\\t`}}") == "raw\\t");
  CHECK(run("{{42}} {{-7}} {{1.25}} {{true}} {{0x1f}}") == "42 -7 1.25 true 31");
  CHECK(run("{{.Name | upper}}") == "WEB");
  CHECK(run("{{.Name | printf \"%s!\" | upper}}") == "WEB!");
  CHECK(run("{{(index .Mounts 1).Source}}") == "/b");
  CHECK(run("{{len (index .Config.Cmd 0)}}") == "5");
  CHECK(error_of("{{.Name 1}}").find("can't give argument to non-function .Name") !=
        std::string::npos);
}

TEST_CASE("go template: comparison and logic", "[ctl][gotmpl]") {
  CHECK(run("{{eq .Name \"web\"}} {{ne .Name \"web\"}}") == "true false");
  CHECK(run("{{eq .Count 1 2 3}}") == "true");
  CHECK(run("{{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 2.5 2}}") == "true true false true");
  CHECK(run("{{lt \"a\" \"b\"}}") == "true");
  CHECK(run("{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" 3}} {{or 0 \"\"}}") == "0 2 3 ");
  CHECK(run("{{not .Yes}} {{not .Empty}}") == "false true");
  CHECK(run("{{if and .Yes (eq .State.Status \"running\")}}ok{{end}}") == "ok");
  CHECK(error_of("{{eq .Name 1}}") ==
        "template: output:1:2: executing \"output\" at <eq .Name 1>: error calling eq: "
        "incompatible types for comparison");
  CHECK(error_of("{{lt true false}}").find("invalid type for comparison") != std::string::npos);
}

TEST_CASE("go template index len slice and podman functions", "[ctl][gotmpl]") {
  CHECK(run("{{index .Labels \"app\"}}") == "shop");
  CHECK(run("{{index .Labels \"missing\"}}") == "");
  CHECK(run("{{index .Names 1}}") == "alias");
  CHECK(run("{{index .Config.Cmd 1}}") == "9");
  CHECK(error_of("{{index .Names 5}}").find("error calling index: index out of range: 5") !=
        std::string::npos);
  CHECK(run("{{len .Names}} {{len .Labels}} {{len .Name}}") == "2 2 3");
  CHECK(error_of("{{len .Count}}") ==
        "template: output:1:2: executing \"output\" at <len .Count>: error calling len: len of "
        "type int");
  CHECK(run("{{slice .Name 1 2}} {{slice .Names 1}}") == "e [alias]");
  CHECK(run("{{join .Names \",\"}}") == "web,alias");
  CHECK(run("{{join .Name \",\"}}") == "web");
  CHECK(run("{{upper .Name}} {{lower \"AbC\"}} {{title \"hello world\"}}") ==
        "WEB abc Hello World");
  CHECK(run("{{truncate .Id 12}}") == "0123456789ab");
  CHECK(run("{{split \"a:b:c\" \":\"}}") == "[a b c]");
  CHECK(run("{{json .Labels}}") == R"({"app":"shop","tier":"front"})");
  CHECK(run("{{json .Config.Cmd}}") == R"(["sleep","9"])");
  CHECK(run("{{json .Name}}") == R"("web")");
  CHECK(run("{{print 1 2 \"a\" \"b\" 3}}") == "1 2ab3");
  CHECK(run("{{println .Name}}") == "web\n");
  CHECK(error_of("{{join .Names}}").find("wrong number of args for join: want 2 got 1") !=
        std::string::npos);
  CHECK(error_of("{{upper .Count}}") ==
        "template: output:1:2: executing \"output\" at <upper .Count>: wrong type for value; "
        "expected string; got int");
}

TEST_CASE("go template: printf verbs", "[ctl][gotmpl]") {
  auto p = [](const std::string& f, const json& args) {
    return ctl::gotmpl::go_sprintf(f, args.get_ptr<const json::array_t*>()->data(), args.size());
  };
  CHECK(p("%s %d", json::array({"a", 5})) == "a 5");
  CHECK(p("%5s|%-5s|", json::array({"ab", "cd"})) == "   ab|cd   |");
  CHECK(p("%05d %+d %x %X %o", json::array({42, 3, 255, 255, 8})) == "00042 +3 ff FF 10");
  CHECK(p("%.2f %8.3f %e", json::array({3.14159, 2.5, 1000.0})) == "3.14    2.500 1.000000e+03");
  CHECK(p("%v %v %v", json::array({1.5, json::array({"a", "b"}), true})) == "1.5 [a b] true");
  CHECK(p("%q", json::array({"a\"b\n"})) == "\"a\\\"b\\n\"");
  CHECK(p("%t %c %%", json::array({false, 65})) == "false A %");
  CHECK(p("%.3s", json::array({"abcdef"})) == "abc");
  CHECK(p("%d", json::array({"x"})) == "%!d(string=x)");
  CHECK(p("%s", json::array({7})) == "%!s(int=7)");
  CHECK(p("%s %s", json::array({"a"})) == "a %!s(MISSING)");
  CHECK(p("%s", json::array({"a", 1})) == "a%!(EXTRA int=1)");
  CHECK(p("%*d", json::array({4, 7})) == "   7");
  CHECK(run("{{printf \"%-6s|%3d\" .Name .Count}}") == "web   |  3");
}

TEST_CASE("go_print matches Go's %v for floats", "[ctl][gotmpl]") {
  using ctl::gotmpl::go_print;
  CHECK(go_print(json(0.1)) == "0.1");
  CHECK(go_print(json(100.0)) == "100");
  CHECK(go_print(json(123456.0)) == "123456");
  CHECK(go_print(json(1e21)) == "1e+21");
  CHECK(go_print(json(0.00001)) == "1e-05");
  CHECK(go_print(json(0.0001)) == "0.0001");
  CHECK(go_print(json(-2.5)) == "-2.5");
}

TEST_CASE("header_name splits camel case like podman", "[ctl][gotmpl]") {
  using ctl::gotmpl::header_name;
  CHECK(header_name("ID") == "ID");
  CHECK(header_name("Names") == "NAMES");
  CHECK(header_name("CreatedAt") == "CREATED AT");
  CHECK(header_name("ExitCode") == "EXIT CODE");
  CHECK(header_name("PIDNS") == "PIDNS");
  CHECK(header_name("CPUPerc") == "CPU PERC");
  CHECK(header_name("RwSize") == "RW SIZE");
}

TEST_CASE("render_format resolves escapes and lays out lists and tables", "[ctl][gotmpl]") {
  json rows = json::array({json{{"ID", "aaa"}, {"Names", "first-container"}, {"Count", 1}},
                           json{{"ID", "bbbbbb"}, {"Names", "b"}, {"Count", 22}}});
  CHECK(ctl::render_format(rows, "{{.ID}}") == "aaa\nbbbbbb\n");
  CHECK(ctl::render_format(rows, "{{.ID}}\\t{{.Names}}") ==
        "aaa         first-container\nbbbbbb      b\n");
  CHECK(ctl::render_format(rows, "table {{.ID}}\\t{{.Names}}\\t{{.Count}}",
                           {{"ID", "CONTAINER ID"}}) ==
        "CONTAINER ID  NAMES            COUNT\n"
        "aaa           first-container  1\n"
        "bbbbbb        b                22\n");
  CHECK(ctl::render_format(json::array(), "table {{.ID}}\\t{{.Names}}",
                           {{"ID", "CONTAINER ID"}, {"Names", "NAMES"}}) ==
        "CONTAINER ID  NAMES\n");
  CHECK(ctl::render_format(rows, "{{range .}}{{.ID}},{{end}}") == "aaa,bbbbbb,\n");
  CHECK(ctl::render_format(json{{"State", {{"Status", "up"}}}}, "{{.State.Status}}") == "up\n");
  CHECK(ctl::render_format(json{{"State", {{"Status", "up"}}}}, "table {{.State.Status}}") ==
        "STATUS\nup\n");
  CHECK(ctl::render_format(json{{"A", "x"}}, "{{.A}}\\n") == "x\n");
  CHECK_THROWS_AS(ctl::render_format(rows, "{{.Nope}}", {}, "ps"), ctrd::error);
  try {
    ctl::render_format(rows, "{{.Nope}}", {}, "ps");
  } catch (const ctrd::error& e) {
    CHECK(std::string(e.what()).rfind("template: ps:1:2: executing \"ps\" at <.Nope>", 0) == 0);
  }
}

TEST_CASE("is_json_format and is_table_format", "[ctl][gotmpl]") {
  CHECK(ctl::is_json_format("json"));
  CHECK(ctl::is_json_format("{{json .}}"));
  CHECK(ctl::is_json_format("{{ json . }}"));
  CHECK_FALSE(ctl::is_json_format("{{json .Config}}"));
  CHECK(ctl::is_table_format("table"));
  CHECK(ctl::is_table_format("table {{.ID}}"));
  CHECK_FALSE(ctl::is_table_format("{{.ID}} table"));
}

}  // namespace ctl_go_template_test
