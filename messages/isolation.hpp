// What a container is isolated with: its root file system, namespaces and cgroup limits
// (the `create` keys rootfs ... pids_limit, docs/protocol.md). Part of container_config;
// kept in its own file because the runtime (runtime/isolation_*) is its only consumer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/value_codec.hpp"

namespace ctrd {

/// A bind mount (`-v HOST:CTR[:ro]`).
struct bind_mount {
  std::string source;       ///< absolute host path
  std::string destination;  ///< absolute path in the container
  bool read_only = false;

  bool operator==(const bind_mount& o) const {
    return source == o.source && destination == o.destination && read_only == o.read_only;
  }
};

/// A tmpfs mount (`--tmpfs PATH[:OPTS]`, `--mount type=tmpfs,...`).
struct tmpfs_spec {
  std::string destination;  ///< absolute path in the container
  std::string options;      ///< kernel tmpfs options: "size=N", "mode=OCTAL", "nr_inodes=N", ...
  bool read_only = false;
  bool noexec = false, nosuid = true, nodev = true;  ///< podman's defaults: nosuid, nodev

  bool operator==(const tmpfs_spec& o) const {
    return destination == o.destination && options == o.options && read_only == o.read_only &&
           noexec == o.noexec && nosuid == o.nosuid && nodev == o.nodev;
  }
};

struct isolation_spec {
  std::string rootfs;           ///< host directory used as "/" ("" = the host's file system)
  bool rootfs_overlay = false;  ///< rootfs is a read-only lower layer, writes go to an upper layer
  bool read_only = false;       ///< the root is mounted read-only (/tmp, /run stay writable)
  std::vector<bind_mount> mounts;       ///< bind mounts (need a rootfs)
  std::vector<tmpfs_spec> tmpfs;        ///< tmpfs mounts (need a rootfs)
  std::vector<std::string> add_hosts;   ///< --add-host "HOST:IP" lines of its /etc/hosts
  std::vector<std::string> dns;         ///< --dns nameservers of its /etc/resolv.conf
  std::vector<std::string> dns_search;  ///< --dns-search domains ("." clears the host's)
  std::string hostname;                 ///< "" = the container's name (private UTS only)
  std::string pid, ipc, uts;            ///< "", "private" or "host" ("" = private with a rootfs)
  std::string network;  ///< "", "host", "none" or a bridge network's name ("" = host)
  /// More bridge networks joined later (`network connect`), after `network`.
  std::vector<std::string> networks;
  std::string ip;                            ///< pinned IPv4 on `network` ("" = any)
  std::vector<std::string> ports;            ///< published ports, podman's -p syntax
  std::vector<std::string> network_aliases;  ///< extra DNS names on its networks
  uint64_t memory = 0;                       ///< bytes, 0 = no limit
  double cpus = 0;                           ///< CPUs of quota, 0 = no limit
  uint64_t cpu_shares = 0;                   ///< 0 = default weight
  int64_t pids_limit = 0;                    ///< 0 = no limit

  bool private_pid() const { return pid.empty() ? !rootfs.empty() : pid == "private"; }
  bool private_ipc() const { return ipc.empty() ? !rootfs.empty() : ipc == "private"; }
  bool private_uts() const { return uts.empty() ? !rootfs.empty() : uts == "private"; }
  bool private_net() const { return network == "none"; }
  /// On bridge networks: its own network namespace, set up by netavark (docs/network.md).
  bool bridge_net() const { return !network.empty() && network != "host" && network != "none"; }
  /// Every bridge network it joins, the primary (`network`) first.
  std::vector<std::string> all_networks() const;
  /// A private mount namespace is needed (rootfs, or a private PID namespace's own /proc).
  bool private_mounts() const { return !rootfs.empty() || private_pid(); }
  bool has_limits() const { return memory || cpus > 0 || cpu_shares || pids_limit > 0; }
};

/// Adds the isolation keys to a serialised config.
void isolation_to_json(const isolation_spec& s, json& out);

/// Reads one `create` key into `s` if it is an isolation key; returns false for other
/// keys. Throws ctrd::error{ec::invalid_argument} naming the key for a bad value.
bool isolation_from_key(isolation_spec& s, const std::string& key, const json& value);

/// Cross-field and syntax rules (absolute paths, no ',' or ':' in an overlay rootfs, bind
/// mounts only with a rootfs, namespace words, limit ranges). Pure: whether the paths
/// exist is checked by ctrd at create. Throws ctrd::error{ec::invalid_argument}.
void validate(const isolation_spec& s);

}  // namespace ctrd
