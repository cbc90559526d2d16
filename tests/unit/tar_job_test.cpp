// The protocol between ctrd and ctrd-tar (runtime/tar_job.hpp): the job description
// survives argv, the status line survives stderr (and a crash report after it), and what
// is not a status is recognised as such.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "messages/error.hpp"
#include "runtime/tar_job.hpp"

namespace tar_job_test {

using namespace ctrd;
using namespace ctrd::tarjob;

TEST_CASE("tar job: a job description round-trips through argv", "[tar]") {
  tar_job_spec in;
  in.in = true;
  in.path = "/dst dir/ü";
  in.overwrite = true;
  in.owner = std::make_pair(1000u, 100u);
  in.uid_map = {{0, 100000, 65536}};
  in.gid_map = {{0, 200000, 1000}, {1000, 1000, 1}};
  in.fs_uid = 100000;
  in.fs_gid = 200000;
  auto argv = to_argv("ctrd-tar", in);
  REQUIRE(argv.size() == 3);
  CHECK(argv[0] == "ctrd-tar");
  CHECK(argv[1] == "in");
  auto out = from_args({argv[1], argv[2]});
  CHECK(out.in);
  CHECK(out.path == in.path);
  CHECK(out.overwrite);
  CHECK(out.owner == in.owner);
  CHECK(out.uid_map == in.uid_map);
  CHECK(out.gid_map == in.gid_map);
  CHECK(out.fs_uid == 100000);
  CHECK(out.fs_gid == 200000);

  tar_job_spec ex;
  ex.path = "/";
  ex.top_name = ".";
  ex.skip_virtual_fs = false;
  auto back = from_args({"out", to_argv("x", ex)[2]});
  CHECK_FALSE(back.in);
  CHECK(back.top_name == ".");
  CHECK_FALSE(back.skip_virtual_fs);
  CHECK_FALSE(back.owner);
}

TEST_CASE("tar job: malformed job descriptions are refused", "[tar]") {
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {}, {"out"}, {"sideways", "{}"}, {"out", "{"}, {"in", "{\"path\": 3}"}, {"in", "[]"}}) {
    INFO(bad.size());
    CHECK_THROWS_AS(from_args(bad), error);
  }
}

TEST_CASE("tar job: status lines", "[tar]") {
  tar_status ok;
  ok.ok = true;
  ok.entries = 12;
  ok.bytes = 1u << 30;
  auto line = encode_status(ok);
  CHECK(line.back() == '\n');
  auto d = decode_status(line + "==ERROR: LeakSanitizer: detected memory leaks\n");
  REQUIRE(d);
  CHECK(d->ok);
  CHECK(d->entries == 12);
  CHECK(d->bytes == (1u << 30));

  tar_status bad;
  bad.code = ec::no_such_file;
  bad.message = "/nope: no such file or directory in the container";
  d = decode_status(encode_status(bad));
  REQUIRE(d);
  CHECK_FALSE(d->ok);
  CHECK(d->code == ec::no_such_file);
  CHECK(d->message == bad.message);

  // Not a status: nothing, a line cut short, a crash report, a code from a newer ctrd.
  CHECK_FALSE(decode_status(""));
  CHECK_FALSE(decode_status(line.substr(0, line.size() - 1)));
  CHECK_FALSE(decode_status("free(): invalid pointer\n"));
  auto newer = decode_status("{\"ok\":false,\"code\":200,\"message\":\"m\"}\n");
  REQUIRE(newer);
  CHECK(newer->code == ec::internal);
}

TEST_CASE("tar job: the helper is found next to ctrd or at $CTRD_TAR_HELPER", "[tar]") {
  ::unsetenv("CTRD_TAR_HELPER");
  auto p = helper_path();
  CHECK(p.size() > 9);
  CHECK(p.substr(p.size() - 9) == "/ctrd-tar");
  ::setenv("CTRD_TAR_HELPER", "/opt/x/ctrd-tar", 1);
  CHECK(helper_path() == "/opt/x/ctrd-tar");
  ::unsetenv("CTRD_TAR_HELPER");
  CHECK(describe_exit(137) == "ctrd-tar was killed by signal 9");
  CHECK(describe_exit(3) == "ctrd-tar exited with code 3 without a result");
}

}  // namespace tar_job_test
