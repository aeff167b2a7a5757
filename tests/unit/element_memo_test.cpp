// tests/unit/element_memo_test.cpp — the write group's memo of element reads on its own:
// present and absent entries, a slot filled under one group's stamp is a miss for every
// other group, values too large to keep are not kept, and two keys of one slot replace each
// other (the one pushed out is a miss, never the other's value).
#include "node/core/element_memo.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using basalt::core::ElementMemo;
using Hit = ElementMemo::Hit;

TEST(ElementMemo, PresentAndAbsentWithinOneStamp) {
  ElementMemo memo;
  const uint64_t group = memo.new_stamp();
  std::string value = "untouched";
  EXPECT_EQ(memo.find(group, "a", value), Hit::Miss);
  memo.put(group, "a", "one", true);
  memo.put(group, "b", "", false);
  EXPECT_EQ(memo.find(group, "a", value), Hit::Present);
  EXPECT_EQ(value, "one");
  EXPECT_EQ(memo.find(group, "b", value), Hit::Absent);
  memo.put(group, "a", "", false);
  EXPECT_EQ(memo.find(group, "a", value), Hit::Absent);
  memo.put(group, "", "empty key", true);
  EXPECT_EQ(memo.find(group, "", value), Hit::Present);
  EXPECT_EQ(value, "empty key");
}

TEST(ElementMemo, NothingOutlivesItsGroup) {
  ElementMemo memo;
  const uint64_t first = memo.new_stamp();
  memo.put(first, "a", "one", true);
  memo.put(first, "b", "", false);
  const uint64_t second = memo.new_stamp();
  EXPECT_NE(first, second);
  std::string value;
  EXPECT_EQ(memo.find(second, "a", value), Hit::Miss);
  EXPECT_EQ(memo.find(second, "b", value), Hit::Miss);
  memo.put(second, "a", "two", true);
  EXPECT_EQ(memo.find(second, "a", value), Hit::Present);
  EXPECT_EQ(value, "two");
  EXPECT_EQ(memo.find(first, "a", value), Hit::Miss);  // refilled under the second stamp
}

TEST(ElementMemo, LargeValuesAreNotKept) {
  ElementMemo memo;
  const uint64_t group = memo.new_stamp();
  std::string value;
  memo.put(group, "a", std::string(ElementMemo::kMaxValueBytes, 'x'), true);
  EXPECT_EQ(memo.find(group, "a", value), Hit::Present);
  EXPECT_EQ(value.size(), ElementMemo::kMaxValueBytes);
  memo.put(group, "b", std::string(ElementMemo::kMaxValueBytes + 1, 'x'), true);
  EXPECT_EQ(memo.find(group, "b", value), Hit::Miss);
}

TEST(ElementMemo, KeysSharingASlotReplaceEachOther) {
  ElementMemo memo;
  const uint64_t group = memo.new_stamp();
  // More keys than slots: some share one; each lookup is its own value or a miss.
  const size_t keys = 4 * ElementMemo::kSlots;
  for (size_t i = 0; i < keys; ++i)
    memo.put(group, "key" + std::to_string(i), "value" + std::to_string(i), true);
  size_t hits = 0;
  std::string value;
  for (size_t i = 0; i < keys; ++i) {
    Hit hit = memo.find(group, "key" + std::to_string(i), value);
    ASSERT_NE(hit, Hit::Absent);
    if (hit == Hit::Present) {
      EXPECT_EQ(value, "value" + std::to_string(i));
      ++hits;
    }
  }
  EXPECT_GT(hits, 0u);
  EXPECT_LE(hits, ElementMemo::kSlots);
}

}  // namespace
