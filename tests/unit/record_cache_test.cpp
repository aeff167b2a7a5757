// tests/unit/record_cache_test.cpp — the record cache on its own (present / absent entries,
// updates, eviction in insertion order within the byte budget, oversized values, turning it
// off), and inside a node: after groups of writes (overwrites, deletes, a FLUSHDB, a
// transaction, collections, TTLs) every cached record equals what RocksDB holds.
#include "node/core/record_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "node/core/keyspace.h"
#include "node/core/node.h"
#include "storage/codec.h"
#include "tests/unit/node_harness.h"
#include "tests/unit/scratch_dir.h"

namespace {

using basalt::core::RecordCache;
using Hit = RecordCache::Hit;

TEST(RecordCache, PresentAbsentAndUpdates) {
  RecordCache cache(1 << 20);
  std::string raw;
  EXPECT_EQ(cache.find("a", raw), Hit::Miss);
  cache.put_present("a", "one");
  cache.put_absent("b");
  EXPECT_EQ(cache.find("a", raw), Hit::Present);
  EXPECT_EQ(raw, "one");
  EXPECT_EQ(cache.find("b", raw), Hit::Absent);
  cache.put_present("b", "two");
  cache.put_absent("a");
  EXPECT_EQ(cache.find("a", raw), Hit::Absent);
  EXPECT_EQ(cache.find("b", raw), Hit::Present);
  EXPECT_EQ(raw, "two");
  EXPECT_EQ(cache.entries(), 2u);
  EXPECT_EQ(cache.hits(), 4u);
  EXPECT_EQ(cache.misses(), 1u);
}

TEST(RecordCache, EvictsOldestFirstWithinBudget) {
  RecordCache cache(2000);
  std::string raw;
  for (int i = 0; i < 100; ++i) cache.put_present("key" + std::to_string(i), std::string(50, 'x'));
  EXPECT_LE(cache.bytes(), 2000u);
  EXPECT_GT(cache.entries(), 5u);
  EXPECT_EQ(cache.find("key0", raw), Hit::Miss);  // the oldest went first
  EXPECT_EQ(cache.find("key99", raw), Hit::Present);
  cache.set_budget(500);
  EXPECT_LE(cache.bytes(), 500u);
  EXPECT_EQ(cache.find("key99", raw), Hit::Present);
  cache.set_budget(0);
  EXPECT_FALSE(cache.enabled());
  EXPECT_EQ(cache.entries(), 0u);
  cache.put_present("x", "y");
  EXPECT_EQ(cache.find("x", raw), Hit::Miss);
}

TEST(RecordCache, PutIfRoomNeverEvicts) {
  RecordCache cache(2000);
  std::string raw;
  cache.put_present("read", "by a reader");
  for (int i = 0; i < 100; ++i)
    cache.put_if_room("w" + std::to_string(i), std::string(50, 'x'), true);
  EXPECT_LE(cache.bytes(), 2000u);
  EXPECT_EQ(cache.find("read", raw), Hit::Present);  // not pushed out by writes
  EXPECT_EQ(cache.find("w0", raw), Hit::Present);    // the first writes fit
  EXPECT_EQ(cache.find("w99", raw), Hit::Miss);      // later ones found no room
  cache.put_if_room("read", "changed", true);        // never overwrites either
  EXPECT_EQ(cache.find("read", raw), Hit::Present);
  EXPECT_EQ(raw, "by a reader");
}

TEST(RecordCache, OversizedValuesAreNotKeptAndForgetTheOldState) {
  RecordCache cache(1 << 24);
  std::string raw;
  cache.put_present("k", "small");
  cache.put_present("k", std::string(RecordCache::kMaxValueBytes + 1, 'x'));
  EXPECT_EQ(cache.find("k", raw), Hit::Miss);  // neither the old value nor the big one
  cache.put_present("k", "again");
  EXPECT_EQ(cache.find("k", raw), Hit::Present);
  EXPECT_EQ(raw, "again");
  // Many insert / drop cycles of one key stay within the budget.
  RecordCache small(4096);
  for (int i = 0; i < 10000; ++i) {
    small.put_present("k", "v");
    small.put_present("k", std::string(RecordCache::kMaxValueBytes + 1, 'x'));
  }
  EXPECT_LE(small.bytes(), 4096u);
}

TEST(RecordCache, UpdateIfCachedTouchesOnlyCachedKeys) {
  RecordCache cache(1 << 20);
  std::string raw;
  cache.update_if_cached("new", "v", true);  // not cached: stays unknown
  EXPECT_EQ(cache.find("new", raw), Hit::Miss);
  cache.put_absent("gone");
  cache.put_present("kept", "old");
  cache.update_if_cached("gone", "now here", true);
  cache.update_if_cached("kept", "", false);
  EXPECT_EQ(cache.find("gone", raw), Hit::Present);
  EXPECT_EQ(raw, "now here");
  EXPECT_EQ(cache.find("kept", raw), Hit::Absent);
  // Too large: the key's state is forgotten, and later updates don't bring it back.
  cache.update_if_cached("gone", std::string(RecordCache::kMaxValueBytes + 1, 'x'), true);
  EXPECT_EQ(cache.find("gone", raw), Hit::Miss);
  EXPECT_FALSE(cache.contains("gone"));
  cache.update_if_cached("gone", "small", true);
  EXPECT_EQ(cache.find("gone", raw), Hit::Miss);
  EXPECT_TRUE(cache.contains("kept"));
}

TEST(RecordCache, BytesAddUpThroughDropsAndEvictions) {
  // The byte count is what the entries charge: after every kind of change, emptying the
  // cache by eviction brings it back to exactly zero.
  RecordCache cache(1 << 20);
  for (int i = 0; i < 200; ++i) {
    std::string key = "key:" + std::to_string(i % 50);
    if (i % 7 == 0)
      cache.put_present(key, std::string(RecordCache::kMaxValueBytes + 1, 'x'));
    else if (i % 3 == 0)
      cache.put_absent(key);
    else if (i % 5 == 0)
      cache.put_if_room(key, std::string(static_cast<size_t>(i), 'y'), true);
    else
      cache.put_present(key, std::string(static_cast<size_t>(i), 'z'));
  }
  EXPECT_GT(cache.bytes(), 0u);
  cache.set_budget(1);
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(RecordCache, EvictionFollowsInsertionOrderNotUpdates) {
  // Each entry of a 1-byte key and 4-byte value costs 2 + 4 + 176 = 182 bytes: ten fit.
  RecordCache cache(1820);
  std::string raw;
  for (int i = 0; i < 10; ++i) cache.put_present(std::to_string(i), "vvvv");
  EXPECT_EQ(cache.entries(), 10u);
  EXPECT_EQ(cache.bytes(), 1820u);
  // Updating the oldest (even by a reader's put) does not make it younger.
  cache.put_present("0", "wwww");
  cache.update_if_cached("1", "xxxx", true);
  cache.put_present("a", "vvvv");  // one more: the oldest goes
  EXPECT_EQ(cache.find("0", raw), Hit::Miss);
  EXPECT_EQ(cache.find("1", raw), Hit::Present);
  EXPECT_EQ(cache.find("a", raw), Hit::Present);
  // A value that grows pushes out as many of the oldest as its growth needs.
  cache.update_if_cached("9", std::string(4 + 2 * 182, 'g'), true);
  EXPECT_EQ(cache.find("1", raw), Hit::Miss);
  EXPECT_EQ(cache.find("2", raw), Hit::Miss);
  EXPECT_EQ(cache.find("3", raw), Hit::Present);
  EXPECT_EQ(cache.find("9", raw), Hit::Present);
  EXPECT_EQ(raw.size(), 4u + 2 * 182);
  EXPECT_LE(cache.bytes(), 1820u);
}

TEST(RecordCache, ManyRandomKeysStayWithinTheBound) {
  // A budget far smaller than the keys written: every call leaves bytes() within it, and
  // what is kept is the newest keys (insertion order), found with their latest values.
  const size_t budget = 64 * 1024;
  RecordCache cache(budget);
  std::string raw;
  std::vector<std::string> keys;
  for (int i = 0; i < 20000; ++i) {
    std::string key = "db0:key:" + std::to_string(i * 7919 % 100003);
    cache.put_present(key, "value-" + std::to_string(i));
    ASSERT_LE(cache.bytes(), budget);
    keys.push_back(key);
  }
  EXPECT_GT(cache.entries(), 100u);
  EXPECT_EQ(cache.find(keys.back(), raw), Hit::Present);
  EXPECT_EQ(raw, "value-19999");
  EXPECT_EQ(cache.find(keys.front(), raw), Hit::Miss);
  cache.clear();
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.find(keys.back(), raw), Hit::Miss);
}

using namespace basalt;
using unit::Commands;
using unit::NodeHarness;
using unit::ScratchDir;
namespace asio = boost::asio;

// Every cached record of `keys` (db 0) equals RocksDB's (present with the same bytes, or
// absent when RocksDB has none). Then reads every key through a read-only view, as a client
// would, so that all of them are cached before the next group (which must update them).
void expect_cache_matches_db(core::Node& node, const std::vector<std::string>& keys) {
  auto& cache = node.keyspace().record_cache;
  auto& engine = node.engine();
  for (const auto& key : keys) {
    std::string encoded, cached, stored;
    storage::encode_data_key(encoded, 0, key);
    Hit hit = cache.find(encoded, cached);
    rocksdb::Status s =
        engine.db()->Get(rocksdb::ReadOptions(), engine.data_cf(), encoded, &stored);
    if (hit == Hit::Present) {
      EXPECT_TRUE(s.ok()) << key << " cached but not stored";
      EXPECT_EQ(cached, stored) << key;
    } else if (hit == Hit::Absent) {
      EXPECT_TRUE(s.IsNotFound()) << key << " cached as absent but stored";
    }
  }
  core::Keyspace reader(node.keyspace(), core::unix_time_ms());
  for (const auto& key : keys) {
    core::Lookup l;
    reader.lookup(0, key, l);
  }
  EXPECT_GE(cache.entries(), keys.size());
}

TEST(RecordCache, StaysEqualToTheDatabaseAcrossWriteGroups) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  const std::vector<std::string> keys = {"s", "t", "gone", "h", "ttl", "never", "tx"};
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    core::Client& client = node.add_client();
    expect_cache_matches_db(node, keys);  // caches every key as absent
    Commands first({"SET", "s", "1"});
    first.add({"GET", "never"}).add({"SET", "gone", "x"}).add({"HSET", "h", "f", "v"});
    co_await unit::execute(node, client, first);
    expect_cache_matches_db(node, keys);
    Commands second({"APPEND", "s", "2"});
    second.add({"DEL", "gone"}).add({"HSET", "h", "g", "w"}).add({"SET", "ttl", "v", "EX", "100"});
    second.add({"INCR", "s"}).add({"GET", "s"});
    co_await unit::execute(node, client, second);
    expect_cache_matches_db(node, keys);
    Commands tx({"MULTI"});
    tx.add({"SET", "tx", "a"}).add({"DEL", "s"}).add({"SET", "s", "b"}).add({"EXEC"});
    co_await unit::execute(node, client, tx);
    expect_cache_matches_db(node, keys);
    Commands flush({"SET", "t", "1"});
    flush.add({"FLUSHDB"}).add({"SET", "t", "2"}).add({"GET", "s"});
    co_await unit::execute(node, client, flush);
    expect_cache_matches_db(node, keys);
    // Reads after the flush see the new state, through the cache.
    Commands reads({"GET", "t"});
    reads.add({"GET", "s"}).add({"EXISTS", "h"});
    std::string out = co_await unit::execute(node, client, reads);
    EXPECT_EQ(out, "$1\r\n2\r\n$-1\r\n:0\r\n");
    expect_cache_matches_db(node, keys);
    EXPECT_GT(node.keyspace().record_cache.hits(), 0u);
  });
}

}  // namespace
