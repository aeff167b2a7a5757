// node/scripting/script_cache.h — EVAL's script cache: sha1 -> body and the flags its
// shebang declared. Memory only, as in Redis (a restart or SCRIPT FLUSH empties it; replicas
// never need it: scripts replicate by their effects).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace basalt::scripting {

struct CachedScript {
  std::string body;
  uint32_t flags = 0;  // ScriptFlag bits (node/scripting/shebang.h)
};

class ScriptCache {
 public:
  const CachedScript* find(const std::string& sha) const {
    auto it = scripts_.find(sha);
    return it == scripts_.end() ? nullptr : &it->second;
  }
  void add(const std::string& sha, std::string body, uint32_t flags) {
    body_bytes_ += body.size();
    scripts_[sha] = CachedScript{std::move(body), flags};
  }
  void clear() {
    scripts_.clear();
    body_bytes_ = 0;
  }
  size_t size() const { return scripts_.size(); }
  size_t body_bytes() const { return body_bytes_; }

 private:
  std::unordered_map<std::string, CachedScript> scripts_;
  size_t body_bytes_ = 0;
};

}  // namespace basalt::scripting
