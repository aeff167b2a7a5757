// node/core/output_limits.h — client-output-buffer-limit enforced: which class limits a
// client (replica, pubsub, normal: Redis's getClientType; MONITOR counts as replica), and
// whether the bytes it has not been sent yet (queued replies and messages, and the write in
// flight) must close it now: over the hard limit, or over the soft limit for longer than its
// seconds. A closed client is logged and counted (INFO client_output_buffer_limit_disconnections).
#pragma once

#include <cstdint>
#include <string_view>

#include "node/config/output_limits.h"
#include "node/core/client.h"

namespace basalt::core {

inline const config::OutputLimit& output_limit_for(const Client& c,
                                                   const config::OutputLimits& limits) {
  // MONITOR feeds count as replicas (Redis counts them as normal clients, unlimited by
  // default: a monitor on a busy node would grow without bound).
  if (c.is_replica || c.is_monitor) return limits.replica;
  if (c.subscriptions > 0) return limits.pubsub;
  return limits.normal;
}

// True if `pending` unsent bytes put `c` over its class's limit at `now_ms` (keeps track of
// since when it is over the soft limit).
inline bool output_over_limit(Client& c, const config::OutputLimits& limits, uint64_t pending,
                              uint64_t now_ms) {
  const config::OutputLimit& l = output_limit_for(c, limits);
  if (l.hard > 0 && pending > l.hard) return true;
  if (l.soft == 0 || pending <= l.soft) {
    c.soft_limit_since_ms = 0;
    return false;
  }
  if (c.soft_limit_since_ms == 0) c.soft_limit_since_ms = now_ms;
  return now_ms - c.soft_limit_since_ms > l.soft_seconds * 1000;
}

// Unsent bytes of `c` besides `extra`: its outbox and what a writer has in flight.
inline uint64_t unsent_output(const Client& c, uint64_t extra = 0) {
  return c.outbox.size() + c.output_in_flight + extra;
}

// The check made wherever output is queued for a client: over its limit, it is logged and
// counted (`disconnections`, INFO stats), and the caller closes it.
struct OutputLimitCheck {
  const config::OutputLimits& limits;
  uint64_t now_ms;
  uint64_t& disconnections;
  bool over(Client& c, uint64_t pending) const;
};

// Queues bytes others send a client (Pub/Sub messages, MONITOR lines) in its outbox and wakes
// its writer; a client the bytes would put over its limit is closed instead (never buffered
// without bound). False if it was closed.
bool push_to_client(Client& c, std::string_view bytes, const OutputLimitCheck& check);

}  // namespace basalt::core
