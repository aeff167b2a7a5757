// node/commands/zset_store.h — a sorted set key as the commands use it: open with Redis's
// type rule, read a member's score, add / change / remove members (both entries and the
// count kept in step), walk the score index forwards or backwards from a rank, a score, or a
// (score, member) position, and save the metadata (removing the key once empty).
// Writes go to the batch of the current write group; never write while a cursor is open.
#pragma once

#include <rocksdb/iterator.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/commands/collection_util.h"
#include "node/commands/zset_encoding.h"

namespace basalt::commands::zset {

struct ZSet {
  std::string_view key;
  Collection col;
  bool exists() const { return col.exists(); }
  uint64_t size() const { return col.meta.size; }
  uint64_t version() const { return col.meta.version; }
};

// Opens `key` (WRONGTYPE replied and false if it holds something else; missing is fine).
bool open_zset(Context& c, std::string_view key, ZSet& z, Access access);
// The score of `member`; false if it is not there.
bool score_of(Context& c, const ZSet& z, std::string_view member, double& score);
// Adds a new member (the set must have a version: ensure_version).
void insert_member(Context& c, ZSet& z, std::string_view member, double score);
void change_score(Context& c, ZSet& z, std::string_view member, double old_score, double score);
void erase_member(Context& c, ZSet& z, std::string_view member, double score);
// Writes the metadata, or removes the key when it became empty.
void save_zset(Context& c, ZSet& z);

using Entry = std::pair<std::string, double>;  // (member, score)

// Replaces whatever `key` holds (any type, TTL dropped) with a sorted set of `entries`
// (distinct members), or removes the key when `entries` is empty. True if anything changed.
bool replace_with_entries(Context& c, std::string_view key, const std::vector<Entry>& entries);

// A walk over the score index in one direction: forwards (ascending score, then member) or
// backwards. Positioning calls leave it on the first entry in walking order that qualifies.
class IndexCursor {
 public:
  IndexCursor(Context& c, const ZSet& z, bool reverse);

  void to_first();
  // The entry at `rank` in walking order (0 = first); chooses the nearer end to start from.
  void to_rank(uint64_t rank, uint64_t size);
  // Forwards: the first entry with score >= bound (> bound if exclusive).
  // Backwards: the last entry with score <= bound (< bound if exclusive).
  void to_score(double bound, bool exclusive);
  // Forwards: the first entry at or after (score, member); backwards: at or before it.
  void to_entry(double score, std::string_view member);

  bool valid() const { return valid_; }
  double score() const { return score_; }
  std::string_view member() const { return member_; }
  void next();
  Entry entry() const { return {std::string(member_), score_}; }

 private:
  void seek(std::string_view part);         // first index entry >= part
  void seek_before(std::string_view part);  // last index entry < part
  void load();

  std::unique_ptr<rocksdb::Iterator> it_;
  std::string prefix_;  // collection prefix + 's'
  std::string target_;
  bool reverse_;
  bool valid_ = false;
  double score_ = 0;
  std::string_view member_;
};

}  // namespace basalt::commands::zset
