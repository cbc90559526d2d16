// Where ctrd's own log goes (`--log-target`): its standard error as started ("stderr": the
// console in init mode, the journal under systemd), or the kernel's ring buffer ("kmsg":
// /dev/kmsg, read with dmesg; bounded, in RAM, nothing written to flash: the choice of an
// embedded image whose only console is a serial line). The holder applies it before it
// starts the daemon, which inherits the descriptor; both write their lines there.
#pragma once

#include <string>

namespace ctrd {

/// Points fd 2 at `target` ("stderr": unchanged; "kmsg"). Returns "" or why it could not.
std::string redirect_own_log(const std::string& target);

}  // namespace ctrd
