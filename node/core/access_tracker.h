// node/core/access_tracker.h — the in-memory, bounded record of when keys were last used and
// how often (Redis's LRU clock and LFU counter, which basalt cannot keep in records it reads
// from disk without writing them back). Only keys touched by commands since the node started
// (or since the policy last changed) are known; any other key counts as the oldest and least
// used. Two generations bound it: touches go to the current map; when it is full it becomes
// the previous one (the older previous one is dropped), so at most 2 * capacity keys are held
// and a key touched within the last generation is always known. Off unless maxmemory-policy
// is an LRU or LFU one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace basalt::core {

class AccessTracker {
 public:
  enum class Mode { Off, Lru, Lfu };

  // Redis's LFU: a new key starts at 5, the counter grows logarithmically (lfu-log-factor)
  // and decays by one per lfu-decay-time minutes without access.
  static constexpr uint8_t kLfuInitial = 5;
  static constexpr size_t kDefaultCapacity = 500000;

  // A mode change forgets everything (the figures of one mode mean nothing to the other).
  void set_mode(Mode mode, uint64_t now_ms);
  Mode mode() const { return mode_; }
  bool enabled() const { return mode_ != Mode::Off; }
  void set_lfu_params(int log_factor, int decay_minutes) {
    log_factor_ = log_factor;
    decay_minutes_ = decay_minutes;
  }
  // Keys per generation (tests use small ones).
  void set_capacity(size_t keys) { capacity_ = keys ? keys : 1; }

  // A command used the key (`encoded`: the data column family key, db included).
  void touch(std::string_view encoded, uint64_t now_ms);
  void forget(std::string_view encoded);
  void clear();

  // Milliseconds since the key was last used; for an unknown key, since tracking started
  // (`unknown` set: it ranks before every known key).
  uint64_t idle_ms(std::string_view encoded, uint64_t now_ms, bool* unknown = nullptr) const;
  // LRU rank: how many touches (of any key) ago the key was last used — a strictly ordered
  // access clock, where milliseconds tie under load; UINT64_MAX for an unknown key.
  uint64_t touches_since(std::string_view encoded) const;
  // The key's decayed LFU counter; 0 for an unknown key (below every new key's 5).
  uint8_t frequency(std::string_view encoded, uint64_t now_ms) const;

  size_t tracked() const { return current_.size() + previous_.size(); }

 private:
  struct Entry {
    uint64_t last_ms = 0;  // last access
    uint64_t tick = 0;     // the access clock at the last access
    uint8_t counter = 0;   // LFU
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, Entry, Hash, std::equal_to<>>;

  const Entry* find(std::string_view encoded) const;
  uint8_t decayed(const Entry& e, uint64_t now_ms) const;

  Mode mode_ = Mode::Off;
  uint64_t since_ms_ = 0;
  uint64_t clock_ = 0;
  int log_factor_ = 10;
  int decay_minutes_ = 1;
  size_t capacity_ = kDefaultCapacity;
  Map current_, previous_;
};

}  // namespace basalt::core
