// node/core/eviction.cpp — see eviction.h.
#include "node/core/eviction.h"

#include <optional>
#include <random>
#include <string>

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

struct Candidate {
  uint16_t db = 0;
  std::string key;
  uint64_t expire_at_ms = 0;  // volatile samples: the expiry index entry's time
};

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

// A seek target between `first` and `last` (first < last): their common prefix, a byte
// drawn between theirs at the first difference, then a few printable bytes.
std::string random_between(std::string_view first, std::string_view last) {
  size_t common = 0;
  while (common < first.size() && common < last.size() && first[common] == last[common]) ++common;
  std::string target(first.substr(0, common));
  unsigned lo = common < first.size() ? static_cast<uint8_t>(first[common]) : 0;
  unsigned hi = common < last.size() ? static_cast<uint8_t>(last[common]) : 255;
  if (hi < lo) hi = lo;
  target.push_back(static_cast<char>(lo + uniform_below(hi - lo + 1)));
  for (int i = 0; i < 6; ++i) target.push_back(static_cast<char>(0x20 + uniform_below(0x5f)));
  return target;
}

// A key of a random db at a random position of its key range.
bool sample_any(Keyspace& ks, Candidate& out) {
  auto db = random_db(ks);
  if (!db) return false;
  std::string prefix = storage::data_prefix(*db);
  auto it = ks.iterate(*db);
  auto in_db = [&] { return it->Valid() && it->key().starts_with(prefix); };
  it->Seek(prefix);
  if (!in_db()) return false;
  std::string first = it->key().ToString();
  if (*db == 0xffff) {
    it->SeekToLast();
  } else {
    it->Seek(storage::data_prefix(static_cast<uint16_t>(*db + 1)));
    if (it->Valid())
      it->Prev();
    else
      it->SeekToLast();
  }
  if (in_db() && it->key().compare(first) > 0) {
    std::string last = it->key().ToString();
    it->Seek(random_between(first, last));
    if (!in_db()) it->Seek(prefix);  // past the last key: wrap around
  } else {
    it->Seek(prefix);  // one key in the db
  }
  if (!in_db()) return false;
  out.db = *db;
  out.key.assign(it->key().data() + prefix.size(), it->key().size() - prefix.size());
  out.expire_at_ms = 0;
  return true;
}

bool decode_expiry(const rocksdb::Iterator& it, Candidate& out) {
  std::string_view key;
  if (!storage::decode_expiry_key(std::string_view(it.key().data(), it.key().size()),
                                  out.expire_at_ms, out.db, key))
    return false;
  out.key.assign(key);
  return true;
}

// A key with a TTL at a random point of the expiry index's time range (then a few steps on,
// so that keys sharing one expiry time are not always the first of them).
bool sample_volatile(Keyspace& ks, Candidate& out) {
  auto it = ks.iterate_expiry();
  it->SeekToFirst();
  if (!it->Valid()) return false;
  uint64_t first = storage::get_u64_be(it->key().data());
  it->SeekToLast();
  uint64_t last = it->Valid() ? storage::get_u64_be(it->key().data()) : first;
  std::string target;
  storage::put_u64_be(target, first + uniform_below(last - first + 1));
  it->Seek(target);
  for (uint64_t steps = uniform_below(8); steps > 0 && it->Valid(); --steps) it->Next();
  if (!it->Valid()) it->SeekToFirst();
  return it->Valid() && decode_expiry(*it, out);
}

// The sample's current record, if it still qualifies (a stale expiry index entry, a key
// deleted meanwhile, or one that just expired — lookup deletes it — does not).
bool still_there(Keyspace& ks, const Candidate& c, bool needs_ttl, Lookup& l) {
  if (c.db >= ks.databases()) return false;
  ks.lookup(c.db, c.key, l);
  if (!l.present) return false;
  return !needs_ttl || l.record.expire_at_ms == c.expire_at_ms;
}

// Higher evicts first.
uint64_t rank(Keyspace& ks, const Candidate& c, EvictionPolicy policy) {
  auto& access = ks.shared().access;
  std::string encoded = storage::data_key(c.db, c.key);
  switch (policy) {
    case EvictionPolicy::AllKeysLru:
    case EvictionPolicy::VolatileLru: {
      bool unknown = false;
      uint64_t idle = access.idle_ms(encoded, ks.now_ms(), &unknown);
      return unknown ? UINT64_MAX : idle;
    }
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
  bool found = false;
  uint64_t best = 0;
  int samples = std::max(limits.samples, 1);
  for (int attempt = 0, taken = 0; taken < samples && attempt < 3 * samples; ++attempt) {
    Candidate c;
    bool sampled = needs_ttl ? sample_volatile(ks, c) : sample_any(ks, c);
    if (!sampled) break;  // nothing to sample from
    if (!still_there(ks, c, needs_ttl, l)) continue;
    ++taken;
    uint64_t r = rank(ks, c, limits.policy);
    if (!found || r > best) {
      best = r;
      victim = std::move(c);
      found = true;
    }
    if (limits.policy == EvictionPolicy::AllKeysRandom ||
        limits.policy == EvictionPolicy::VolatileRandom)
      break;
  }
  return found;
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
  for (uint64_t step = 0; ks.dataset_bytes() > max; ++step) {
    if (step >= kMaxEvictionsPerStep || std::chrono::steady_clock::now() - started > kStepBudget)
      return EvictionResult::Running;
    uint64_t expired_before = ks.shared().expired_keys;
    Candidate victim;
    if (pick_victim(ks, limits, victim)) {
      evict(ks, victim);
    } else if (ks.shared().expired_keys == expired_before) {
      return EvictionResult::Fail;  // nothing qualifies, and sampling freed nothing either
    }
  }
  return EvictionResult::Ok;
}

}  // namespace basalt::core
