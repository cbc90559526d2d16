// A raw msgpack-RPC connection to a live ctrd for protocol tests: send anything (well
// formed or not), read responses with a deadline. Not ctrctl: nothing is validated here.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "messages/rpc.hpp"

namespace ctrd::test {

class rpc_client {
 public:
  /// Connects to `socket` (connected() tells whether it worked).
  explicit rpc_client(const std::string& socket);
  ~rpc_client();
  rpc_client(const rpc_client&) = delete;
  rpc_client& operator=(const rpc_client&) = delete;

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  /// Closes the connection now.
  void close();

  /// Writes bytes as they are; false if the peer is gone.
  bool send_raw(const std::string& bytes);
  bool request(uint32_t msgid, const std::string& method, const json& params);
  bool notify(const std::string& method, const json& params);

  /// The next frame (any kind) within `timeout`; nullopt on EOF, timeout or a bad frame.
  std::optional<rpc_message> next(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Frames until the response to `msgid` (others skipped); nullopt if none comes in time.
  std::optional<rpc_message> response(uint32_t msgid,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// request() + response().
  std::optional<rpc_message> call(uint32_t msgid, const std::string& method, const json& params,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// The hello handshake; true if ctrd accepted it.
  bool hello();
  /// True once the peer closed the connection (EOF within `timeout`, frames skipped).
  bool closed_by_peer(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

/// A fresh connection's hello and `list` are answered within `timeout`.
bool daemon_answers(const std::string& socket,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// The heap ctrd's daemon holds now, in KiB (the `version` reply's heap_bytes: the same
/// measure with or without AddressSanitizer); -1 when it cannot be asked.
long heap_kib(const std::string& socket);

/// True in a build with AddressSanitizer (memory figures then measure its quarantine).
constexpr bool sanitized_build() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#else
  return false;
#endif
}

}  // namespace ctrd::test
