// The event bus actor: every container transition is published here with podman's event
// names and fields (docs/protocol.md, "Events"), appended to the bounded, rotated history
// `<root>/events.log` (actors/event_log.hpp) and fanned out to `events` subscribers.
// Detached (it does file I/O). A slow subscriber never slows anyone: the bus only sends;
// each session bounds what it buffers and drops with a notice (actors/control.cpp).
//
// Protocol:
//   (event_atom, json event)                               publish
//   (subscribe_atom, caf::actor session, uint32_t msgid, json filters,
//    int64_t since_ns, int64_t until_ns, bool stream)      -> {}     (0 = unbounded)
//        sends (event_atom, msgid, json) for each stored event in [since, until] matching
//        the filters, then, with `stream`, every new matching one. The reply comes once the
//        history is sent (without `stream`) or once `until` has passed (with it); a stream
//        without `until` ends when the session goes away. Bad filters: invalid_argument.
#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace ctrd {

/// Spawns the bus over `<root>/events.log`.
caf::actor spawn_event_bus(caf::actor_system& sys, const std::string& root);

}  // namespace ctrd
