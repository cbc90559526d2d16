// The event bus actor: every container transition is published here with podman's event
// names and fields (docs/protocol.md, "Events"), appended to the bounded, rotated history
// `<root>/events.log` (runtime/event_log.hpp) and fanned out to `events` subscribers.
// Detached (it does file I/O). A slow subscriber never slows anyone: the bus only sends
// new events; each session bounds what it buffers and drops with a notice
// (actors/control_session.cpp).
//
// Its protocol is event_bus_actor (actors/interfaces.hpp). A subscription gets the stored
// events in [since, until] that match its filters, then, with `stream`, every new matching
// one; it is answered once the history is sent (without `stream`) or once `until` has
// passed (with it); a stream without `until` ends when the session goes away. The history
// is read from a snapshot by a reader on its own thread and sent at the client's pace
// (actors/paced_sender.hpp): none of it is dropped, and what a client that does not read
// has not taken stays on disk. New events wait for the history in the subscription
// (actors/event_subscriptions.hpp).
#pragma once

#include <string>

#include <caf/actor_system.hpp>

#include "actors/interfaces.hpp"

namespace ctrd {

/// Spawns the bus over `<root>/events.log`.
event_bus_actor spawn_event_bus(caf::actor_system& sys, const std::string& root);

}  // namespace ctrd
