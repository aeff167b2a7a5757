// tests/unit/memtable_hints_test.cpp — the memtable insert hints (storage/memtable_hints.h):
// which keys take one. A range deletion's begin key never may (RocksDB 7.8 would use a splice
// of its point skiplist in its range-deletion skiplist), so the keys each family's range
// deletions begin with are out of the domain, and the keys its writes use are in it.
#include "storage/memtable_hints.h"

#include <gtest/gtest.h>

#include <string>

#include "storage/codec.h"

namespace {

using namespace basalt::storage;

std::string element_key(uint16_t db, const std::string& key, uint64_t version,
                        const std::string& part) {
  std::string out;
  encode_sub_prefix(out, db, key, version);
  return out + part;
}

TEST(MemtableHints, RecordHintTakesDataKeysAndNotADbPrefix) {
  auto hint = make_record_hint();
  const std::string prefix = data_prefix(3);  // where FLUSHDB's range deletion begins
  ASSERT_EQ(prefix.size(), 2u);
  EXPECT_FALSE(hint->InDomain(prefix));
  const std::string key = prefix + "k";
  EXPECT_TRUE(hint->InDomain(key));
  EXPECT_EQ(hint->Transform(key).ToString(), prefix);
}

TEST(MemtableHints, ElementHintTakesElementsAndNotWhereRangeDeletionsBegin) {
  auto hint = make_element_hint();
  // A dropped collection's range deletion begins at its bare prefix; a flush at the db's.
  for (const std::string& key : {std::string(), std::string("h"), std::string(300, 'k')}) {
    EXPECT_FALSE(hint->InDomain(element_key(0, key, 7, ""))) << key.size();
    EXPECT_FALSE(hint->InDomain(element_key(15, key, UINT64_MAX, ""))) << key.size();
  }
  EXPECT_FALSE(hint->InDomain(data_prefix(0)));
  EXPECT_FALSE(hint->InDomain(std::string()));
  // Elements: a prefix and a non-empty part, whatever the key's bytes look like.
  for (const std::string& key : {std::string(), std::string("h"), std::string(300, '\xff'), std::string(5, '\0')}) {
    const std::string e = element_key(2, key, 9, "m");
    EXPECT_TRUE(hint->InDomain(e)) << key.size();
    EXPECT_EQ(hint->Transform(e).ToString(), data_prefix(2));
  }
  // A key whose length field claims more than the key holds is no element.
  std::string bogus = element_key(0, "abc", 1, "x");
  bogus[5] = 10;  // the low byte of the key length: 3 -> 10
  EXPECT_FALSE(hint->InDomain(bogus));
}

}  // namespace
