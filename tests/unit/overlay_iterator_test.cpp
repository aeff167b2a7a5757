// tests/unit/overlay_iterator_test.cpp — core::OverlayIterator (a write group's own element
// writes overlaid on the database): random walks (seeks, steps both ways, turning around)
// over random committed entries and random group writes and deletions, checked step by step
// against the merged std::map; and a base read error ends the walk with the error.
#include "node/core/overlay_iterator.h"

#include <gtest/gtest.h>

#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "tests/unit/memory_keys.h"

namespace {

using basalt::core::OverlayIterator;
using basalt::unit::MapIterator;

struct Write {
  bool present = false;
  std::string value;
};
using Delta = std::map<std::string, Write, std::less<>>;
using Model = std::map<std::string, std::string>;

// Where a model iterator stands: the key, or "" past either end (keys are never empty here).
std::string at(const Model& m, Model::const_iterator it) {
  return it == m.end() ? "" : it->first;
}

TEST(OverlayIterator, RandomWalksAgreeWithTheMergedMap) {
  std::mt19937 rng(5);
  auto random_key = [&] {
    return std::string(1, static_cast<char>('a' + rng() % 12)) +
           std::string(rng() % 2, static_cast<char>('a' + rng() % 3));
  };
  for (int round = 0; round < 300; ++round) {
    Model base, model;
    Delta delta;
    for (int i = 0, n = static_cast<int>(rng() % 10); i < n; ++i) base[random_key()] = "b";
    model = base;
    for (int i = 0, n = static_cast<int>(rng() % 10); i < n; ++i) {
      std::string k = random_key();
      bool present = rng() % 2;
      std::string v = "d" + std::to_string(i);
      delta[k] = Write{present, v};
      if (present)
        model[k] = v;
      else
        model.erase(k);
    }
    OverlayIterator<Delta> it(std::make_unique<MapIterator>(base), delta);
    auto expect = model.end();
    for (int step = 0; step < 40; ++step) {
      bool valid = expect != model.end();
      switch (valid ? rng() % 6 : rng() % 4) {
        case 0:
          it.SeekToFirst();
          expect = model.begin();
          break;
        case 1:
          it.SeekToLast();
          expect = model.empty() ? model.end() : std::prev(model.end());
          break;
        case 2: {
          std::string t = random_key();
          it.Seek(t);
          expect = model.lower_bound(t);
          break;
        }
        case 3: {
          std::string t = random_key();
          it.SeekForPrev(t);
          expect = model.upper_bound(t);
          expect = expect == model.begin() ? model.end() : std::prev(expect);
          break;
        }
        case 4:
          it.Next();
          ++expect;
          break;
        default:
          it.Prev();
          expect = expect == model.begin() ? model.end() : std::prev(expect);
          break;
      }
      ASSERT_EQ(it.Valid(), expect != model.end()) << "round " << round << " step " << step;
      if (!it.Valid()) continue;
      ASSERT_EQ(it.key().ToString(), at(model, expect)) << "round " << round << " step " << step;
      ASSERT_EQ(it.value().ToString(), expect->second);
    }
  }
}

// A base iterator that fails once it is positioned.
class FailingIterator final : public rocksdb::Iterator {
 public:
  bool Valid() const override { return false; }
  void SeekToFirst() override {}
  void SeekToLast() override {}
  void Seek(const rocksdb::Slice&) override {}
  void SeekForPrev(const rocksdb::Slice&) override {}
  void Next() override {}
  void Prev() override {}
  rocksdb::Slice key() const override { return {}; }
  rocksdb::Slice value() const override { return {}; }
  rocksdb::Status status() const override { return rocksdb::Status::IOError("disk"); }
};

TEST(OverlayIterator, ABaseReadErrorEndsTheWalkWithTheError) {
  Delta delta{{"a", Write{true, "1"}}};
  OverlayIterator<Delta> it(std::make_unique<FailingIterator>(), delta);
  it.Seek("a");
  EXPECT_FALSE(it.Valid());  // not the group's entry alone, as if the data ended there
  EXPECT_TRUE(it.status().IsIOError());
}

}  // namespace
