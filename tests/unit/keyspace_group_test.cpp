// tests/unit/keyspace_group_test.cpp — what one write group sees of its own writes: the
// records and elements it wrote (kept by the Keyspace, written to the batch past its index)
// are what its reads, its iterators (which index them on demand), a flush, a rollback and
// the record cache after the commit all see; the record nodes later groups reuse carry
// nothing over.
#include <gtest/gtest.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "node/core/keyspace.h"
#include "node/core/repl_stream.h"
#include "storage/codec.h"
#include "storage/collection.h"
#include "storage/engine.h"
#include "tests/unit/scratch_dir.h"
#include "tests/unit/scratch_engine.h"

namespace {

using namespace basalt;
using storage::ValueType;
using unit::ScratchDir;

class KeyspaceGroup : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = unit::open_scratch_engine(tmp_.path().string());
    ASSERT_TRUE(engine_);
    shared_.engine = engine_.get();
    shared_.key_counts.assign(16, 0);
    shared_.record_cache.set_budget(1 << 20);
    shared_.element_cache.set_budget(1 << 20);
  }

  // Runs `fn` in one writable view, then writes the batch and publishes to the cache.
  void group(const std::function<void(core::Keyspace&)>& fn) {
    rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0, true);
    core::ReplStream stream;
    core::Keyspace ks(shared_, 1000, batch, stream);
    fn(ks);
    ks.stage_records(*batch.GetWriteBatch());
    ASSERT_TRUE(engine_->write(batch.GetWriteBatch()).ok());
    ks.publish_to_cache();
  }

  static void set(core::Keyspace& ks, std::string_view key, std::string_view value) {
    core::Lookup old;
    ks.lookup(0, key, old);
    ks.put(0, key, ValueType::String, 0, value, old);
  }
  static void del(core::Keyspace& ks, std::string_view key) {
    core::Lookup old;
    ks.lookup(0, key, old);
    ks.remove(0, key, old);
  }
  static std::string get(core::Keyspace& ks, std::string_view key) {
    core::Lookup l;
    ks.lookup(0, key, l);
    return l.live ? std::string(l.record.payload) : "(nil)";
  }
  static std::vector<std::string> keys(core::Keyspace& ks) {
    std::vector<std::string> out;
    auto it = ks.iterate(0);
    std::string prefix = storage::data_prefix(0);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
      out.emplace_back(it->key().data() + prefix.size(), it->key().size() - prefix.size());
    return out;
  }
  static std::vector<std::string> elements(core::Keyspace& ks, uint64_t version) {
    std::vector<std::string> out;
    std::string prefix;
    auto it = ks.sub_iterate(0, "h", version, prefix);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
      out.push_back(
          std::string(it->key().data() + prefix.size(), it->key().size() - prefix.size()) + "=" +
          it->value().ToString());
    return out;
  }
  // The element cache's entry for h's element `part` of `version`: its value, "(absent)" or
  // "(miss)".
  std::string cached_element(uint64_t version, std::string_view part) {
    std::string key, value;
    storage::encode_sub_prefix(key, 0, "h", version);
    key.append(part);
    switch (shared_.element_cache.find(key, value)) {
      case core::RecordCache::Hit::Present:
        return value;
      case core::RecordCache::Hit::Absent:
        return "(absent)";
      case core::RecordCache::Hit::Miss:
        break;
    }
    return "(miss)";
  }
  // Creates hash "h" with `fields` (f0, f1, ...) at a version this view hands out, as HSET on
  // a new key does; returns the version.
  static uint64_t create_hash(core::Keyspace& ks, int fields) {
    storage::CollectionMeta meta;
    meta.version = ks.new_version();
    meta.size = static_cast<uint64_t>(fields);
    for (int i = 0; i < fields; ++i)
      ks.sub_put(0, "h", meta.version, "f" + std::to_string(i), "v" + std::to_string(i));
    core::Lookup old;
    ks.lookup(0, "h", old);
    ks.put(0, "h", ValueType::Hash, 0, meta.encode(), old);
    return meta.version;
  }
  static std::string sub(core::Keyspace& ks, uint64_t version, std::string_view part) {
    std::string value;
    return ks.sub_get(0, "h", version, part, value) ? value : "(nil)";
  }
  std::string committed(std::string_view key) {
    core::Keyspace ks(shared_, 1000);
    return get(ks, key);
  }

  ScratchDir tmp_;
  std::unique_ptr<storage::Engine> engine_;
  core::KeyspaceShared shared_;
};

TEST_F(KeyspaceGroup, ReadsAndIteratorsSeeTheGroupsOwnWrites) {
  group([](core::Keyspace& ks) { set(ks, "old", "1"); });
  EXPECT_EQ(committed("old"), "1");  // a reader brings it into the cache
  group([](core::Keyspace& ks) {
    set(ks, "a", "x");
    set(ks, "a", "y");
    EXPECT_EQ(get(ks, "a"), "y");
    EXPECT_EQ(keys(ks), (std::vector<std::string>{"a", "old"}));
    // Written again after an iterator indexed the records: the next iterator sees it.
    set(ks, "a", "z");
    del(ks, "old");
    set(ks, "b", "w");
    EXPECT_EQ(get(ks, "old"), "(nil)");
    EXPECT_EQ(keys(ks), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(get(ks, "a"), "z");
  });
  // The commit holds the last state, and the cache (which held "old") agrees.
  EXPECT_EQ(committed("a"), "z");
  EXPECT_EQ(committed("b"), "w");
  EXPECT_EQ(committed("old"), "(nil)");
  EXPECT_GT(shared_.record_cache.entries(), 0u);
}

TEST_F(KeyspaceGroup, ElementsWrittenInTheGroupAreReadAndWalked) {
  const uint64_t v1 = 7, v2 = 8;
  group([&](core::Keyspace& ks) {
    ks.sub_put(0, "h", v1, "f1", "a");
    ks.sub_put(0, "h", v1, "f2", "b");
    std::string value;
    ASSERT_TRUE(ks.sub_get(0, "h", v1, "f1", value));
    EXPECT_EQ(value, "a");
    EXPECT_EQ(elements(ks, v1), (std::vector<std::string>{"f1=a", "f2=b"}));
    ks.sub_delete(0, "h", v1, "f1");
    ks.sub_put(0, "h", v1, "f2", "c");
    EXPECT_FALSE(ks.sub_get(0, "h", v1, "f1", value));
    EXPECT_EQ(elements(ks, v1), (std::vector<std::string>{"f2=c"}));
    ks.sub_put(0, "h", v2, "g", "d");
  });
  group([&](core::Keyspace& ks) {
    std::string value;
    EXPECT_FALSE(ks.sub_get(0, "h", v1, "f1", value));
    ASSERT_TRUE(ks.sub_get(0, "h", v1, "f2", value));
    EXPECT_EQ(value, "c");
    EXPECT_EQ(elements(ks, v2), (std::vector<std::string>{"g=d"}));
  });
}

TEST_F(KeyspaceGroup, RollbackForgetsWhatFollowedTheSavePoint) {
  group([](core::Keyspace& ks) { set(ks, "k", "committed"); });
  group([](core::Keyspace& ks) {
    set(ks, "k", "kept");
    ks.sub_put(0, "h", 5, "f", "kept");
    auto point = ks.save_point();
    set(ks, "k", "undone");
    set(ks, "new", "undone");
    ks.sub_put(0, "h", 5, "f", "undone");
    ks.rollback(point);
    EXPECT_EQ(get(ks, "k"), "kept");
    EXPECT_EQ(get(ks, "new"), "(nil)");
    std::string value;
    ASSERT_TRUE(ks.sub_get(0, "h", 5, "f", value));
    EXPECT_EQ(value, "kept");
    EXPECT_EQ(ks.count_deltas()[0], 0);
    // Writes after the rollback still read back and iterate.
    set(ks, "after", "1");
    EXPECT_EQ(get(ks, "after"), "1");
    EXPECT_EQ(keys(ks), (std::vector<std::string>{"after", "k"}));
  });
  EXPECT_EQ(committed("k"), "kept");
  EXPECT_EQ(committed("new"), "(nil)");
  EXPECT_EQ(committed("after"), "1");
}

TEST_F(KeyspaceGroup, ARecordWrittenManyTimesEntersTheBatchOnceAtTheCommit) {
  rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0, true);
  core::ReplStream stream;
  core::Keyspace ks(shared_, 1000, batch, stream);
  for (int i = 0; i < 50; ++i) {
    auto point = ks.save_point();  // as the pipeline takes one per command
    set(ks, "hot", std::to_string(i));
    ks.release(point);
  }
  set(ks, "other", "x");
  EXPECT_EQ(batch.GetWriteBatch()->Count(), 0u);  // kept back until the commit...
  EXPECT_TRUE(ks.has_writes());
  ks.stage_records(*batch.GetWriteBatch());
  EXPECT_EQ(batch.GetWriteBatch()->Count(), 2u);  // ...then each key once, in its last state
  EXPECT_FALSE(batch.GetWriteBatch()->Count() == 0 && ks.has_writes());
  ASSERT_TRUE(engine_->write(batch.GetWriteBatch()).ok());
  ks.publish_to_cache();
  EXPECT_EQ(committed("hot"), "49");
  EXPECT_EQ(committed("other"), "x");
}

// A finished group's record nodes are kept for the next groups (Keyspace::spare_records): a
// later group that takes them sees none of what they held, writes each of its keys once in
// its own final state, and a rollback of a key on a reused node forgets it.
TEST_F(KeyspaceGroup, RecordsOfEarlierGroupsLeaveNothingBehindInTheNextOnes) {
  group([](core::Keyspace& ks) {
    for (int i = 0; i < 100; ++i) {
      auto point = ks.save_point();
      set(ks, "g1-" + std::to_string(i), std::string(40 + i, 'v'));
      if (i % 3 == 0) del(ks, "g1-" + std::to_string(i));
      ks.release(point);
    }
  });
  rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0, true);
  core::ReplStream stream;
  core::Keyspace ks(shared_, 1000, batch, stream);
  set(ks, "a", "1");
  EXPECT_EQ(get(ks, "b"), "(nil)");
  auto point = ks.save_point();
  set(ks, "b", "2");
  ks.rollback(point);
  EXPECT_EQ(get(ks, "b"), "(nil)");
  EXPECT_EQ(get(ks, "a"), "1");
  ks.stage_records(*batch.GetWriteBatch());
  ASSERT_TRUE(engine_->write(batch.GetWriteBatch()).ok());
  ks.publish_to_cache();
  EXPECT_EQ(committed("a"), "1");
  EXPECT_EQ(committed("b"), "(nil)");
  EXPECT_EQ(committed("g1-1"), std::string(41, 'v'));
  EXPECT_EQ(committed("g1-3"), "(nil)");
}

TEST_F(KeyspaceGroup, NestedRollbacksRestoreRecordsKeptBackFromTheBatch) {
  group([](core::Keyspace& ks) {
    set(ks, "k", "a");  // before any save point: kept back, never in the batch before commit
    auto outer = ks.save_point();
    set(ks, "k", "b");
    set(ks, "x", "1");
    auto inner = ks.save_point();
    set(ks, "k", "c");
    del(ks, "x");
    ks.rollback(inner);
    EXPECT_EQ(get(ks, "k"), "b");
    EXPECT_EQ(get(ks, "x"), "1");
    set(ks, "y", "2");
    ks.rollback(outer);
    EXPECT_EQ(get(ks, "k"), "a");
    EXPECT_EQ(get(ks, "x"), "(nil)");
    EXPECT_EQ(get(ks, "y"), "(nil)");
    EXPECT_EQ(keys(ks), (std::vector<std::string>{"k"}));
  });
  EXPECT_EQ(committed("k"), "a");
  EXPECT_EQ(committed("x"), "(nil)");
  EXPECT_EQ(committed("y"), "(nil)");
}

TEST_F(KeyspaceGroup, RollbackAfterReleasedSavePointsKeepsTheirWrites) {
  group([](core::Keyspace& ks) {
    auto first = ks.save_point();
    set(ks, "k", "1");
    ks.release(first);
    auto second = ks.save_point();
    set(ks, "k", "2");
    set(ks, "k", "3");
    ks.rollback(second);
    EXPECT_EQ(get(ks, "k"), "1");
    auto third = ks.save_point();
    set(ks, "k", "4");  // after a rollback the group writes through the batch's index
    ks.release(third);
  });
  EXPECT_EQ(committed("k"), "4");
}

TEST_F(KeyspaceGroup, FlushDropsWhatTheGroupWroteBeforeIt) {
  group([](core::Keyspace& ks) { set(ks, "stored", "1"); });
  group([](core::Keyspace& ks) {
    set(ks, "before", "1");
    ks.sub_put(0, "h", 3, "f", "1");
    ks.flush(0);
    EXPECT_EQ(get(ks, "before"), "(nil)");
    EXPECT_EQ(get(ks, "stored"), "(nil)");
    std::string value;
    EXPECT_FALSE(ks.sub_get(0, "h", 3, "f", value));
    set(ks, "after", "2");
    EXPECT_EQ(get(ks, "after"), "2");
    EXPECT_EQ(keys(ks), (std::vector<std::string>{"after"}));
  });
  EXPECT_EQ(committed("before"), "(nil)");
  EXPECT_EQ(committed("stored"), "(nil)");
  EXPECT_EQ(committed("after"), "2");
}

// What the write in flight tells the next group (node/core/write_inflight.cpp): the keys
// whose record or elements it wrote, and no other; a key of the same name in another db, or
// one that merely shares a prefix, is not one of them; after a rollback every key is.
// A view chained on the group whose write is in flight (Keyspace::chain_after) reads that
// group's records and elements before the caches and the store, which do not hold them yet;
// its own writes come first, a rollback keeps seeing them, and once the group in flight is
// published the view reads the store and the caches again.
TEST_F(KeyspaceGroup, AChainedViewReadsTheGroupInFlightUntilItIsPublished) {
  uint64_t v = 0;
  group([&](core::Keyspace& ks) {
    set(ks, "old", "1");
    set(ks, "gone", "v");
    v = create_hash(ks, 3);
  });
  shared_.key_counts[0] = 3;
  EXPECT_EQ(committed("old"), "1");  // (cached: the cache must not answer for it below)
  EXPECT_EQ(cached_element(v, "f0"), "v0");
  // The group in flight: its records kept back and staged, not written to the store.
  rocksdb::WriteBatchWithIndex first_batch(rocksdb::BytewiseComparator(), 0, true);
  core::ReplStream first_stream;
  std::optional<core::Keyspace> in_flight;
  in_flight.emplace(shared_, 1000, first_batch, first_stream);
  set(*in_flight, "old", "2");
  del(*in_flight, "gone");
  set(*in_flight, "new", "n");
  set(*in_flight, "new2", "n");
  in_flight->sub_put(0, "h", v, "f0", "changed");
  in_flight->sub_delete(0, "h", v, "f1");
  in_flight->sub_put(0, "h", v, "f9", "added");
  in_flight->stage_records(*first_batch.GetWriteBatch());

  rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0, true);
  core::ReplStream stream;
  core::Keyspace next(shared_, 1000, batch, stream);
  next.chain_after(&in_flight);
  EXPECT_EQ(get(next, "old"), "2");
  EXPECT_EQ(get(next, "gone"), "(nil)");
  EXPECT_EQ(get(next, "new"), "n");
  EXPECT_EQ(sub(next, v, "f0"), "changed");
  EXPECT_EQ(sub(next, v, "f1"), "(nil)");
  EXPECT_EQ(sub(next, v, "f2"), "v2");
  EXPECT_EQ(sub(next, v, "f9"), "added");
  EXPECT_EQ(elements(next, v), (std::vector<std::string>{"f0=changed", "f2=v2", "f9=added"}));
  EXPECT_EQ(keys(next), (std::vector<std::string>{"h", "new", "new2", "old"}));
  EXPECT_EQ(next.dbsize(0), 4u);  // 3 committed, one deleted and two created in flight
  // Its own writes come first.
  set(next, "old", "3");
  del(next, "new2");
  next.sub_put(0, "h", v, "f9", "mine");
  EXPECT_EQ(get(next, "old"), "3");
  EXPECT_EQ(sub(next, v, "f9"), "mine");
  EXPECT_EQ(next.dbsize(0), 3u);
  // After a rollback its reads go through its batch's index, which then holds the group in
  // flight's records too.
  auto point = next.save_point();
  set(next, "undone", "1");
  next.sub_put(0, "h", v, "f0", "undone");
  next.rollback(point);
  EXPECT_EQ(get(next, "undone"), "(nil)");
  EXPECT_EQ(get(next, "old"), "3");
  EXPECT_EQ(get(next, "gone"), "(nil)");
  EXPECT_EQ(get(next, "new"), "n");
  EXPECT_EQ(get(next, "new2"), "(nil)");
  EXPECT_EQ(sub(next, v, "f0"), "changed");
  EXPECT_EQ(sub(next, v, "f1"), "(nil)");
  EXPECT_EQ(sub(next, v, "f9"), "mine");
  EXPECT_EQ(elements(next, v), (std::vector<std::string>{"f0=changed", "f2=v2", "f9=mine"}));
  EXPECT_EQ(keys(next), (std::vector<std::string>{"h", "new", "old"}));
  // The group in flight is written and published: the view reads the store and caches.
  ASSERT_TRUE(engine_->write(first_batch.GetWriteBatch()).ok());
  in_flight->publish_to_cache();
  in_flight.reset();
  shared_.key_counts[0] = 4;
  EXPECT_EQ(get(next, "gone"), "(nil)");
  EXPECT_EQ(get(next, "new"), "n");
  EXPECT_EQ(sub(next, v, "f1"), "(nil)");
  EXPECT_EQ(elements(next, v), (std::vector<std::string>{"f0=changed", "f2=v2", "f9=mine"}));
  EXPECT_EQ(next.dbsize(0), 3u);
  next.stage_records(*batch.GetWriteBatch());
  ASSERT_TRUE(engine_->write(batch.GetWriteBatch()).ok());
  next.publish_to_cache();
  EXPECT_EQ(committed("old"), "3");
  EXPECT_EQ(committed("new"), "n");
  EXPECT_EQ(committed("new2"), "(nil)");
  EXPECT_EQ(committed("gone"), "(nil)");
  core::Keyspace reader(shared_, 1000);
  EXPECT_EQ(sub(reader, v, "f0"), "changed");
  EXPECT_EQ(sub(reader, v, "f1"), "(nil)");
  EXPECT_EQ(sub(reader, v, "f9"), "mine");
}

// A chained view whose group in flight is not written yet reads the store for what that group
// did not write, and an element it finds there fills the caches as committed state.
TEST_F(KeyspaceGroup, AChainedViewReadsTheStoreForWhatTheGroupInFlightLeftAlone) {
  uint64_t v = 0;
  group([&](core::Keyspace& ks) {
    set(ks, "a", "1");
    v = create_hash(ks, 2);
  });
  rocksdb::WriteBatchWithIndex first_batch(rocksdb::BytewiseComparator(), 0, true);
  core::ReplStream first_stream;
  std::optional<core::Keyspace> in_flight;
  in_flight.emplace(shared_, 1000, first_batch, first_stream);
  set(*in_flight, "b", "2");
  rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0, true);
  core::ReplStream stream;
  core::Keyspace next(shared_, 1000, batch, stream);
  next.chain_after(&in_flight);
  EXPECT_EQ(get(next, "a"), "1");
  EXPECT_EQ(sub(next, v, "f1"), "v1");
  EXPECT_EQ(get(next, "b"), "2");
  EXPECT_EQ(cached_element(v, "f1"), "v1");
  // Not chained (an empty slot): the group in flight's records are not seen.
  std::optional<core::Keyspace> none;
  core::Keyspace unchained(shared_, 1000, batch, stream);
  unchained.chain_after(&none);
  EXPECT_EQ(get(unchained, "b"), "(nil)");
}

// The element cache (KeyspaceShared::element_cache): an element a group or a reader looked
// up is cached as committed, takes each later committed group's value (or absence), and a
// rollback or a flush empties it; elements nobody looked up are not brought in by writes.
TEST_F(KeyspaceGroup, ElementCacheTakesEachCommittedGroupsElements) {
  group([](core::Keyspace& ks) {
    ks.sub_put(0, "h", 5, "f1", "a");
    ks.sub_put(0, "h", 5, "f2", "b");
  });
  EXPECT_EQ(cached_element(5, "f1"), "(miss)");  // written, never looked up
  group([](core::Keyspace& ks) {
    EXPECT_EQ(sub(ks, 5, "f1"), "a");
    EXPECT_EQ(sub(ks, 5, "nope"), "(nil)");
    ks.sub_put(0, "h", 5, "f1", "a2");
    ks.sub_put(0, "h", 5, "nope", "now");
    EXPECT_EQ(sub(ks, 5, "f1"), "a2");  // its own write, not the cache's committed state
  });
  EXPECT_EQ(cached_element(5, "f1"), "a2");
  EXPECT_EQ(cached_element(5, "nope"), "now");
  core::Keyspace reader(shared_, 1000);
  EXPECT_EQ(sub(reader, 5, "f2"), "b");
  EXPECT_EQ(cached_element(5, "f2"), "b");
  const uint64_t hits = shared_.element_cache.hits();
  group([](core::Keyspace& ks) {
    EXPECT_EQ(sub(ks, 5, "f2"), "b");
    ks.sub_delete(0, "h", 5, "f2");
  });
  EXPECT_EQ(shared_.element_cache.hits(), hits + 1);
  EXPECT_EQ(cached_element(5, "f2"), "(absent)");
  EXPECT_EQ(sub(reader, 5, "f2"), "(nil)");
}

TEST_F(KeyspaceGroup, ElementCacheIsEmptiedByARollbackOrAFlush) {
  group([](core::Keyspace& ks) { ks.sub_put(0, "h", 5, "f", "a"); });
  group([](core::Keyspace& ks) {
    EXPECT_EQ(sub(ks, 5, "f"), "a");
    auto point = ks.save_point();
    ks.sub_put(0, "h", 5, "f", "b");
    ks.rollback(point);
  });
  EXPECT_EQ(shared_.element_cache.entries(), 0u);
  core::Keyspace reader(shared_, 1000);
  EXPECT_EQ(sub(reader, 5, "f"), "a");
  EXPECT_EQ(cached_element(5, "f"), "a");
  group([](core::Keyspace& ks) { ks.flush(0); });
  EXPECT_EQ(shared_.element_cache.entries(), 0u);
  EXPECT_EQ(sub(reader, 5, "f"), "(nil)");
}

// A collection's version dies with it: no later collection gets it (the element cache may
// still hold its elements), however far ahead of the clock it was (a master's, loaded by a
// full sync).
TEST_F(KeyspaceGroup, ADroppedVersionIsNeverHandedOutAgain) {
  const uint64_t ahead = (uint64_t{1} << 62);
  storage::CollectionMeta meta;
  meta.version = ahead;
  meta.size = 1;
  group([&](core::Keyspace& ks) {
    core::Lookup old;
    ks.lookup(0, "h", old);
    ks.put(0, "h", ValueType::Hash, 0, meta.encode(), old);
    ks.sub_put(0, "h", ahead, "f", "old");
  });
  EXPECT_LT(shared_.last_version, ahead);
  group([&](core::Keyspace& ks) {
    EXPECT_EQ(sub(ks, ahead, "f"), "old");
    del(ks, "h");
    EXPECT_GT(ks.new_version(), ahead);
  });
  EXPECT_EQ(cached_element(ahead, "f"), "old");  // unreachable: no collection has that version
}

// A collection a committed group created is complete in the element cache: a later lookup of
// an element it never had is answered absent without the database, and one it has is
// answered from the cache (element_cache.h).
TEST_F(KeyspaceGroup, ACollectionCreatedByAGroupIsCompleteInTheElementCache) {
  uint64_t version = 0;
  group([&](core::Keyspace& ks) { version = create_hash(ks, 3); });
  EXPECT_EQ(shared_.element_cache.complete_collections(), 1u);
  EXPECT_EQ(cached_element(version, "f1"), "v1");  // stored though never looked up
  const uint64_t complete_hits = shared_.element_cache.complete_hits();
  group([&](core::Keyspace& ks) {
    EXPECT_EQ(sub(ks, version, "new"), "(nil)");
    EXPECT_EQ(sub(ks, version, "f2"), "v2");
    ks.sub_put(0, "h", version, "new", "n");
  });
  EXPECT_EQ(shared_.element_cache.complete_hits(), complete_hits + 1);
  EXPECT_EQ(cached_element(version, "new"), "n");
  core::Keyspace reader(shared_, 1000);
  EXPECT_EQ(sub(reader, version, "new"), "n");
  // Deleted: the version is no longer complete (nor ever read again).
  group([](core::Keyspace& ks) { del(ks, "h"); });
  EXPECT_EQ(shared_.element_cache.complete_collections(), 0u);
}

// Parts written or deleted as walked only (a sorted set's score-index entries) never enter
// the element cache, even in a complete collection (whose misses read as absent: nothing
// reads these parts by part); they are still written and walked.
TEST_F(KeyspaceGroup, PartsWalkedOnlyStayOutOfTheElementCache) {
  using Reads = storage::types::KeyAccess::PartReads;
  uint64_t version = 0;
  group([&](core::Keyspace& ks) {
    version = create_hash(ks, 1);
    ks.sub_put(0, "h", version, "i1", "", Reads::WalkedOnly);
    ks.sub_put(0, "h", version, "i2", "", Reads::WalkedOnly);
  });
  EXPECT_EQ(shared_.element_cache.complete_collections(), 1u);
  EXPECT_EQ(cached_element(version, "f0"), "v0");
  EXPECT_EQ(shared_.element_cache.entries(), 1u);  // f0 alone
  group([&](core::Keyspace& ks) {
    ks.sub_delete(0, "h", version, "i1", Reads::WalkedOnly);
    ks.sub_put(0, "h", version, "i3", "", Reads::WalkedOnly);
    ks.sub_put(0, "h", version, "f1", "v1");
  });
  EXPECT_EQ(shared_.element_cache.entries(), 2u);  // f0 and f1 (not even i1's absence)
  EXPECT_EQ(cached_element(version, "f1"), "v1");
  core::Keyspace reader(shared_, 1000);
  EXPECT_EQ(elements(reader, version), (std::vector<std::string>{"f0=v0", "f1=v1", "i2=", "i3="}));
}

// The element cache holds only part of a large new collection: not complete, so the fields it
// evicted are read from the database (a stale "absent" would lose them).
TEST_F(KeyspaceGroup, ANewCollectionLargerThanTheElementCacheIsNotComplete) {
  shared_.element_cache.set_budget(4096);
  uint64_t version = 0;
  group([&](core::Keyspace& ks) { version = create_hash(ks, 100); });
  EXPECT_EQ(shared_.element_cache.complete_collections(), 0u);
  group([&](core::Keyspace& ks) {
    for (int i = 0; i < 100; ++i)
      EXPECT_EQ(sub(ks, version, "f" + std::to_string(i)), "v" + std::to_string(i));
  });
}

// Only a version this view handed out makes a new collection complete: a record naming any
// other version (loaded, restored, a master's) may have elements stored already.
TEST_F(KeyspaceGroup, AVersionNotHandedOutByTheGroupIsNotComplete) {
  const uint64_t foreign = 12345;
  group([&](core::Keyspace& ks) { ks.sub_put(0, "h", foreign, "f", "stored"); });
  storage::CollectionMeta meta;
  meta.version = foreign;
  meta.size = 1;
  group([&](core::Keyspace& ks) {
    (void)ks.new_version();  // handed out, but not the one put names
    core::Lookup old;
    ks.lookup(0, "h", old);
    ks.put(0, "h", ValueType::Hash, 0, meta.encode(), old);
  });
  EXPECT_EQ(shared_.element_cache.complete_collections(), 0u);
  group([&](core::Keyspace& ks) { EXPECT_EQ(sub(ks, foreign, "f"), "stored"); });
}

// Created and deleted (or replaced) within one group, a collection leaves nothing complete
// behind; a rollback empties the cache, complete versions included.
TEST_F(KeyspaceGroup, CompletenessEndsWithTheGroupsDeletionsAndRollbacks) {
  group([&](core::Keyspace& ks) {
    create_hash(ks, 2);
    del(ks, "h");
  });
  EXPECT_EQ(shared_.element_cache.complete_collections(), 0u);
  group([&](core::Keyspace& ks) {
    create_hash(ks, 2);
    create_hash(ks, 1);  // replaces the first
  });
  EXPECT_EQ(shared_.element_cache.complete_collections(), 1u);
  group([&](core::Keyspace& ks) {
    auto point = ks.save_point();
    set(ks, "k", "v");
    ks.rollback(point);
  });
  EXPECT_EQ(shared_.element_cache.complete_collections(), 0u);
}

}  // namespace
