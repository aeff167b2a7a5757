// tests/unit/record_table_test.cpp — the record cache's flat table on its own: lookups
// through colliding hashes (the same hash for different keys, and one home slot for many),
// growth keeping every entry, values growing and shrinking (entries that move keep their
// place in the insertion order), removal from the oldest end with backward-shift deletion
// (every key still found after each removal), clear, and a randomized run against
// std::unordered_map as the reference.
#include "node/core/record_table.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using basalt::core::RecordTable;

std::string key_of(int i) {
  return "key:" + std::to_string(i);
}

TEST(RecordTable, FindsWhatItHoldsAndNothingElse) {
  RecordTable t;
  EXPECT_EQ(t.find("a", RecordTable::hash("a")), nullptr);  // empty, never allocated
  EXPECT_EQ(t.oldest(), nullptr);
  auto [a, inserted] = t.try_emplace("a", RecordTable::hash("a"), "one", true);
  ASSERT_TRUE(inserted);
  EXPECT_EQ(a->key(), "a");
  EXPECT_EQ(a->raw(), "one");
  EXPECT_TRUE(a->present);
  EXPECT_FALSE(a->dropped);
  auto [again, inserted_again] = t.try_emplace("a", RecordTable::hash("a"), "other", false);
  EXPECT_FALSE(inserted_again);
  EXPECT_EQ(again, a);
  EXPECT_EQ(again->raw(), "one");                       // left as it was
  t.try_emplace("", RecordTable::hash(""), "", false);  // an empty key is a key
  EXPECT_EQ(t.size(), 2u);
  EXPECT_NE(t.find("", RecordTable::hash("")), nullptr);
  EXPECT_EQ(t.find("b", RecordTable::hash("b")), nullptr);
  // The hash is the caller's: a right key with a wrong hash is not found.
  EXPECT_EQ(t.find("a", RecordTable::hash("a") ^ 1), nullptr);
}

TEST(RecordTable, EqualHashesAreToldApartByTheKey) {
  // Every key with one hash: one probe run, told apart by comparing keys.
  RecordTable t;
  const uint64_t h = 0x1234567890abcdefull;
  for (int i = 0; i < 200; ++i) t.try_emplace(key_of(i), h, "v" + std::to_string(i), true);
  EXPECT_EQ(t.size(), 200u);
  for (int i = 0; i < 200; ++i) {
    auto* e = t.find(key_of(i), h);
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->raw(), "v" + std::to_string(i));
  }
  EXPECT_EQ(t.find("key:200", h), nullptr);
  // Removing from the oldest end leaves the others findable (the run is shifted back).
  for (int i = 0; i < 150; ++i) {
    t.pop_oldest();
    EXPECT_EQ(t.find(key_of(i), h), nullptr);
    ASSERT_NE(t.find(key_of(i + 1), h), nullptr) << i;
    ASSERT_NE(t.find(key_of(199), h), nullptr) << i;
  }
  EXPECT_EQ(t.size(), 50u);
}

TEST(RecordTable, CollidingHomeSlotsAndWrapAroundSurviveRemoval) {
  // Hashes whose top bits (the home slot) are equal, or point at the last slots (the runs
  // wrap around to slot 0), mixed with hashes elsewhere; removal in insertion order must
  // keep every remaining key reachable.
  RecordTable t;
  std::vector<uint64_t> hashes;
  for (int i = 0; i < 300; ++i) {
    uint64_t h;
    if (i % 3 == 0)
      h = (0xffffull << 48) | static_cast<uint64_t>(i);  // the table's last slots
    else if (i % 3 == 1)
      h = (0x8000ull << 48) | static_cast<uint64_t>(i);  // one home slot in the middle
    else
      h = RecordTable::hash(key_of(i));
    hashes.push_back(h);
    t.try_emplace(key_of(i), h, "x", true);
  }
  for (int i = 0; i < 300; ++i) {
    for (int j = i; j < 300; j += 7) ASSERT_NE(t.find(key_of(j), hashes[j]), nullptr) << i << j;
    ASSERT_EQ(t.oldest()->key(), key_of(i));
    t.pop_oldest();
    EXPECT_EQ(t.find(key_of(i), hashes[i]), nullptr);
  }
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.oldest(), nullptr);
}

TEST(RecordTable, GrowsKeepingEntriesAndOrderAndShortProbes) {
  RecordTable t;
  const int n = 100000;
  for (int i = 0; i < n; ++i)
    t.try_emplace(key_of(i), RecordTable::hash(key_of(i)), key_of(i), true);
  EXPECT_EQ(t.size(), static_cast<size_t>(n));
  EXPECT_GE(t.capacity() * 3, t.size() * 4);  // at most three quarters full
  for (int i = 0; i < n; ++i) {
    auto* e = t.find(key_of(i), RecordTable::hash(key_of(i)));
    ASSERT_NE(e, nullptr) << i;
    ASSERT_EQ(e->raw(), key_of(i));
  }
  // redis-benchmark's keys (key:000000012345 in db 0) spread over the slots: misses end
  // after a few probes on average.
  size_t probes = 0;
  const int misses = 10000;
  for (int i = n; i < n + misses; ++i) probes += t.probe_length(RecordTable::hash(key_of(i)));
  EXPECT_LT(static_cast<double>(probes) / misses, 6.0);
  EXPECT_EQ(t.oldest()->key(), key_of(0));  // insertion order survived the growth
  t.pop_oldest();
  EXPECT_EQ(t.oldest()->key(), key_of(1));
}

TEST(RecordTable, ValuesGrowAndShrinkInPlaceOrMovedKeepingTheirPlace) {
  RecordTable t;
  for (int i = 0; i < 3; ++i) t.try_emplace(key_of(i), RecordTable::hash(key_of(i)), "s", true);
  auto* e = t.find(key_of(1), RecordTable::hash(key_of(1)));
  std::string big(5000, 'b');
  e = t.assign(e, big);  // too large for its allocation: moved
  EXPECT_EQ(e->raw(), big);
  EXPECT_EQ(t.find(key_of(1), RecordTable::hash(key_of(1))), e);
  e = t.assign(e, "tiny");  // fits: stays
  EXPECT_EQ(t.find(key_of(1), RecordTable::hash(key_of(1))), e);
  EXPECT_EQ(e->raw(), "tiny");
  e = t.assign(e, "");
  EXPECT_EQ(e->raw(), "");
  e = t.assign(e, big);
  e->dropped = true;
  e = t.release_raw(e);  // frees the value's bytes: moved again, flags kept
  EXPECT_TRUE(e->dropped);
  EXPECT_EQ(e->raw(), "");
  EXPECT_EQ(e->key(), key_of(1));
  EXPECT_EQ(t.find(key_of(1), RecordTable::hash(key_of(1))), e);
  // Its place in the insertion order is the one it was inserted at.
  std::vector<std::string> order;
  while (t.oldest()) {
    order.emplace_back(t.oldest()->key());
    t.pop_oldest();
  }
  EXPECT_EQ(order, (std::vector<std::string>{key_of(0), key_of(1), key_of(2)}));
}

TEST(RecordTable, ClearEmptiesAndTheTableIsUsableAfter) {
  RecordTable t;
  for (int i = 0; i < 1000; ++i) t.try_emplace(key_of(i), RecordTable::hash(key_of(i)), "v", true);
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.capacity(), 0u);
  EXPECT_EQ(t.oldest(), nullptr);
  EXPECT_EQ(t.find(key_of(5), RecordTable::hash(key_of(5))), nullptr);
  t.try_emplace(key_of(5), RecordTable::hash(key_of(5)), "w", true);
  ASSERT_NE(t.find(key_of(5), RecordTable::hash(key_of(5))), nullptr);
  EXPECT_EQ(t.oldest()->key(), key_of(5));
}

TEST(RecordTable, RandomOperationsMatchAReferenceMap) {
  // Inserts, value changes and removals of the oldest, checked against std::unordered_map
  // and a std::deque of the insertion order. Hashes are cut to 10 bits now and then, so
  // runs of equal home slots and equal hashes occur all the time.
  std::mt19937_64 rng(42);
  RecordTable t;
  std::unordered_map<std::string, std::string> ref;
  std::deque<std::string> order;
  auto h = [](const std::string& k) {
    uint64_t full = RecordTable::hash(k);
    return k.size() % 2 ? full : full & (0x3ffull << 54);  // only 10 top bits for half
  };
  for (int step = 0; step < 200000; ++step) {
    std::string key = key_of(static_cast<int>(rng() % 3000));
    switch (rng() % 4) {
      case 0:
      case 1: {
        std::string value(rng() % 100, static_cast<char>('a' + rng() % 26));
        auto [e, inserted] = t.try_emplace(key, h(key), value, true);
        ASSERT_EQ(inserted, !ref.count(key)) << step;
        if (inserted) {
          ref[key] = value;
          order.push_back(key);
        } else {
          t.assign(e, value);
          ref[key] = value;
        }
        break;
      }
      case 2:
        if (!order.empty() && rng() % 2) {
          ASSERT_EQ(t.oldest()->key(), order.front());
          ref.erase(order.front());
          order.pop_front();
          t.pop_oldest();
        }
        break;
      default: {
        auto* e = t.find(key, h(key));
        auto it = ref.find(key);
        ASSERT_EQ(e != nullptr, it != ref.end()) << step;
        if (e) {
          ASSERT_EQ(e->raw(), it->second) << step;
        }
      }
    }
  }
  EXPECT_EQ(t.size(), ref.size());
  for (const auto& [k, v] : ref) {
    auto* e = t.find(k, h(k));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->raw(), v);
  }
}

}  // namespace
