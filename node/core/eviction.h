// node/core/eviction.h — maxmemory eviction (Redis's performEvictions): before a command runs
// on a master whose dataset (INFO used_memory, storage/dataset_size.h) is above maxmemory,
// keys are deleted as maxmemory-policy says until it is under again. Each eviction is a
// DEL in the current write group's batch and replication stream, so replicas (which never
// evict on their own) stay identical. Work per call is bounded (kMaxEvictionsPerStep keys
// or kStepBudget of time); what remains is done by later calls (the node's cron posts one
// while the dataset is over the limit).
//
// Candidates are sampled as Redis does (maxmemory-samples keys, the best one evicted), by a
// walk that goes on where the previous one stopped, skipping 1..3 keys at random between
// samples and wrapping at the end, so every key comes up once per turn whatever the key
// distribution (a random seek into RocksDB would favour keys after gaps in the key space):
//   allkeys-*   : the walk over the data family of a db drawn by its key count;
//   volatile-*  : the walk over the expiry index (keys with a TTL only);
//   volatile-ttl: the key that expires soonest, exactly (the expiry index is ordered);
//   *-lru / *-lfu rank the samples by the AccessTracker (keys never used since the node
//   started count as the oldest and least used); *-random takes the walk's next key.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "node/config/config.h"
#include "node/core/access_tracker.h"
#include "node/core/keyspace.h"

namespace basalt::core {

enum class EvictionPolicy {
  NoEviction,
  AllKeysLru,
  AllKeysLfu,
  AllKeysRandom,
  VolatileLru,
  VolatileLfu,
  VolatileRandom,
  VolatileTtl
};

// maxmemory-policy's value (as the config table validated it); noeviction if unknown.
EvictionPolicy parse_eviction_policy(std::string_view name);
// What the policy needs tracked about key accesses.
AccessTracker::Mode tracking_mode(EvictionPolicy policy);

struct EvictionLimits {
  int64_t maxmemory = 0;  // 0 = no limit
  EvictionPolicy policy = EvictionPolicy::NoEviction;
  int samples = 5;
};
EvictionLimits eviction_limits(const config::Config& config);

inline constexpr uint64_t kMaxEvictionsPerStep = 256;
inline constexpr std::chrono::microseconds kStepBudget{2000};

enum class EvictionResult {
  Ok,       // at or under maxmemory (or no limit)
  Running,  // keys were evicted but the step's budget ran out: the next call goes on
  Fail      // over maxmemory and nothing (more) can be evicted: deny-oom commands get -OOM
};

// Evicts from the writable view `ks` (a read-only view can evict nothing: Fail when over).
EvictionResult perform_evictions(Keyspace& ks, const EvictionLimits& limits);

}  // namespace basalt::core
