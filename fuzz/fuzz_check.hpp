// Shared helpers of the libFuzzer targets: a check that aborts (so libFuzzer records the
// input as a crash) with a message saying which property failed.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

// Any exception other than the expected ctrd::error is a finding: say what it was.
#define FUZZ_UNEXPECTED(where, e)                                                  \
  do {                                                                             \
    std::fprintf(stderr, "unexpected exception from %s: %s\n", where, (e).what()); \
    std::abort();                                                                  \
  } while (0)
