// node/core/watch_registry.cpp — see watch_registry.h.
#include "node/core/watch_registry.h"

#include <algorithm>

namespace basalt::core {

std::string WatchRegistry::name(uint16_t db, std::string_view key) {
  std::string n;
  n.reserve(key.size() + 2);
  n.push_back(static_cast<char>(db >> 8));
  n.push_back(static_cast<char>(db & 0xff));
  n.append(key);
  return n;
}

void WatchRegistry::watch(Client& client, uint16_t db, std::string_view key, bool expired) {
  for (const auto& w : client.watched)
    if (w.db == db && w.key == key) return;
  client.watched.push_back({db, std::string(key), expired});
  keys_[name(db, key)].push_back(&client);
}

void WatchRegistry::unwatch_all(Client& client) {
  for (const auto& w : client.watched) {
    auto it = keys_.find(name(w.db, w.key));
    if (it == keys_.end()) continue;
    std::erase(it->second, &client);
    if (it->second.empty()) keys_.erase(it);
  }
  client.watched.clear();
  client.watch_dirty = false;
}

void WatchRegistry::touch(uint16_t db, std::string_view key, bool expiry) {
  if (keys_.empty()) return;
  auto it = keys_.find(name(db, key));
  if (it == keys_.end()) return;
  for (Client* c : it->second) {
    bool skip = false;
    for (auto& w : c->watched) {
      if (w.db != db || w.key != key || !w.expired) continue;
      // Already expired when watched: deleting it is no logical change (Redis 7.0).
      if (expiry) skip = true;
      w.expired = false;
    }
    if (!skip) c->watch_dirty = true;
  }
}

}  // namespace basalt::core
