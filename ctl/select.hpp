// Choosing the containers a verb acts on: `-a/--all` (every container, or those in the
// states the verb takes, as podman) or the CONTAINER arguments, never both; and podman's
// exit status of `rm`.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ctl/client.hpp"

namespace ctl {

/// Refuses --all together with CONTAINER arguments, and neither of them (podman's texts);
/// throws ctrd::error{invalid_argument}.
void check_selection(bool all, const std::vector<std::string>& names);

/// Full ids of the containers --all selects, newest first: every container whose ctrd
/// state name ("running", "exited", ...) passes `keep` (empty: all of them). Throws
/// ctrd::error with ctrd's message if the list fails.
std::vector<std::string> select_all(client& c,
                                    const std::function<bool(const std::string&)>& keep = {});

/// The container states each --all takes, as podman: kill (running, paused, stopping),
/// pause (running), unpause (paused). stop, restart and rm take every container.
bool killable_state(const std::string& state);

/// What a failed removal counts as for rm_status(): no_such_container, invalid_state for
/// podman's ErrCtrStateInvalid (a running or paused container without -f: its message ends
/// in "container state improper", which podman's rm matches too), anything else internal
/// (e.g. dependents that must be removed first: podman's ErrCtrExists, exit 125).
ctrd::ec rm_failure(ctrd::ec code, const std::string& message);

/// podman's exit status of `rm` from its failed removals (rm_failure()): 1 once any named
/// container did not exist, else 2 once any was running (no -f), else 125; 0 with none.
int rm_status(const std::vector<ctrd::ec>& failures);

}  // namespace ctl
