// The `hello` handshake's version agreement, shared by ctrd and ctrctl (docs/protocol.md,
// "Handshake"). Each side speaks a range of protocol versions. The client sends its oldest
// as "version" and its newest as "max_version" (absent: the same as "version", which is
// what clients older than ranges send). ctrd answers with the newest version both speak
// ("version") and its own range ("min_version", "max_version"), or refuses with a protocol
// error that names the program to upgrade. ctrd 0.1 (protocol 1) accepted only "version"
// equal to its own and refused others with "protocol version mismatch: client speaks N,
// ctrd speaks M": sending the oldest version as "version" keeps a newer client that still
// speaks 1 working with it, and clients turn its refusal into the same advice.
#pragma once

#include <string>

#include "messages/rpc.hpp"

namespace ctrd {

/// Inclusive range of protocol versions.
struct protocol_range {
  int min = 0;
  int max = 0;
};

/// The oldest protocol this build still speaks.
constexpr int min_protocol_version = 1;
/// What this build speaks (ctrd and ctrctl alike).
constexpr protocol_range our_protocols{min_protocol_version, protocol_version};

/// The agreed version, or 0 and the reason naming who must upgrade.
struct protocol_agreement {
  int version = 0;
  std::string message;
};

/// Agreement between a client (called `client_name` in the message, e.g. "ctrctl") and
/// ctrd: the newest version in both ranges; otherwise "ctrctl speaks protocol 1, ctrd
/// speaks 2-3: upgrade ctrctl" (or "upgrade ctrd").
protocol_agreement negotiate_protocol(protocol_range client, protocol_range daemon,
                                      const std::string& client_name);

/// The client's range and name from `hello` params. Throws ctrd::error{ec::protocol} when
/// "version" is missing or a field has the wrong type.
protocol_range hello_client_range(const json& params);
std::string hello_client_name(const json& params);

/// Client side: "" when the daemon's `hello` result agrees on a version `ours` speaks,
/// otherwise the reason naming who to upgrade.
std::string check_hello_result(const json& result, protocol_range ours,
                               const std::string& client_name);

/// Client side: ctrd's refusal of the handshake as advice naming who to upgrade (a ctrd
/// 0.1 refusal is rephrased; others are returned as they are).
std::string explain_hello_refusal(const std::string& message, protocol_range ours,
                                  const std::string& client_name);

}  // namespace ctrd
