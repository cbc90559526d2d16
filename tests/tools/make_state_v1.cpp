// Wrote the state fixture tests/data/state-v1: a LevelDB state directory as ctrd 0.1
// (state schema 1) writes it, with three containers of known content and one removed.
// It was run with ctrd 0.1's state_store; the fixture is never regenerated (a later
// schema gets its own tests/data/state-v<N> from its own generator). How it was made:
//   build-test/tests/make_state_v1 tests/data/state-v1 && rm tests/data/state-v1/{LOG,LOCK}
// tests/unit/state_recovery_test.cpp and tests/integration/state_fault_test.cpp check
// that this build opens it and sees every container as written here.
#include <filesystem>
#include <iostream>

#include "runtime/state_store.hpp"

namespace {

ctrd::container_config config(const std::string& id, const std::string& name,
                              std::vector<std::string> command) {
  ctrd::container_config c;
  c.id = id;
  c.name = name;
  c.command = std::move(command);
  c.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
           "container=ctrd"};
  c.created_ns = 1700000000000000000;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_state_v1 DIR (DIR must not exist)\n";
    return 2;
  }
  if (std::filesystem::exists(argv[1])) {
    std::cerr << argv[1] << " exists\n";
    return 2;
  }
  ctrd::state_store db(argv[1]);

  auto web = config(std::string(64, 'a'), "fixture-web", {"sleep", "1000"});
  web.labels = {{"app", "web"}, {"tier", "front"}};
  web.restart.kind = ctrd::restart_kind::on_failure;
  web.restart.max_retries = 3;
  web.stop_timeout = 5;
  ctrd::container_status web_st;
  web_st.state = ctrd::container_state::exited;
  web_st.exit_code = 3;
  web_st.has_exited = true;
  web_st.started_ns = 1700000001000000000;
  web_st.finished_ns = 1700000002000000000;
  web_st.stopped_by_user = true;
  db.put_container(web, web_st);

  auto job = config(std::string(64, 'b'), "fixture-job", {"sh", "-c", "echo done"});
  db.put_container(job, ctrd::container_status{});  // created, never started

  auto gone = config(std::string(64, 'c'), "fixture-removed", {"true"});
  db.put_container(gone, ctrd::container_status{});
  db.erase(gone.id);  // a removal in the log: must stay removed

  auto svc = config(std::string(64, 'd'), "fixture-svc", {"sleep", "1"});
  svc.requires_ = {"fixture-web"};
  ctrd::container_status svc_st;
  svc_st.state = ctrd::container_state::exited;
  svc_st.has_exited = true;
  svc_st.restart_count = 2;
  svc_st.stopped_by_user = true;
  db.put_container(svc, svc_st);
  db.put_status(svc.id, svc_st);
  std::cout << "wrote " << argv[1] << "\n";
  return 0;
}
