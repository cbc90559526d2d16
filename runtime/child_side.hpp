// CTRD_CHILD_SIDE marks code that runs in a spawned child between clone and exec
// (spawner_child.cpp, isolation*.cpp, confinement.cpp, userns.cpp).
#pragma once

/// Code that runs in the child before exec is not instrumented by the sanitizers: it may run
/// on a stack of its own in ctrd's memory, where ASan's bookkeeping (e.g. unpoisoning "the"
/// thread stack before a noreturn call) would be wrong and would print into the container's
/// output.
#define CTRD_CHILD_SIDE __attribute__((no_sanitize("address", "undefined")))
