// make_summary: what a container actor tells the supervisor (container_summary,
// actors/interfaces.hpp), taken from its record directly, with the list entry encoded once.
#include "actors/container.hpp"
#include "messages/value_codec.hpp"
#include "runtime/container_view.hpp"

namespace ctrd {

container_summary make_summary(const container_config& c, const container_status& s,
                               const std::string& dir) {
  auto view = summary_view(c, s);  // the list entry (docs/protocol.md)
  if (c.isolation.rootfs_overlay && !dir.empty()) view["upper_dir"] = dir + "/upper";
  container_summary out;
  out.name = c.name;
  out.state = to_string(s.state);
  out.health = s.health;
  out.source = c.source;
  out.requires_ = c.requires_;
  out.stop_timeout = c.stop_timeout;
  out.next_restart_ns = view["next_restart_ns"].get<int64_t>();  // wall clock, as listed
  out.ready = s.ready;
  out.stopped_by_user = s.stopped_by_user;
  out.networks = c.isolation.all_networks();
  out.packed = encode_msgpack(view);
  return out;
}

}  // namespace ctrd
