// node/core/output_limits.cpp — see output_limits.h.
#include "node/core/output_limits.h"

#include "node/util/log.h"

namespace basalt::core {

bool OutputLimitCheck::over(Client& c, uint64_t pending) const {
  if (!output_over_limit(c, limits, pending, now_ms)) return false;
  ++disconnections;
  log::warn("Client id={} addr={} closed for overcoming of output buffer limits ({} bytes unsent).",
            c.id, c.addr, pending);
  return true;
}

bool push_to_client(Client& c, std::string_view bytes, const OutputLimitCheck& check) {
  if (c.close_after_reply) return false;
  if (check.over(c, unsent_output(c, bytes.size()))) {
    c.close_after_reply = true;
    c.outbox.clear();
    if (c.kill) c.kill();
    return false;
  }
  c.outbox += bytes;
  if (c.wake_writer) c.wake_writer();
  return true;
}

}  // namespace basalt::core
