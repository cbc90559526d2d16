// Accepting on the control socket without spinning when descriptors run out.
//
// CAF 0.17's doorman accepts in its level-triggered event loop and ignores a failed
// accept (try_accept returns false on EMFILE and nothing else happens): the listening
// socket stays readable, so the middleman thread spins at full speed and every connection
// hangs in the backlog. ctrd therefore accepts on a small thread of its own and hands each
// connection to the acceptor broker (accepted_fd; the broker adopts it with
// adopt_connection). At the descriptor limit the thread sheds the pending connection with
// the reserve-descriptor trick (close a spare descriptor, accept, close, reopen the spare):
// the client sees its connection closed at once instead of hanging, and nothing spins.
// Other shortages (ENOMEM, ENOBUFS, or no spare to give up) pause accepting for 100 ms.
// Each streak is logged once.
#pragma once

#include <caf/io/abstract_broker.hpp>
#include <caf/io/typed_broker.hpp>

#include "actors/interfaces.hpp"

namespace ctrd {

/// Starts accepting on `listen_fd` for `broker` until the broker terminates (the thread is
/// stopped and joined then). Each connection arrives at the broker as an accepted_fd.
void guard_accepts(acceptor_actor::broker_pointer broker, int listen_fd);

/// Makes an accepted descriptor a connection of `broker` (a scribe, as CAF's doorman
/// would have made it).
caf::io::connection_handle adopt_connection(caf::io::abstract_broker* broker, int fd);

}  // namespace ctrd
