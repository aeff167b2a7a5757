// node/core/watch_registry.h — WATCH: which clients watch which keys. The keyspace calls
// touch() for every key a write changes (expiry deletions and flushes included); every client
// watching it is marked dirty, so its EXEC answers a null array. Cheap when nobody watches.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "node/core/client.h"

namespace basalt::core {

class WatchRegistry {
 public:
  bool empty() const { return keys_.empty(); }
  void watch(Client& client, uint16_t db, std::string_view key, bool expired);
  void unwatch_all(Client& client);
  // `key` of `db` was written or deleted; `expiry` when it was deleted because it expired.
  void touch(uint16_t db, std::string_view key, bool expiry);
  // `db` (or every db when db < 0) was flushed; `exists` says whether a key held a value.
  template <typename Exists>
  void flushed(int db, Exists&& exists) {
    if (keys_.empty()) return;
    std::vector<std::pair<uint16_t, std::string>> hit;
    for (const auto& [name, clients] : keys_) {
      uint16_t d = decode_db(name);
      if (db >= 0 && d != db) continue;
      std::string_view key(name.data() + 2, name.size() - 2);
      if (exists(d, key)) hit.emplace_back(d, std::string(key));
    }
    // As an expiry deletion: a key already expired when watched was logically gone, so
    // flushing it changes nothing for that watcher (Redis 7.0 touchAllWatchedKeysInDb).
    for (const auto& [d, key] : hit) touch(d, key, true);
  }

 private:
  static std::string name(uint16_t db, std::string_view key);
  static uint16_t decode_db(const std::string& name) {
    return static_cast<uint16_t>((static_cast<uint8_t>(name[0]) << 8) |
                                 static_cast<uint8_t>(name[1]));
  }
  std::unordered_map<std::string, std::vector<Client*>> keys_;
};

}  // namespace basalt::core
