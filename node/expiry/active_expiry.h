// node/expiry/active_expiry.h — the active expiry cycle: walks the expiry index (ordered by
// expiry time) and deletes keys whose time has come, through the write pipeline, so each
// deletion is logged as DEL. Only masters run it; replicas wait for the master's DELs.
#pragma once

#include <cstdint>

namespace basalt::core {
class Node;
}

namespace basalt::expiry {

class ActiveExpiry {
 public:
  explicit ActiveExpiry(core::Node& node) : node_(node) {}
  // One step, called hz times per second: queues the deletion of due keys.
  void cycle();

 private:
  core::Node& node_;
  bool in_flight_ = false;
};

}  // namespace basalt::expiry
