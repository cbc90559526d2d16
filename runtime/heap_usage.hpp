// How much heap the daemon holds: what its allocator handed out and did not get back.
// Reported in the `version` reply (docs/protocol.md) so that memory bounds can be checked
// the same way in every build: RSS under AddressSanitizer measures its shadow memory and
// quarantine, not ctrd.
#pragma once

#include <cstdint>

namespace ctrd {

/// Bytes in use: glibc's mallinfo2() (in-use chunks of every arena plus mmapped blocks),
/// or the sanitizer allocator's count in an ASan build.
uint64_t heap_in_use_bytes();

}  // namespace ctrd
