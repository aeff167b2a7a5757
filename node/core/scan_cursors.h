// node/core/scan_cursors.h — SCAN cursors. Redis cursors are numbers; RocksDB positions are
// keys. A bounded table maps each cursor number handed out to the (db, key) it resumes
// after; the oldest entries are forgotten first (a forgotten cursor restarts the scan).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

namespace basalt::core {

class ScanCursors {
 public:
  explicit ScanCursors(size_t capacity = 65536) : capacity_(capacity) {}

  uint64_t remember(uint16_t db, std::string last_key) {
    uint64_t id = next_++;
    if (next_ == 0) next_ = 1;
    entries_[id] = {db, std::move(last_key)};
    order_.push_back(id);
    while (order_.size() > capacity_) {
      entries_.erase(order_.front());
      order_.pop_front();
    }
    return id;
  }

  // The key to resume after, if the cursor is known for this db.
  std::optional<std::string> resume_after(uint16_t db, uint64_t id) const {
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.db != db) return std::nullopt;
    return it->second.key;
  }

 private:
  struct Entry {
    uint16_t db;
    std::string key;
  };
  size_t capacity_;
  uint64_t next_ = 1;
  std::unordered_map<uint64_t, Entry> entries_;
  std::deque<uint64_t> order_;
};

}  // namespace basalt::core
