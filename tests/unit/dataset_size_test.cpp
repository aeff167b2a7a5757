// tests/unit/dataset_size_test.cpp — the logical dataset size (storage/dataset_size.h): the
// element bytes each type store keeps in its metadata agree with a recount of the stored
// elements after random edits of every kind (hash sets / overwrites / deletes, set adds and
// removes, list pushes / sets / inserts / removes / pops / trims small and large, sorted set
// inserts / score changes / erases / pops); record_bytes of a key; and the AccessTracker
// (LRU idle times, LFU counters starting at 5 and unknown keys at 0, its generation bound).
#include "storage/dataset_size.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "node/core/access_tracker.h"
#include "storage/types/hash.h"
#include "storage/types/list.h"
#include "storage/types/set.h"
#include "storage/types/zset.h"
#include "tests/unit/memory_keys.h"

namespace {

using namespace basalt;
using namespace basalt::storage::types;
using storage::element_bytes;
using storage::ValueType;
using unit::MemoryKeys;

// What the metadata's bytes must be, summed from the elements actually stored.
uint64_t recount(MemoryKeys& keys, uint16_t db, std::string_view key, ValueType type,
                 uint64_t version) {
  uint64_t bytes = 0;
  for (const auto& [part, value] : keys.elements_of(db, key, version)) {
    switch (type) {
      case ValueType::Hash:
        bytes += element_bytes(part.size(), value.size());
        break;
      case ValueType::Set:
        bytes += element_bytes(part.size(), 0);
        break;
      case ValueType::List: {
        // Chunks (list_encoding.h) carry every element's size; out-of-line ones repeat it.
        uint64_t first = 0;
        std::vector<list::ChunkSlot> slots;
        if (part.size() != 8 || !list::decode_chunk(value, first, slots)) break;
        for (const auto& slot : slots) bytes += element_bytes(0, slot.size);
        break;
      }
      case ValueType::ZSet:
        if (part[0] == zset::kMemberTag) bytes += element_bytes(part.size() - 1, 8);
        break;
      default:
        break;
    }
  }
  return bytes;
}

std::string value_of_size(std::mt19937& rng) {
  return std::string(rng() % 40, static_cast<char>('a' + rng() % 26));
}

TEST(DatasetSize, HashAndSetBytesFollowEveryEdit) {
  MemoryKeys keys;
  std::mt19937 rng(7);
  for (int step = 0; step < 300; ++step) {
    Collection h(keys, 0, "h");
    ASSERT_EQ(hash::open(h, Access::Write), Status::Ok);
    h.ensure_version();
    std::string field = "f" + std::to_string(rng() % 20);
    if (rng() % 3 == 0)
      hash::del(h, field);
    else
      hash::set(h, field, value_of_size(rng));
    hash::save(h);
    Collection s(keys, 1, "s");
    ASSERT_EQ(set::open(s, Access::Write), Status::Ok);
    s.ensure_version();
    std::string member = std::string(rng() % 30 + 1, 'm') + std::to_string(rng() % 5);
    if (rng() % 3 == 0)
      set::remove(s, member);
    else
      set::add(s, member);
    set::save(s);
    for (auto [db, key, type] : {std::tuple{0, "h", ValueType::Hash}, {1, "s", ValueType::Set}}) {
      Collection again(keys, static_cast<uint16_t>(db), key);
      ASSERT_EQ(again.open(type, Access::Read), Status::Ok);
      if (!again.exists()) continue;
      ASSERT_EQ(again.meta.bytes,
                recount(keys, static_cast<uint16_t>(db), key, type, again.meta.version))
          << key << " step " << step;
    }
  }
}

TEST(DatasetSize, ListBytesFollowEveryEdit) {
  MemoryKeys keys;
  std::mt19937 rng(11);
  for (int step = 0; step < 400; ++step) {
    list::List l(keys, 0, "l");
    ASSERT_EQ(list::open(l, Access::Write), Status::Ok);
    uint64_t size = l.exists() ? l.size() : 0;
    std::string v = value_of_size(rng);
    switch (size < 4 ? rng() % 2 : rng() % 8) {
      case 0:
        list::push(l, list::End::Head, v);
        break;
      case 1:
        for (int i = 0; i < 40; ++i) list::push(l, list::End::Tail, value_of_size(rng));
        break;
      case 2:
        list::set(l, rng() % size, v);
        break;
      case 3:
        list::insert(l, rng() % (size + 1), v);
        break;
      case 4:
        list::remove(l, {0, size / 2, size - 1});
        break;
      case 5:
        list::pop(l, list::End::Head, 2, [](std::string_view) {});
        break;
      case 6:
        list::trim(l, list::Span{1, size - 2});  // a few removed: one by one
        break;
      default:
        list::trim(l, list::Span{size / 2, 1});  // most removed: rebuilt
        break;
    }
    list::save(l);
    list::List again(keys, 0, "l");
    ASSERT_EQ(list::open(again, Access::Read), Status::Ok);
    if (!again.exists()) continue;
    ASSERT_EQ(again.meta.bytes, recount(keys, 0, "l", ValueType::List, again.meta.version))
        << "step " << step;
  }
}

TEST(DatasetSize, SortedSetBytesFollowEveryEdit) {
  MemoryKeys keys;
  std::mt19937 rng(13);
  for (int step = 0; step < 300; ++step) {
    zset::ZSet z(keys, 2, "z");
    ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
    z.ensure_version();
    std::string member = std::string(rng() % 20 + 1, 'z') + std::to_string(rng() % 10);
    double score = static_cast<double>(rng() % 100), old = 0;
    bool there = zset::score_of(z, member, old);
    switch (rng() % 4) {
      case 0:
      case 1:
        if (there)
          zset::change_score(z, member, old, score);
        else
          zset::insert_member(z, member, score);
        break;
      case 2:
        if (there) zset::erase_member(z, member, old);
        break;
      default:
        if (z.exists()) {
          zset::pop(z, 2, rng() % 2 == 0);
          continue;  // pop saved it
        }
        break;
    }
    zset::save(z);
    zset::ZSet again(keys, 2, "z");
    ASSERT_EQ(zset::open(again, Access::Read), Status::Ok);
    if (!again.exists()) continue;
    ASSERT_EQ(again.meta.bytes, recount(keys, 2, "z", ValueType::ZSet, again.meta.version))
        << "step " << step;
  }
}

TEST(DatasetSize, RecordBytesOfStringsAndCollections) {
  storage::RecordView s{ValueType::String, 0, "hello"};
  EXPECT_EQ(storage::record_bytes("k", s), storage::kKeyOverhead + 1 + 5);
  storage::CollectionMeta meta;
  meta.version = 1;
  meta.size = 2;
  meta.bytes = 100;
  std::string payload = meta.encode();
  storage::RecordView h{ValueType::Hash, 123, payload};
  EXPECT_EQ(storage::record_bytes("key", h), storage::kKeyOverhead + 3 + 100);
  // A record from before the bytes were kept decodes as unknown (the node recounts it).
  storage::CollectionMeta old;
  ASSERT_TRUE(storage::CollectionMeta::decode(std::string_view(payload).substr(0, 32), old));
  EXPECT_FALSE(old.bytes_known);
}

// CollectionMeta::parse (views, no copies: a write's byte count) accepts and rejects what
// decode does, with the same fields, over whole, cut and damaged payloads of every shape.
TEST(DatasetSize, MetaParseAgreesWithDecode) {
  std::vector<std::string> payloads;
  for (int shape = 0; shape < 4; ++shape) {
    storage::CollectionMeta meta;
    meta.version = 7;
    meta.size = 3;
    meta.head = 11;
    meta.tail = 14;
    meta.bytes = 300;
    if (shape >= 1) meta.dead = 5;
    if (shape >= 2) {
      meta.floor = std::string("a floor part longer than a short string", 40);
      meta.ceiling = "ceiling";
    }
    if (shape == 3) {
      meta.floor.clear();
      meta.chunked = true;
    }
    payloads.push_back(meta.encode());
  }
  std::vector<std::string> all;
  for (const auto& p : payloads) {
    for (size_t cut = 0; cut <= p.size(); ++cut) all.push_back(p.substr(0, cut));
    std::string flags = p;
    flags.append(8, '\x02');  // (an unknown flag word)
    all.push_back(flags);
    all.push_back(p + "x");
  }
  for (const auto& p : all) {
    storage::CollectionMeta decoded;
    storage::CollectionMeta::View parsed;
    const bool d = storage::CollectionMeta::decode(p, decoded);
    ASSERT_EQ(storage::CollectionMeta::parse(p, parsed), d) << p.size();
    if (!d) continue;
    EXPECT_EQ(parsed.version, decoded.version);
    EXPECT_EQ(parsed.size, decoded.size);
    EXPECT_EQ(parsed.head, decoded.head);
    EXPECT_EQ(parsed.tail, decoded.tail);
    EXPECT_EQ(parsed.bytes, decoded.bytes);
    EXPECT_EQ(parsed.bytes_known, decoded.bytes_known);
    EXPECT_EQ(parsed.dead, decoded.dead);
    EXPECT_EQ(parsed.floor, decoded.floor);
    EXPECT_EQ(parsed.ceiling, decoded.ceiling);
    EXPECT_EQ(parsed.chunked, decoded.chunked);
  }
  storage::CollectionMeta back;
  ASSERT_TRUE(storage::CollectionMeta::decode(payloads[2], back));
  EXPECT_EQ(back.floor, std::string("a floor part longer than a short string", 40));
  EXPECT_EQ(back.ceiling, "ceiling");
}

TEST(AccessTracker, LruIdleTimesAndUnknownKeysRankOldest) {
  core::AccessTracker t;
  t.set_mode(core::AccessTracker::Mode::Lru, 1000);
  t.touch("a", 2000);
  t.touch("b", 5000);
  bool unknown = true;
  EXPECT_EQ(t.idle_ms("a", 6000, &unknown), 4000u);
  EXPECT_FALSE(unknown);
  EXPECT_EQ(t.idle_ms("b", 6000), 1000u);
  EXPECT_EQ(t.idle_ms("never", 6000, &unknown), 5000u);  // since tracking started
  EXPECT_TRUE(unknown);
  t.forget("a");
  t.idle_ms("a", 6000, &unknown);
  EXPECT_TRUE(unknown);
}

TEST(AccessTracker, LfuCountersStartAtFiveGrowAndDecay) {
  core::AccessTracker t;
  t.set_mode(core::AccessTracker::Mode::Lfu, 0);
  t.set_lfu_params(0, 1);  // log factor 0: every access increments
  t.touch("hot", 0);
  EXPECT_GE(t.frequency("hot", 0), 5u);
  for (int i = 0; i < 20; ++i) t.touch("hot", 0);
  uint8_t hot = t.frequency("hot", 0);
  EXPECT_GE(hot, 25u);
  EXPECT_EQ(t.frequency("cold", 0), 0u);
  EXPECT_EQ(t.frequency("hot", 3 * 60000), hot - 3);  // one step per minute idle
  // A mode change forgets everything.
  t.set_mode(core::AccessTracker::Mode::Lru, 0);
  EXPECT_EQ(t.tracked(), 0u);
}

TEST(AccessTracker, TwoGenerationsBoundWhatIsHeld) {
  core::AccessTracker t;
  t.set_mode(core::AccessTracker::Mode::Lru, 0);
  t.set_capacity(10);
  for (int i = 0; i < 1000; ++i) {
    t.touch("k" + std::to_string(i), static_cast<uint64_t>(i));
    ASSERT_LE(t.tracked(), 20u);
  }
  bool unknown = false;
  t.idle_ms("k999", 1000, &unknown);
  EXPECT_FALSE(unknown);  // the latest generation is always known
  t.idle_ms("k0", 1000, &unknown);
  EXPECT_TRUE(unknown);
}

}  // namespace
