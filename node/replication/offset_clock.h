// node/replication/offset_clock.h — owns the master's record of *when* its stream reached each
// offset: a bounded ring of (time, offset) samples taken on the cron tick whenever the offset
// grew. It answers how old the oldest byte a replica has not acknowledged is, which is the
// replica's lag in seconds for the lag alerts (a replica that acks everything is 0 s behind,
// however long ago it last had to catch up).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace basalt::replication {

class OffsetClock {
 public:
  // At most this many samples are kept (the oldest go first); at hz 10 with writes in every
  // tick that is the last 400 s, beyond which a lag reads as "at least" the oldest sample's age.
  static constexpr size_t kMaxSamples = 4096;

  // The stream ended at `offset` at `now_ms` (call on every tick; a sample is kept only when
  // the offset grew). An offset below the last sample (a new history) restarts the ring.
  void sample(uint64_t now_ms, uint64_t offset);
  // Forgets samples every replica has acknowledged (`min_ack`: the lowest ack of any replica),
  // keeping the newest.
  void forget_acked(uint64_t min_ack);
  // Milliseconds the oldest byte after `acked` has waited, at `now_ms`, for a stream that ends
  // at `offset`: 0 when acked >= offset. A byte written since the last sample counts as written
  // now (0 ms); one older than every sample as old as the oldest sample.
  uint64_t unacked_age_ms(uint64_t now_ms, uint64_t offset, uint64_t acked) const;
  size_t size() const { return samples_.size(); }

 private:
  struct Sample {
    uint64_t ms;
    uint64_t offset;
  };
  std::deque<Sample> samples_;
};

}  // namespace basalt::replication
