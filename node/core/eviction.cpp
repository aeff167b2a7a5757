// node/core/eviction.cpp — see eviction.h.
#include "node/core/eviction.h"

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/codec.h"

namespace basalt::core {

namespace {

std::mt19937_64& rng() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

uint64_t uniform_below(uint64_t n) {  // n > 0
  return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng());
}

bool is_volatile(EvictionPolicy p) {
  return p == EvictionPolicy::VolatileLru || p == EvictionPolicy::VolatileLfu ||
         p == EvictionPolicy::VolatileRandom || p == EvictionPolicy::VolatileTtl;
}

using Candidate = EvictionCandidate;
constexpr size_t kPoolSize = 16;  // as Redis's EVPOOL_SIZE

// A db drawn with probability proportional to its key count (this view's counts).
std::optional<uint16_t> random_db(Keyspace& ks) {
  uint64_t total = 0;
  for (size_t db = 0; db < ks.databases(); ++db) total += ks.dbsize(static_cast<uint16_t>(db));
  if (total == 0) return std::nullopt;
  uint64_t pick = uniform_below(total);
  for (size_t db = 0; db < ks.databases(); ++db) {
    uint64_t n = ks.dbsize(static_cast<uint16_t>(db));
    if (pick < n) return static_cast<uint16_t>(db);
    pick -= n;
  }
  return std::nullopt;
}

// Takes up to `n` entries of `it` within `prefix`, walking on from `cursor` (the last entry
// sampled there) with random skips of 1..3 entries and wrapping at the end, so that every
// entry comes up once per turn whatever the key distribution; appends their keys to `out`
// and moves the cursor on.
void walk(rocksdb::Iterator& it, std::string_view prefix, std::string& cursor, int n,
          std::vector<std::string>& out) {
  // (An empty prefix has no data pointer: memcmp must not see it, even for 0 bytes.)
  auto inside = [&] {
    return it.Valid() &&
           (prefix.empty() || it.key().starts_with(rocksdb::Slice(prefix.data(), prefix.size())));
  };
  // (RocksDB asserts on a seek to a null slice: an empty prefix means the whole family.)
  auto seek_start = [&] {
    if (prefix.empty())
      it.SeekToFirst();
    else
      it.Seek(rocksdb::Slice(prefix.data(), prefix.size()));
  };
  if (cursor.empty())
    seek_start();
  else
    it.Seek(cursor);
  bool wrapped = cursor.empty();
  for (int taken = 0; taken < n; ++taken) {
    if (!cursor.empty())
      for (uint64_t skip = 1 + uniform_below(3); skip > 0 && inside(); --skip) it.Next();
    if (!inside()) {
      if (wrapped) break;  // the whole range was walked this call
      wrapped = true;
      seek_start();
      if (!inside()) break;
    }
    cursor.assign(it.key().data(), it.key().size());
    out.push_back(cursor);
  }
}

// Samples keys of one db drawn by key count.
void sample_any(Keyspace& ks, int n, std::vector<Candidate>& out) {
  auto db = random_db(ks);
  if (!db) return;
  std::string prefix = storage::data_prefix(*db);
  auto& cursors = ks.shared().eviction_cursors;
  if (cursors.size() < ks.databases()) cursors.resize(ks.databases());
  std::vector<std::string> keys;
  {
    auto it = ks.iterate(*db);
    walk(*it, prefix, cursors[*db], n, keys);
  }
  for (auto& raw : keys) {
    Candidate c;
    c.db = *db;
    c.key = raw.substr(prefix.size());
    out.push_back(std::move(c));
  }
}

constexpr int kMaxEmptyPicks = 8;

bool decode_expiry(rocksdb::Iterator& it, Candidate& out) {
  std::string_view key;
  if (!storage::decode_expiry_key(std::string_view(it.key().data(), it.key().size()),
                                  out.expire_at_ms, out.db, key))
    return false;
  out.key.assign(key);
  return true;
}

// Samples keys with a TTL from the expiry index (all dbs).
void sample_volatile(Keyspace& ks, int n, std::vector<Candidate>& out) {
  std::vector<std::string> entries;
  {
    auto it = ks.iterate_expiry();
    walk(*it, {}, ks.shared().eviction_cursors_volatile, n, entries);
  }
  for (const auto& raw : entries) {
    Candidate c;
    std::string_view key;
    if (!storage::decode_expiry_key(raw, c.expire_at_ms, c.db, key)) continue;
    c.key.assign(key);
    out.push_back(std::move(c));
  }
}

// The sample's current record, if it still qualifies (a key deleted meanwhile, or one that
// just expired — lookup deletes it — does not). An expiry index entry that no record matches
// (left by FLUSHDB, which the expiry cycle drops when it meets it) is dropped here too: the
// index is this node's own derived state, nothing to replicate.
bool still_there(Keyspace& ks, const Candidate& c, bool needs_ttl, Lookup& l) {
  bool ok = false;
  if (c.db < ks.databases()) {
    ks.lookup(c.db, c.key, l);
    if (!l.present && ks.saw_expired()) return false;  // deleted as expired, index entry too
    ok = l.present && (!needs_ttl || l.record.expire_at_ms == c.expire_at_ms);
  }
  if (!ok && needs_ttl && ks.writable())
    ks.batch()->Delete(ks.engine().expiry_cf(), storage::expiry_key(c.expire_at_ms, c.db, c.key));
  return ok;
}

// Higher evicts first.
uint64_t rank(Keyspace& ks, const Candidate& c, EvictionPolicy policy) {
  auto& access = ks.shared().access;
  std::string encoded = storage::data_key(c.db, c.key);
  switch (policy) {
    case EvictionPolicy::AllKeysLru:
    case EvictionPolicy::VolatileLru:
      return access.touches_since(encoded);
    case EvictionPolicy::AllKeysLfu:
    case EvictionPolicy::VolatileLfu:
      return 255 - access.frequency(encoded, ks.now_ms());
    default:
      return 0;
  }
}

// Picks the key to evict. False if there is none (nothing qualifies).
bool pick_victim(Keyspace& ks, const EvictionLimits& limits, Candidate& victim) {
  bool needs_ttl = is_volatile(limits.policy);
  Lookup l;
  if (limits.policy == EvictionPolicy::VolatileTtl) {
    // The index is ordered by expiry time: its first live entry is the soonest to expire.
    auto it = ks.iterate_expiry();
    std::vector<Candidate> firsts;
    int budget = std::max(limits.samples, 1) * 4;  // stale entries are skipped, boundedly
    for (it->SeekToFirst(); it->Valid() && budget-- > 0; it->Next()) {
      Candidate c;
      if (decode_expiry(*it, c)) firsts.push_back(std::move(c));
      if (firsts.size() >= 16) break;
    }
    it.reset();  // lookups below may write the batch
    for (auto& c : firsts) {
      if (still_there(ks, c, true, l)) {
        victim = std::move(c);
        return true;
      }
    }
    return false;
  }
  std::vector<Candidate> samples;
  int wanted = std::max(limits.samples, 1);
  if (needs_ttl)
    sample_volatile(ks, wanted, samples);
  else
    sample_any(ks, wanted, samples);
  // The iterators are gone: lookups may write the batch (an expired sample is deleted).
  if (limits.policy == EvictionPolicy::AllKeysRandom ||
      limits.policy == EvictionPolicy::VolatileRandom) {
    for (auto& c : samples) {
      if (!still_there(ks, c, needs_ttl, l)) continue;
      victim = std::move(c);
      return true;
    }
    return false;
  }
  // LRU / LFU: the new samples and the pool, ranked together; the best is evicted and the
  // next kPoolSize stay in the pool.
  auto& pool = ks.shared().eviction_pool;
  for (auto& c : pool) samples.push_back(std::move(c));
  pool.clear();
  std::unordered_set<std::string> seen;
  std::vector<std::pair<uint64_t, Candidate>> ranked;
  for (auto& c : samples) {
    if (!seen.insert(storage::data_key(c.db, c.key)).second) continue;
    if (!still_there(ks, c, needs_ttl, l)) continue;
    ranked.emplace_back(rank(ks, c, limits.policy), std::move(c));
  }
  if (ranked.empty()) return false;
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  victim = std::move(ranked[0].second);
  for (size_t i = 1; i < ranked.size() && pool.size() < kPoolSize; ++i)
    pool.push_back(std::move(ranked[i].second));
  return true;
}

void evict(Keyspace& ks, const Candidate& victim) {
  Lookup l;
  ks.lookup(victim.db, victim.key, l);
  if (!l.present) return;
  ks.remove(victim.db, victim.key, l);
  std::string_view del[] = {"DEL", victim.key};
  ks.propagate(victim.db, del);
  ++ks.shared().evicted_keys;
}

}  // namespace

EvictionPolicy parse_eviction_policy(std::string_view name) {
  if (name == "allkeys-lru") return EvictionPolicy::AllKeysLru;
  if (name == "allkeys-lfu") return EvictionPolicy::AllKeysLfu;
  if (name == "allkeys-random") return EvictionPolicy::AllKeysRandom;
  if (name == "volatile-lru") return EvictionPolicy::VolatileLru;
  if (name == "volatile-lfu") return EvictionPolicy::VolatileLfu;
  if (name == "volatile-random") return EvictionPolicy::VolatileRandom;
  if (name == "volatile-ttl") return EvictionPolicy::VolatileTtl;
  return EvictionPolicy::NoEviction;
}

AccessTracker::Mode tracking_mode(EvictionPolicy policy) {
  switch (policy) {
    case EvictionPolicy::AllKeysLru:
    case EvictionPolicy::VolatileLru:
      return AccessTracker::Mode::Lru;
    case EvictionPolicy::AllKeysLfu:
    case EvictionPolicy::VolatileLfu:
      return AccessTracker::Mode::Lfu;
    default:
      return AccessTracker::Mode::Off;
  }
}

EvictionLimits eviction_limits(const config::Config& config) {
  EvictionLimits limits;
  limits.maxmemory = config.maxmemory;
  limits.policy = parse_eviction_policy(config.maxmemory_policy);
  limits.samples = config.maxmemory_samples;
  return limits;
}

EvictionResult perform_evictions(Keyspace& ks, const EvictionLimits& limits) {
  if (limits.maxmemory <= 0) return EvictionResult::Ok;
  auto max = static_cast<uint64_t>(limits.maxmemory);
  if (ks.dataset_bytes() <= max) return EvictionResult::Ok;
  if (limits.policy == EvictionPolicy::NoEviction) return EvictionResult::Fail;
  // A read-only view (reads, or a read queued in MULTI) grows nothing: the next write evicts.
  if (!ks.writable()) return EvictionResult::Running;
  auto started = std::chrono::steady_clock::now();
  int empty_picks = 0;  // in a row: samples that were all gone or stale
  for (uint64_t step = 0; ks.dataset_bytes() > max; ++step) {
    if (step >= kMaxEvictionsPerStep || std::chrono::steady_clock::now() - started > kStepBudget)
      return EvictionResult::Running;
    uint64_t expired_before = ks.shared().expired_keys;
    Candidate victim;
    if (pick_victim(ks, limits, victim)) {
      evict(ks, victim);
      empty_picks = 0;
    } else if (ks.shared().expired_keys == expired_before && ++empty_picks >= kMaxEmptyPicks) {
      return EvictionResult::Fail;  // nothing qualifies, and sampling freed nothing either
    }
  }
  return EvictionResult::Ok;
}

}  // namespace basalt::core
