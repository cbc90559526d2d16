// A container's identity as podman gives it: its host name, the HOSTNAME and TERM
// variables, and the contents of its own /etc/hosts, /etc/resolv.conf and /etc/hostname
// (kept in the container's directory and bind-mounted over the rootfs's, never written
// into a rootfs others may share). Pure text builders plus one writer; the networks issue
// fills `extra_hosts`/`dns` from its own DNS later.
#pragma once

#include <string>
#include <vector>

#include "messages/isolation.hpp"

namespace ctrd {

/// The container's host name: --hostname, else its name (at most 64 bytes) with a private
/// UTS namespace; the host's own name in the host's UTS namespace.
std::string container_hostname(const isolation_spec& iso, const std::string& name);

/// Adds "KEY=VALUE" to `env` unless KEY is already set there (podman's defaults never
/// override the user's -e).
void add_default_env(std::vector<std::string>& env, const std::string& key,
                     const std::string& value);

/// /etc/hosts as podman writes it: localhost for 127.0.0.1 and ::1, the --add-host lines
/// ("HOST:IP" each, in order), then the container's host name on 127.0.1.1 (no network of
/// its own: podman's host-network rule).
std::string hosts_content(const std::string& hostname, const std::vector<std::string>& add_hosts);

/// /etc/resolv.conf: the host's (`host_resolv`) unless --dns or --dns-search are given;
/// then those replace the host's nameserver / search lines, other lines (options) stay.
/// With --network none and no --dns, the host's nameservers are kept like podman's.
std::string resolv_content(const std::string& host_resolv, const std::vector<std::string>& dns,
                           const std::vector<std::string>& dns_search);

/// Writes hosts, resolv.conf and hostname into `dir` (created if missing) for a container;
/// returns their paths in that order. Reads /etc/resolv.conf of the host. Throws
/// ctrd::error{ec::internal} naming the file when it cannot write.
std::vector<std::string> write_etc_files(const std::string& dir, const std::string& hostname,
                                         const std::vector<std::string>& add_hosts,
                                         const std::vector<std::string>& dns,
                                         const std::vector<std::string>& dns_search);

}  // namespace ctrd
