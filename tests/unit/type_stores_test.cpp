// tests/unit/type_stores_test.cpp — the type stores of storage/types driven through an
// in-memory KeyAccess (memory_keys.h), without a node: the type check and its statuses, hash
// and set element operations with their counts, saving (an emptied collection is removed, a
// saved one keeps its TTL), the set algebra, list pushes / middle edits / trims against a
// std::deque model (pops of one and of many from either end, with the element bytes), and
// sorted set scores, ranges, ranks and pops (pops against a model across adds, score changes
// and removals, which the pop bounds kept in the metadata must follow).
#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/collection.h"
#include "storage/dataset_size.h"
#include "storage/types/hash.h"
#include "storage/types/list.h"
#include "storage/types/set.h"
#include "storage/types/zset.h"
#include "storage/types/zset_ranges.h"
#include "tests/unit/memory_keys.h"

namespace {

using namespace basalt;
using namespace basalt::storage::types;
using storage::ValueType;
using unit::MemoryKeys;

TEST(TypeStores, OpenChecksTheTypeAndCountsReads) {
  MemoryKeys keys;
  keys.put(0, "str", ValueType::String, 0, "v", Lookup{});
  keys.put(0, "bad", ValueType::Hash, 0, "short", Lookup{});
  Collection missing(keys, 0, "nope"), str(keys, 0, "str"), bad(keys, 0, "bad");
  EXPECT_EQ(hash::open(missing, Access::Read), Status::Ok);
  EXPECT_FALSE(missing.exists());
  EXPECT_FALSE(missing.has_version());
  EXPECT_EQ(set::open(str, Access::Write), Status::WrongType);
  EXPECT_EQ(hash::open(bad, Access::Read), Status::Corrupt);
  EXPECT_EQ(keys.reads, 2u);
  EXPECT_EQ(keys.writes, 1u);
}

TEST(TypeStores, HashFieldsAreCountedAndAnEmptiedHashIsRemoved) {
  MemoryKeys keys;
  Collection h(keys, 3, "h");
  ASSERT_EQ(hash::open(h, Access::Write), Status::Ok);
  h.ensure_version();
  EXPECT_TRUE(hash::set(h, "f", "1"));
  EXPECT_TRUE(hash::set(h, "g", "2"));
  EXPECT_FALSE(hash::set(h, "f", "3"));
  hash::save(h);
  Collection again(keys, 3, "h");
  ASSERT_EQ(hash::open(again, Access::Read), Status::Ok);
  EXPECT_EQ(again.meta.size, 2u);
  std::string v;
  ASSERT_TRUE(hash::get(again, "f", v));
  EXPECT_EQ(v, "3");
  EXPECT_EQ(keys.elements_of(3, "h", again.meta.version),
            (std::map<std::string, std::string>{{"f", "3"}, {"g", "2"}}));
  EXPECT_TRUE(hash::del(again, "f"));
  EXPECT_FALSE(hash::del(again, "f"));
  EXPECT_TRUE(hash::del(again, "g"));
  hash::save(again);
  EXPECT_TRUE(keys.records.empty());
  EXPECT_TRUE(keys.elements.empty());
}

TEST(TypeStores, SavingKeepsTheTtl) {
  MemoryKeys keys;
  storage::CollectionMeta meta;
  meta.version = keys.new_version();
  keys.put(0, "s", ValueType::Set, 12345, meta.encode(), Lookup{});
  Collection s(keys, 0, "s");
  ASSERT_EQ(set::open(s, Access::Write), Status::Ok);
  EXPECT_TRUE(set::add(s, "m"));
  set::save(s);
  Lookup l;
  keys.open_key(0, "s", Access::Read, l);
  ASSERT_TRUE(l.live);
  EXPECT_EQ(l.record.expire_at_ms, 12345u);
}

std::vector<std::string> members(MemoryKeys& keys, std::string_view key) {
  Collection s(keys, 0, key);
  EXPECT_EQ(set::open(s, Access::Read), Status::Ok);
  std::vector<std::string> out;
  s.for_each([&](std::string_view m, std::string_view) {
    out.emplace_back(m);
    return true;
  });
  return out;
}

TEST(TypeStores, SetAlgebraAndReplace) {
  MemoryKeys keys;
  for (const auto& [key, ms] : std::map<std::string, std::vector<std::string>>{
           {"a", {"1", "2", "3", "4"}}, {"b", {"2", "4", "6"}}, {"c", {"4", "5"}}}) {
    Collection s(keys, 0, key);
    ASSERT_EQ(set::open(s, Access::Write), Status::Ok);
    s.ensure_version();
    for (const auto& m : ms) set::add(s, m);
    set::save(s);
  }
  Collection a(keys, 0, "a"), b(keys, 0, "b"), c(keys, 0, "c"), none(keys, 0, "none");
  for (auto* s : {&a, &b, &c, &none}) ASSERT_EQ(set::open(*s, Access::Read), Status::Ok);
  EXPECT_EQ(set::intersect({&a, &b, &c}), (std::vector<std::string>{"4"}));
  EXPECT_TRUE(set::intersect({&a, &none}).empty());
  EXPECT_EQ(set::intersect({&a, &b}, 1).size(), 1u);
  EXPECT_EQ(set::unite({&b, &c, &none}), (std::vector<std::string>{"2", "4", "5", "6"}));
  EXPECT_EQ(set::subtract({&a, &b, &none}), (std::vector<std::string>{"1", "3"}));
  EXPECT_TRUE(set::subtract({&a, &a}).empty());

  ASSERT_TRUE(set::replace(keys, 0, "a", {"x", "y"}));
  EXPECT_EQ(members(keys, "a"), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(keys.elements_of(0, "a", a.meta.version).empty());  // the old version is gone
  EXPECT_TRUE(set::replace(keys, 0, "a", {}));
  EXPECT_FALSE(set::replace(keys, 0, "a", {}));
  EXPECT_TRUE(members(keys, "a").empty());
}

TEST(TypeStores, RandomPicksAreDistinctWhenUniqueAndBoundedWithRepeats) {
  MemoryKeys keys;
  Collection s(keys, 0, "s");
  ASSERT_EQ(set::open(s, Access::Write), Status::Ok);
  s.ensure_version();
  for (int i = 0; i < 50; ++i) set::add(s, "m" + std::to_string(i));
  for (uint64_t count : {1u, 7u, 49u, 50u, 80u}) {
    auto picked = s.random(count, true);
    std::set<std::string> distinct;
    for (const auto& e : picked) distinct.insert(e.first);
    EXPECT_EQ(picked.size(), std::min<uint64_t>(count, 50)) << count;
    EXPECT_EQ(distinct.size(), picked.size()) << count;
  }
  EXPECT_EQ(s.random(3, false).size(), 3u);
  EXPECT_EQ(s.random(200, false).size(), 200u);
}

// The list's elements in order, read through the store.
std::deque<std::string> contents(const list::List& l) {
  std::deque<std::string> out;
  list::read(l, 0, l.size(), true, [&](uint64_t, std::string_view e) {
    out.emplace_back(e);
    return true;
  });
  return out;
}

TEST(TypeStores, ListEditsAgreeWithADequeModel) {
  MemoryKeys keys;
  std::mt19937 rng(42);
  std::deque<std::string> model;
  list::List l(keys, 0, "l");
  ASSERT_EQ(list::open(l, Access::Write), Status::Ok);
  for (int step = 0; step < 400; ++step) {
    std::string v = "v" + std::to_string(step);
    switch (rng() % 6) {
      case 0:
        list::push(l, list::End::Head, v);
        model.push_front(v);
        break;
      case 1:
      case 2:
        list::push(l, list::End::Tail, v);
        model.push_back(v);
        break;
      case 3: {
        uint64_t at = model.empty() ? 0 : rng() % (model.size() + 1);
        list::insert(l, at, v);
        model.insert(model.begin() + static_cast<long>(at), v);
        break;
      }
      case 4: {
        if (model.size() < 3) break;
        std::vector<uint64_t> positions{0, model.size() / 2, model.size() - 1};
        list::remove(l, positions);
        for (auto it = positions.rbegin(); it != positions.rend(); ++it)
          model.erase(model.begin() + static_cast<long>(*it));
        break;
      }
      default: {
        if (model.size() < 2) break;
        std::vector<std::string> popped;
        list::pop(l, list::End::Tail, 2, [&](std::string_view e) { popped.emplace_back(e); });
        EXPECT_EQ(popped,
                  (std::vector<std::string>{model[model.size() - 1], model[model.size() - 2]}));
        model.pop_back();
        model.pop_back();
        break;
      }
    }
    ASSERT_EQ(l.size(), model.size()) << step;
  }
  EXPECT_EQ(contents(l), model);
  for (int i = 0; i < 100; ++i) {
    list::push(l, list::End::Tail, "t" + std::to_string(i));
    model.push_back("t" + std::to_string(i));
  }
  list::save(l);
  ASSERT_EQ(list::open(l, Access::Write), Status::Ok);  // the lookup is stale after a save
  EXPECT_EQ(list::get(l, 3), model[3]);
  // A trim keeping little rebuilds under a new version; the old elements go with save().
  uint64_t old_version = l.meta.version;
  list::trim(l, list::Span{2, 3});
  list::save(l);
  EXPECT_EQ(contents(l), (std::deque<std::string>{model[2], model[3], model[4]}));
  EXPECT_NE(l.meta.version, old_version);
  EXPECT_TRUE(keys.elements_of(0, "l", old_version).empty());
  EXPECT_EQ(keys.elements_of(0, "l", l.meta.version).size(), 1u);  // one chunk
}

// A pop never steps an iterator past the list's ends: there lie the tombstones of earlier
// pops, so on RocksDB one such step costs one per element popped before (a queue fed at one
// end and drained at the other slowed to 146 pops/s at 100k elements).
TEST(TypeStores, ListPopsStepOnlyOverThePoppedElements) {
  MemoryKeys keys;
  keys.keep_tombstones = true;
  list::List l(keys, 0, "q");
  ASSERT_EQ(list::open(l, Access::Write), Status::Ok);
  for (int i = 0; i < 200; ++i) list::push(l, list::End::Tail, "e" + std::to_string(i));
  std::vector<std::string> popped;
  auto keep = [&](std::string_view e) { popped.emplace_back(e); };
  for (int i = 0; i < 50; ++i) list::pop(l, list::End::Tail, 1, keep);
  for (int i = 0; i < 50; ++i) list::pop(l, list::End::Head, 1, keep);
  EXPECT_EQ(keys.iterator_steps, 0u);
  list::pop(l, list::End::Head, 10, keep);  // ten elements: nine steps to read, nine to size
  list::pop(l, list::End::Tail, 10, keep);
  EXPECT_LE(keys.iterator_steps, 4u * 9u);
  ASSERT_EQ(popped.size(), 120u);
  EXPECT_EQ(popped[0], "e199");
  EXPECT_EQ(popped[50], "e0");
  EXPECT_EQ(popped[100], "e50");
  EXPECT_EQ(popped[119], "e140");
  EXPECT_EQ(l.size(), 80u);
}

// Pops from either end of a sorted set start at the bound the last pop left (its metadata's
// floor/ceiling), not at the tombstones of every pop before: ZPOPMIN on 50k members of one
// score ran at 120/s. Entries written past a bound are still found.
TEST(TypeStores, SortedSetPopsStartPastTheTombstonesOfEarlierPops) {
  MemoryKeys keys;
  keys.keep_tombstones = true;
  zset::ZSet z(keys, 0, "z");
  ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
  z.ensure_version();
  char name[16];  // room for any int (-Wformat-truncation at -Og)
  for (int i = 0; i < 300; ++i) {
    std::snprintf(name, sizeof name, "m%03d", i);
    zset::insert_member(z, name, 0);
  }
  zset::save(z);
  std::vector<std::string> popped;
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
    for (const auto& e : zset::pop(z, 1, i % 2 == 1)) popped.push_back(e.first);
  }
  EXPECT_LE(keys.iterator_steps, 100u * 2u);  // without the bounds: 2,500 tombstones crossed
  ASSERT_EQ(popped.size(), 100u);
  EXPECT_EQ(popped[0], "m000");
  EXPECT_EQ(popped[1], "m299");
  EXPECT_EQ(popped[98], "m049");
  EXPECT_EQ(popped[99], "m250");
  // Survives the record (save and reopen), and entries beyond either bound are found.
  ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
  EXPECT_FALSE(z.meta.floor.empty());
  EXPECT_FALSE(z.meta.ceiling.empty());
  zset::insert_member(z, "a-low", 0);   // below the floor (same score, smaller member)
  zset::insert_member(z, "z-high", 0);  // above the ceiling
  double score = 0;
  ASSERT_TRUE(zset::score_of(z, "m100", score));
  zset::change_score(z, "m100", 0, -5);  // moved below everything
  zset::save(z);
  ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
  EXPECT_EQ(zset::pop(z, 2, false), (std::vector<zset::Entry>{{"m100", -5}, {"a-low", 0}}));
  ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
  EXPECT_EQ(zset::pop(z, 1, true), (std::vector<zset::Entry>{{"z-high", 0}}));
  ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
  EXPECT_EQ(z.size(), 199u);
  zset::IndexCursor walk(z, false);
  uint64_t walked = 0;
  for (walk.to_first(); walk.valid(); walk.next()) ++walked;
  EXPECT_EQ(walked, 199u);
}

// The index entries pops remove stay behind the floor / ceiling, where no walk goes (the
// cursor's iterator is bounded by them): they do not count as dead, so draining a set by pops
// does not copy it to a fresh version every few thousand pops (a 31k-member copy stalled
// ZPOPMIN at -P 16 for tens of ms, and the copies doubled the writes of a drain). A walk
// that runs off the popped end stops at the bound, and an entry written past a bound puts
// the tombstones behind it in the way again: then they count, and the set is copied.
TEST(TypeStores, SortedSetPopTombstonesStayBehindTheBoundsUncounted) {
  MemoryKeys keys;
  keys.keep_tombstones = true;
  zset::ZSet z(keys, 0, "z");
  ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
  z.ensure_version();
  char name[16];
  for (int i = 0; i < 10000; ++i) {
    std::snprintf(name, sizeof name, "m%05d", i);
    zset::insert_member(z, name, i < 5000 ? 0 : 1);
  }
  zset::save(z);
  const uint64_t version = z.version();
  for (int i = 0; i < 3000; ++i) {
    ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
    ASSERT_EQ(zset::pop(z, 1, false).size(), 1u);
    ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
    ASSERT_EQ(zset::pop(z, 1, true).size(), 1u);
  }
  ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
  EXPECT_EQ(z.size(), 4000u);
  EXPECT_EQ(z.version(), version);  // counting both tombstones of each pop: copied at 5,000
  EXPECT_EQ(z.meta.dead, 6000u);
  EXPECT_EQ(z.behind_floor(), 3000u);
  EXPECT_EQ(z.behind_ceiling(), 3000u);
  // Walks off either end, and a score range reaching past the popped ends, stop at the
  // bounds: without them each would cross 3,000 tombstones.
  for (bool reverse : {false, true}) {
    keys.iterator_steps = 0;
    zset::IndexCursor walk(z, reverse);
    uint64_t walked = 0;
    for (walk.to_first(); walk.valid(); walk.next()) ++walked;
    EXPECT_EQ(walked, 4000u);
    EXPECT_LE(keys.iterator_steps, 4000u + 2u) << reverse;
  }
  keys.iterator_steps = 0;
  zset::ScoreRange all;
  ASSERT_TRUE(zset::parse_score_range("-inf", "+inf", all));
  EXPECT_EQ(zset::by_score(z, all, true, 0, -1).size(), 4000u);
  EXPECT_EQ(zset::count_in_score_range(z, all), 4000u);
  EXPECT_LE(keys.iterator_steps, 2u * (4000u + 2u));
  // An entry below the floor: the 3,000 index tombstones above it are in the way now.
  zset::insert_member(z, "low", -1);
  EXPECT_EQ(z.meta.dead, 9000u);
  EXPECT_EQ(z.behind_floor(), 0u);
  zset::save(z);  // no walk has crossed them yet: not copied
  ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
  EXPECT_EQ(z.version(), version);
  // The walks above crossed none (dead 6,000 = the member tombstones of the 6,000 pops
  // behind the bounds): nothing charged. Each walk now charges 6,000 (4,001 entries visited
  // x (9,000 dead - 3,000 behind the ceiling) / 4,001 live): copied to a fresh version at the
  // save after the sixth (kRebuildDebtPerLive x 4,001 = 32,008).
  for (int walk = 0; walk < 6; ++walk) {
    EXPECT_EQ(zset::by_rank(z, 0, -1, false).size(), 4001u);
    zset::save(z);
    ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
    EXPECT_EQ(z.version() != version, walk == 5) << walk;
  }
  EXPECT_EQ(z.meta.dead, 0u);
  EXPECT_EQ(z.behind_ceiling(), 0u);
  keys.iterator_steps = 0;
  EXPECT_EQ(zset::by_rank(z, 0, -1, false).size(), 4001u);
  EXPECT_LE(keys.iterator_steps, 4001u + 1u);
}

TEST(TypeStores, CollectionMetaBoundsRoundTripAndOldReadersSkipThem) {
  storage::CollectionMeta m;
  m.version = 7;
  m.size = 3;
  m.bytes = 99;
  EXPECT_EQ(m.encode().size(), 40u);  // no bounds: the layout every other record has
  m.floor = std::string("s\x01\x02low", 6);
  m.ceiling = "shigh";
  std::string raw = m.encode();
  storage::CollectionMeta back;
  ASSERT_TRUE(storage::CollectionMeta::decode(raw, back));
  EXPECT_EQ(back.floor, m.floor);
  EXPECT_EQ(back.ceiling, m.ceiling);
  EXPECT_EQ(back.version, 7u);
  EXPECT_EQ(back.bytes, 99u);
  EXPECT_FALSE(storage::CollectionMeta::decode(raw.substr(0, raw.size() - 1), back));
  ASSERT_TRUE(storage::CollectionMeta::decode(raw.substr(0, 40), back));
  EXPECT_TRUE(back.floor.empty() && back.ceiling.empty());
}

// A few random picks from a large set take one seek each, not a walk to a random position
// (SPOP on 60k members ran at a few per second, SRANDMEMBER cost O(size)).
TEST(TypeStores, RandomPicksFromLargeSetsSeekInsteadOfWalking) {
  MemoryKeys keys;
  keys.keep_tombstones = true;
  Collection s(keys, 0, "s");
  ASSERT_EQ(set::open(s, Access::Write), Status::Ok);
  s.ensure_version();
  std::set<std::string> members;
  for (int i = 0; i < 9000; ++i) {
    std::string m = "member:" + std::to_string(i * 7919 % 100000);
    if (members.insert(m).second) set::add(s, m);
  }
  set::save(s);
  // Picks that remove nothing: a seek each (the walk averages 4,500 steps a pick).
  ASSERT_EQ(set::open(s, Access::Read), Status::Ok);
  std::set<std::string> distinct;
  for (int round = 0; round < 100; ++round) {
    for (const auto& e : s.random(10, true)) {
      EXPECT_TRUE(members.count(e.first)) << e.first;
      distinct.insert(e.first);
    }
    for (const auto& e : s.random(5, false)) EXPECT_TRUE(members.count(e.first)) << e.first;
  }
  EXPECT_LT(keys.iterator_steps, 1500u * 4u);
  EXPECT_GT(distinct.size(), 800u);  // uniform picks would reach about 946 of the 9,000
  // Drained one pop at a time: every member exactly once. The picks cross the tombstones of
  // earlier pops, and save() rebuilds the set once the picks have crossed kRebuildDebtPerLive
  // times as many tombstones as it has members (walk_debt.h), so this stays far below the
  // walk's 9,000 x 4,500 / 2 steps.
  keys.iterator_steps = 0;
  std::set<std::string> popped;
  uint64_t rebuilds = 0, version = s.meta.version;
  while (true) {
    ASSERT_EQ(set::open(s, Access::Write), Status::Ok);
    if (!s.exists()) break;
    if (s.meta.version != version) ++rebuilds;
    version = s.meta.version;
    auto one = s.random(1, true);
    ASSERT_EQ(one.size(), 1u);
    ASSERT_TRUE(members.count(one[0].first)) << one[0].first;
    ASSERT_TRUE(popped.insert(one[0].first).second) << "picked twice: " << one[0].first;
    set::remove(s, one[0].first);
    set::save(s);
  }
  EXPECT_EQ(popped, members);
  EXPECT_GE(rebuilds, 1u);
  EXPECT_LT(keys.iterator_steps, 9000u * 200u);
}

TEST(TypeStores, ListPopsAgreeWithADequeModelAndKeepTheBytes) {
  MemoryKeys keys;
  std::mt19937 rng(7);
  std::deque<std::string> model;
  auto model_bytes = [&] {
    uint64_t bytes = 0;
    for (const auto& e : model) bytes += storage::element_bytes(0, e.size());
    return bytes;
  };
  list::List l(keys, 0, "l");
  ASSERT_EQ(list::open(l, Access::Write), Status::Ok);
  for (int step = 0; step < 2000; ++step) {
    auto end = rng() % 2 ? list::End::Head : list::End::Tail;
    if (rng() % 5 < 3) {
      std::string v(1 + rng() % 20, static_cast<char>('a' + step % 26));
      list::push(l, end, v);
      if (end == list::End::Head)
        model.push_front(v);
      else
        model.push_back(v);
    } else {
      uint64_t n = rng() % 4 == 0 ? 1 + rng() % 200 : 1;  // mostly single pops
      std::vector<std::string> popped, expected;
      for (uint64_t i = 0; i < n && !model.empty(); ++i) {
        if (end == list::End::Head) {
          expected.push_back(model.front());
          model.pop_front();
        } else {
          expected.push_back(model.back());
          model.pop_back();
        }
      }
      list::pop(l, end, n, [&](std::string_view e) { popped.emplace_back(e); });
      ASSERT_EQ(popped, expected) << step;
    }
    ASSERT_EQ(l.size(), model.size()) << step;
    ASSERT_EQ(l.meta.bytes, model_bytes()) << step;
    list::save(l);
    ASSERT_EQ(list::open(l, Access::Write), Status::Ok);
    ASSERT_EQ(l.exists(), !model.empty()) << step;
  }
  EXPECT_EQ(contents(l), model);
  // Nothing is left of popped elements: the stored ones are exactly the list.
  EXPECT_EQ(keys.elements_of(0, "l", l.meta.version).size(), model.size());
}

TEST(TypeStores, SortedSetPopsFollowAddsScoreChangesAndRemovals) {
  MemoryKeys keys;
  std::mt19937 rng(11);
  std::map<std::string, double> scores;               // the model: member -> score
  std::set<std::pair<double, std::string>> by_score;  // and its order
  using Entries = std::vector<zset::Entry>;
  auto pop_model = [&](uint64_t n, bool max) {
    Entries out;
    while (out.size() < n && !by_score.empty()) {
      auto it = max ? std::prev(by_score.end()) : by_score.begin();
      out.emplace_back(it->second, it->first);
      scores.erase(it->second);
      by_score.erase(it);
    }
    return out;
  };
  for (int step = 0; step < 3000; ++step) {
    zset::ZSet z(keys, 0, "z");
    ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
    ASSERT_EQ(z.size(), scores.size()) << step;
    std::string member = "m" + std::to_string(rng() % 300);
    double score = static_cast<double>(static_cast<int>(rng() % 101) - 50) / 4;
    switch (rng() % 6) {
      case 0:
      case 1: {  // ZADD: a new member or a score change
        z.ensure_version();
        if (auto it = scores.find(member); it != scores.end()) {
          zset::change_score(z, member, it->second, score);
          by_score.erase({it->second, member});
          it->second = score;
        } else {
          zset::insert_member(z, member, score);
          scores[member] = score;
        }
        by_score.insert({score, member});
        zset::save(z);
        break;
      }
      case 2: {  // ZREM
        auto it = scores.find(member);
        if (it == scores.end()) break;
        zset::erase_member(z, member, it->second);
        by_score.erase({it->second, member});
        scores.erase(it);
        zset::save(z);
        break;
      }
      default: {  // ZPOPMIN / ZPOPMAX
        if (!z.exists()) break;
        bool max = rng() % 2;
        uint64_t n = 1 + rng() % 3;
        Entries expected = pop_model(n, max);
        ASSERT_EQ(zset::pop(z, n, max), expected) << step;
        break;
      }
    }
  }
  zset::ZSet z(keys, 0, "z");
  ASSERT_EQ(zset::open(z, Access::Read), Status::Ok);
  Entries all;
  for (const auto& [score, member] : by_score) all.emplace_back(member, score);
  EXPECT_EQ(zset::by_rank(z, 0, -1, false), all);
}

TEST(TypeStores, SortedSetScoresRangesRanksAndPops) {
  MemoryKeys keys;
  zset::ZSet z(keys, 0, "z");
  ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
  z.ensure_version();
  const std::vector<std::pair<std::string, double>> input = {
      {"a", 1}, {"b", 2}, {"c", 2}, {"d", 3.5}, {"e", -1}};
  for (const auto& [m, s] : input) zset::insert_member(z, m, s);
  zset::change_score(z, "d", 3.5, 0);
  zset::save(z);
  ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);  // the lookup is stale after a save
  double score;
  ASSERT_TRUE(zset::score_of(z, "d", score));
  EXPECT_EQ(score, 0);
  EXPECT_FALSE(zset::score_of(z, "zz", score));
  using Entries = std::vector<zset::Entry>;
  EXPECT_EQ(zset::by_rank(z, 0, -1, false),
            (Entries{{"e", -1}, {"d", 0}, {"a", 1}, {"b", 2}, {"c", 2}}));
  EXPECT_EQ(zset::by_rank(z, 0, 1, true), (Entries{{"c", 2}, {"b", 2}}));
  zset::ScoreRange r;
  ASSERT_TRUE(zset::parse_score_range("(0", "2", r));
  EXPECT_EQ(zset::by_score(z, r, false, 1, 5), (Entries{{"b", 2}, {"c", 2}}));
  EXPECT_EQ(zset::count_in_score_range(z, r), 3u);
  EXPECT_EQ(zset::rank_of(z, "a", false), 2u);
  EXPECT_EQ(zset::rank_of(z, "a", true), 2u);
  EXPECT_EQ(zset::rank_of(z, "e", true), 4u);
  EXPECT_FALSE(zset::rank_of(z, "zz", false));
  EXPECT_EQ(zset::pop(z, 2, true), (Entries{{"c", 2}, {"b", 2}}));
  EXPECT_EQ(z.size(), 3u);
  ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
  EXPECT_EQ(zset::pop(z, 9, false), (Entries{{"e", -1}, {"d", 0}, {"a", 1}}));
  EXPECT_TRUE(keys.records.empty());  // popped empty: removed
  EXPECT_TRUE(keys.elements.empty());
}

TEST(TypeStores, ReplaceWithEntriesAndLexRanges) {
  MemoryKeys keys;
  ASSERT_TRUE(zset::replace_with_entries(keys, 0, "z", {{"b", 0}, {"a", 0}, {"c", 0}}));
  zset::ZSet z(keys, 0, "z");
  ASSERT_EQ(zset::open(z, Access::Read), Status::Ok);
  EXPECT_EQ(z.size(), 3u);
  zset::LexRange r;
  ASSERT_TRUE(zset::parse_lex_range("(a", "+", r));
  EXPECT_EQ(zset::by_lex(z, r, false, 0, -1), (std::vector<zset::Entry>{{"b", 0}, {"c", 0}}));
  EXPECT_EQ(zset::count_in_lex_range(z, r), 2u);
  std::vector<std::string> seen;
  zset::for_each_member(z, [&](std::string_view m, double) { seen.emplace_back(m); });
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(zset::random_members(z, 3, true).size(), 3u);
  EXPECT_TRUE(zset::replace_with_entries(keys, 0, "z", {}));
  EXPECT_FALSE(zset::replace_with_entries(keys, 0, "z", {}));
}

// Chunked lists: a run of n elements is read in about n / kSlots iterator steps, and a push
// or a single pop touches one chunk entry (not one entry per element).
TEST(TypeStores, ListChunksReadRunsInFewSteps) {
  MemoryKeys keys;
  list::List l(keys, 0, "l");
  ASSERT_EQ(list::open(l, Access::Write), Status::Ok);
  for (int i = 0; i < 1000; ++i) list::push(l, list::End::Tail, "e" + std::to_string(i));
  ASSERT_TRUE(l.meta.chunked);
  // 1000 elements from 2^63 on: chunks of 64, so 16 entries.
  EXPECT_EQ(keys.elements_of(0, "l", l.meta.version).size(), 16u);
  keys.iterator_steps = 0;
  std::deque<std::string> got;
  list::read(l, 10, 300, true, [&](uint64_t, std::string_view e) {
    got.emplace_back(e);
    return true;
  });
  ASSERT_EQ(got.size(), 300u);
  EXPECT_EQ(got.front(), "e10");
  EXPECT_EQ(got.back(), "e309");
  EXPECT_LE(keys.iterator_steps, 300u / list::kSlots + 1);
  keys.iterator_steps = 0;
  got.clear();
  list::read(l, 999, 1000, false, [&](uint64_t, std::string_view e) {
    got.emplace_back(e);
    return true;
  });
  ASSERT_EQ(got.size(), 1000u);
  EXPECT_EQ(got.front(), "e999");
  EXPECT_EQ(got.back(), "e0");
  EXPECT_LE(keys.iterator_steps, 1000u / list::kSlots + 1);
}

// Elements above kBigElement live out of line: every edit keeps exactly one entry per big
// element at its index, and the contents and bytes agree with a model throughout.
TEST(TypeStores, ListBigElementsFollowEveryEdit) {
  MemoryKeys keys;
  std::mt19937 rng(11);
  std::deque<std::string> model;
  list::List l(keys, 0, "l");
  ASSERT_EQ(list::open(l, Access::Write), Status::Ok);
  auto value = [&](int step) {
    size_t n = rng() % 4 == 0 ? list::kBigElement + 1 + rng() % 300 : 1 + rng() % 20;
    return std::string(n, static_cast<char>('a' + step % 26)) + std::to_string(step);
  };
  auto model_bytes = [&] {
    uint64_t bytes = 0;
    for (const auto& e : model) bytes += storage::element_bytes(0, e.size());
    return bytes;
  };
  for (int step = 0; step < 1500; ++step) {
    std::string v = value(step);
    switch (rng() % 8) {
      case 0:
        list::push(l, list::End::Head, v);
        model.push_front(v);
        break;
      case 1:
      case 2:
        list::push(l, list::End::Tail, v);
        model.push_back(v);
        break;
      case 3: {
        uint64_t at = rng() % (model.size() + 1);
        list::insert(l, at, v);
        model.insert(model.begin() + static_cast<long>(at), v);
        break;
      }
      case 4: {
        if (model.empty()) break;
        uint64_t at = rng() % model.size();
        list::set(l, at, v);
        model[at] = v;
        break;
      }
      case 5: {
        if (model.size() < 3) break;
        std::vector<uint64_t> positions{rng() % (model.size() / 2),
                                        model.size() / 2 + rng() % (model.size() / 2)};
        list::remove(l, positions);
        for (auto it = positions.rbegin(); it != positions.rend(); ++it)
          model.erase(model.begin() + static_cast<long>(*it));
        break;
      }
      case 6: {
        if (model.size() < 4) break;
        list::trim(l, list::Span{1, model.size() - 2});
        model.pop_front();
        model.pop_back();
        break;
      }
      default: {
        auto end = rng() % 2 ? list::End::Head : list::End::Tail;
        uint64_t n = 1 + rng() % 70;
        std::vector<std::string> popped, expected;
        for (uint64_t i = 0; i < n && !model.empty(); ++i) {
          expected.push_back(end == list::End::Head ? model.front() : model.back());
          if (end == list::End::Head)
            model.pop_front();
          else
            model.pop_back();
        }
        list::pop(l, end, n, [&](std::string_view e) { popped.emplace_back(e); });
        ASSERT_EQ(popped, expected) << step;
        break;
      }
    }
    ASSERT_EQ(l.size(), model.size()) << step;
    ASSERT_EQ(l.meta.bytes, model_bytes()) << step;
    list::save(l);
    ASSERT_EQ(list::open(l, Access::Write), Status::Ok);
    if (step % 50 == 0 || step == 1499) {
      ASSERT_EQ(contents(l), model) << step;
      // One entry per chunk of [head, tail) and one per big element: nothing left behind.
      uint64_t bigs = 0;
      for (const auto& e : model) bigs += e.size() > list::kBigElement;
      size_t entries = keys.elements_of(0, "l", l.meta.version).size();
      uint64_t spans =
          model.empty() ? 0 : list::chunk_of(l.meta.tail - 1) - list::chunk_of(l.meta.head) + 1;
      ASSERT_EQ(entries, bigs + spans) << step;
    }
  }
}

// Middle edits of a long list (more than 8192 elements to move) copy it to a fresh version a
// window at a time instead of holding the moved side in memory: contents, bytes and the
// layout (one entry per chunk and per big element, nothing left under the old version)
// agree with a model after each.
TEST(TypeStores, LongListMiddleEditsStreamToAFreshVersion) {
  MemoryKeys keys;
  std::deque<std::string> model;
  list::List l(keys, 0, "l");
  ASSERT_EQ(list::open(l, Access::Write), Status::Ok);
  for (int i = 0; i < 30000; ++i) {
    size_t n = i % 97 == 0 ? list::kBigElement + 10 : 1 + i % 7;
    model.push_back(std::string(n, static_cast<char>('a' + i % 26)) + std::to_string(i));
    list::push(l, list::End::Tail, model.back());
  }
  list::save(l);
  auto check = [&](const char* what) {
    ASSERT_EQ(list::open(l, Access::Write), Status::Ok);
    ASSERT_EQ(l.size(), model.size()) << what;
    uint64_t bytes = 0, bigs = 0;
    for (const auto& e : model) {
      bytes += storage::element_bytes(0, e.size());
      bigs += e.size() > list::kBigElement;
    }
    ASSERT_EQ(l.meta.bytes, bytes) << what;
    ASSERT_EQ(contents(l), model) << what;
    uint64_t spans = list::chunk_of(l.meta.tail - 1) - list::chunk_of(l.meta.head) + 1;
    ASSERT_EQ(keys.elements_of(0, "l", l.meta.version).size(), bigs + spans) << what;
  };
  ASSERT_EQ(list::open(l, Access::Write), Status::Ok);
  uint64_t version = l.meta.version;
  list::insert(l, 15000, "inserted");
  model.insert(model.begin() + 15000, "inserted");
  list::save(l);
  check("insert");
  EXPECT_NE(l.meta.version, version);
  EXPECT_TRUE(keys.elements_of(0, "l", version).empty());

  std::vector<uint64_t> positions{10000, 10001, 14000, 20000};
  list::remove(l, positions);
  for (auto it = positions.rbegin(); it != positions.rend(); ++it)
    model.erase(model.begin() + static_cast<long>(*it));
  list::save(l);
  check("remove");

  list::trim(l, list::Span{5000, 9000});
  model.erase(model.begin() + 14000, model.end());
  model.erase(model.begin(), model.begin() + 5000);
  list::save(l);
  check("trim");

  // A short edit near an end still shifts only the shorter side, under the same version.
  version = l.meta.version;
  list::insert(l, 3, "near the head");
  model.insert(model.begin() + 3, "near the head");
  list::save(l);
  check("insert near the head");
  EXPECT_EQ(l.meta.version, version);
}

// A list stored one entry per element (before chunks) is read as it is, and converted to
// chunks by its first write; a large one keeps its layout and still works.
TEST(TypeStores, ListsStoredPerElementKeepWorking) {
  for (uint64_t n : {uint64_t{100}, uint64_t{5000}}) {
    MemoryKeys keys;
    storage::CollectionMeta meta;
    meta.version = 77;
    meta.head = list::kEmptyIndex - n / 2;
    meta.tail = meta.head + n;
    meta.size = n;
    std::deque<std::string> model;
    for (uint64_t i = 0; i < n; ++i) {
      model.push_back("old" + std::to_string(i));
      keys.sub_put(0, "l", meta.version, list::part(meta.head + i), model.back());
      meta.bytes += storage::element_bytes(0, model.back().size());
    }
    keys.put(0, "l", ValueType::List, 0, meta.encode(), storage::types::Lookup{});
    list::List l(keys, 0, "l");
    ASSERT_EQ(list::open(l, Access::Read), Status::Ok);
    ASSERT_FALSE(l.meta.chunked);
    EXPECT_EQ(list::get(l, 7), "old7");
    EXPECT_EQ(contents(l), model);
    ASSERT_EQ(list::open(l, Access::Write), Status::Ok);
    list::push(l, list::End::Head, "new");
    model.push_front("new");
    list::save(l);
    ASSERT_EQ(list::open(l, Access::Write), Status::Ok);
    EXPECT_EQ(l.meta.chunked, n <= 4096) << n;
    EXPECT_EQ(contents(l), model) << n;
    EXPECT_EQ(l.meta.bytes, meta.bytes + storage::element_bytes(0, 3)) << n;
    if (l.meta.chunked) {
      EXPECT_TRUE(keys.elements_of(0, "l", 77).empty());
    }
    std::vector<std::string> popped;
    list::pop(l, list::End::Tail, 3, [&](std::string_view e) { popped.emplace_back(e); });
    EXPECT_EQ(popped[0], model.back()) << n;
  }
}

}  // namespace
