// node/core/element_cache.cpp — see element_cache.h.
#include "node/core/element_cache.h"

#include "storage/codec.h"

namespace basalt::core {

ElementCache::ElementCache(size_t budget_bytes) : cache_(budget_bytes) {
  cache_.set_forget_hook(&ElementCache::on_forget, this);
}

ElementCache::Hit ElementCache::find(std::string_view key, uint64_t hash, std::string& value) {
  const Hit hit = cache_.find(key, hash, value);
  if (hit != Hit::Miss || complete_.empty()) return hit;
  const size_t prefix = storage::sub_prefix_size(key);
  if (prefix == 0 || !complete(key.substr(0, prefix))) return Hit::Miss;
  ++complete_hits_;
  return Hit::Absent;
}

bool ElementCache::complete(std::string_view prefix) const {
  return !complete_.empty() && complete_.find(prefix) != complete_.end();
}

void ElementCache::drop(std::string_view prefix) {
  if (auto it = complete_.find(prefix); it != complete_.end()) {
    complete_.erase(it);
    ++changes_;
  }
}

void ElementCache::created(std::string_view prefix) {
  if (!enabled()) return;
  complete_.emplace(prefix);
  ++changes_;
}

void ElementCache::store_written(std::string_view key, uint64_t hash, std::string_view value,
                                 bool present) {
  if (!enabled()) return;
  const size_t prefix_size = storage::sub_prefix_size(key);
  const std::string_view prefix = key.substr(0, prefix_size);
  if (last_changes_ != changes_ || prefix != last_prefix_) {
    last_prefix_.assign(prefix);
    last_complete_ = prefix_size != 0 && complete(prefix);
    last_changes_ = changes_;
  }
  if (!last_complete_) {
    cache_.update_if_cached(key, hash, value, present);
    return;
  }
  // A complete version's element must be cached, or the version is complete no more (put
  // evicting it at once tells the forget hook; a value too large to keep does not).
  if (!cache_.put(key, hash, value, present)) drop(prefix);
}

void ElementCache::on_forget(void* self, std::string_view key) {
  static_cast<ElementCache*>(self)->forget_version_of(key);
}

void ElementCache::forget_version_of(std::string_view element_key) {
  if (complete_.empty()) return;
  const size_t prefix = storage::sub_prefix_size(element_key);
  if (prefix != 0) drop(element_key.substr(0, prefix));
}

void ElementCache::clear() {
  cache_.clear();
  complete_.clear();
  ++changes_;
}

void ElementCache::set_budget(size_t bytes) {
  cache_.set_budget(bytes);  // (a smaller budget evicts: the hook ends those versions)
  if (bytes == 0) clear();
}

}  // namespace basalt::core
