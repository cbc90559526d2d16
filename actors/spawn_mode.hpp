// Where a long-lived actor of ctrd runs (the supervisor, the store): a thread of its own in
// production, or CAF's scheduler, so that a test can run it on CAF's test coordinator
// (tests/support/deterministic.hpp: no threads, timers fire when the test moves the clock).
#pragma once

#include <cstdint>

namespace ctrd {

/// How spawn_supervisor() and spawn_store() spawn their actor.
enum class spawn_mode : uint8_t {
  detached,   ///< a thread of its own (caf::detached): production
  scheduled,  ///< on the actor system's scheduler: deterministic tests
};

}  // namespace ctrd
