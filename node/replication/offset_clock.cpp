// node/replication/offset_clock.cpp — see offset_clock.h.
#include "node/replication/offset_clock.h"

#include <algorithm>

namespace basalt::replication {

void OffsetClock::sample(uint64_t now_ms, uint64_t offset) {
  if (!samples_.empty() && offset < samples_.back().offset) samples_.clear();
  if (!samples_.empty() && offset == samples_.back().offset) return;
  samples_.push_back({now_ms, offset});
  if (samples_.size() > kMaxSamples) samples_.pop_front();
}

void OffsetClock::forget_acked(uint64_t min_ack) {
  // A sample whose offset is acked by every replica can no longer be the first unacked one.
  while (samples_.size() > 1 && samples_.front().offset <= min_ack) samples_.pop_front();
}

uint64_t OffsetClock::unacked_age_ms(uint64_t now_ms, uint64_t offset, uint64_t acked) const {
  if (acked >= offset) return 0;
  // The first sample past `acked` is the first tick that saw the byte acked + 1.
  auto it = std::upper_bound(samples_.begin(), samples_.end(), acked,
                             [](uint64_t a, const Sample& s) { return a < s.offset; });
  if (it == samples_.end()) return 0;  // written after the last tick
  return now_ms - std::min(now_ms, it->ms);
}

}  // namespace basalt::replication
