// ctrctl's container selection (ctl/select.hpp): --all against CONTAINER arguments, the
// states kill --all takes, and podman's exit status of rm.
#include <catch2/catch.hpp>

#include "ctl/select.hpp"

namespace ctl_select_test {

using ctrd::ec;

TEST_CASE("selection: --all or containers but not both and not neither", "[ctl]") {
  CHECK_NOTHROW(ctl::check_selection(true, {}));
  CHECK_NOTHROW(ctl::check_selection(false, {"a"}));
  CHECK_THROWS_WITH(ctl::check_selection(true, {"a"}),
                    "--all and containers cannot be used together");
  CHECK_THROWS_WITH(ctl::check_selection(false, {}), "you must provide at least one name or id");
}

TEST_CASE("kill --all takes containers with a process", "[ctl]") {
  for (const char* s : {"running", "paused", "stopping"}) CHECK(ctl::killable_state(s));
  for (const char* s : {"created", "initialized", "exited", "stopped", "removing"})
    CHECK_FALSE(ctl::killable_state(s));
}

TEST_CASE("rm exit status: 1 for a missing container wins over 2 for a running one", "[ctl]") {
  CHECK(ctl::rm_status({}) == 0);
  CHECK(ctl::rm_status({ec::invalid_state}) == 2);
  CHECK(ctl::rm_status({ec::no_such_container}) == 1);
  CHECK(ctl::rm_status({ec::invalid_state, ec::no_such_container}) == 1);
  CHECK(ctl::rm_status({ec::no_such_container, ec::invalid_state}) == 1);
  CHECK(ctl::rm_status({ec::internal}) == 125);
  CHECK(ctl::rm_status({ec::internal, ec::invalid_state}) == 2);
  // Only podman's ErrCtrStateInvalid makes 2: dependents to remove first are 125.
  CHECK(ctl::rm_failure(ec::invalid_state,
                        "cannot remove container x as it is running - "
                        "running or paused containers cannot be removed "
                        "without force: container state improper") == ec::invalid_state);
  CHECK(ctl::rm_failure(ec::invalid_state,
                        "container x has dependent containers which must be removed before "
                        "it: y") == ec::internal);
  CHECK(ctl::rm_failure(ec::no_such_container, "no such container") == ec::no_such_container);
}

}  // namespace ctl_select_test
