// node/core/monitors.h — the clients in MONITOR mode and the feed they get: one line per
// command the node runs, formatted as Redis's replicationFeedMonitors does
// (+<unix>.<micros> [<db> <addr>] "arg" "arg"...), with secrets redacted, delivered through
// each monitor's outbox (a monitor that falls too far behind is disconnected).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "node/core/output_limits.h"

namespace basalt::core {

struct Client;

class Monitors {
 public:
  void add(Client& c);
  void remove(Client& c);
  bool empty() const { return clients_.empty(); }
  // Feeds `argv`, run by `from` with `db` selected afterwards, to every monitor (a monitor
  // the line puts over its output limit is closed: `check`).
  void feed(const Client& from, uint16_t db, std::span<const std::string_view> argv,
            const OutputLimitCheck& check);

 private:
  std::vector<Client*> clients_;
};

}  // namespace basalt::core
