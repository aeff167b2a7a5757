// tests/unit/dataset_recount_test.cpp — the one-time recount of a data directory written
// before basalt kept the dataset bytes (storage/types/dataset_recount.h): the per-db totals
// from strings and collections, the upgrade of old 32-byte collection records to ones that
// carry their element bytes (a sorted set's score index not counted), the totals stored in
// meta, and a second recount finding nothing left to upgrade.
#include "storage/types/dataset_recount.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "storage/codec.h"
#include "storage/collection.h"
#include "storage/dataset_size.h"
#include "storage/engine.h"
#include "storage/meta.h"
#include "storage/record.h"
#include "storage/types/zset_encoding.h"
#include "tests/unit/scratch_dir.h"
#include "tests/unit/scratch_engine.h"

namespace {

using namespace basalt::storage;
using basalt::unit::ScratchDir;

// A collection record as basalt wrote it before CollectionMeta::bytes: 32 bytes of payload.
std::string old_collection_record(ValueType type, uint64_t version, uint64_t size) {
  CollectionMeta meta;
  meta.version = version;
  meta.size = size;
  std::string record;
  encode_record(record, type, 0, meta.encode().substr(0, 32));
  return record;
}

void put_element(rocksdb::WriteBatch& b, Engine& e, uint16_t db, const std::string& key,
                 uint64_t version, const std::string& part, const std::string& value) {
  std::string sub;
  encode_sub_prefix(sub, db, key, version);
  sub += part;
  b.Put(e.sub_cf(), sub, value);
}

TEST(DatasetRecount, CountsEveryDbAndUpgradesOldCollectionRecords) {
  ScratchDir tmp;
  auto engine = basalt::unit::open_scratch_engine(tmp.path());
  ASSERT_TRUE(engine);
  rocksdb::WriteBatch b;
  std::string record;
  encode_record(record, ValueType::String, 0, "hello");
  b.Put(engine->data_cf(), data_key(0, "s"), record);
  b.Put(engine->data_cf(), data_key(0, "h"), old_collection_record(ValueType::Hash, 7, 2));
  put_element(b, *engine, 0, "h", 7, "f1", "v1");
  put_element(b, *engine, 0, "h", 7, "field2", "value-2");
  b.Put(engine->data_cf(), data_key(3, "z"), old_collection_record(ValueType::ZSet, 9, 1));
  std::string score;
  basalt::storage::types::zset::append_score(score, 1.5);
  put_element(b, *engine, 3, "z", 9, basalt::storage::types::zset::member_part("member"), score);
  put_element(b, *engine, 3, "z", 9, basalt::storage::types::zset::index_part(1.5, "member"), "");
  ASSERT_TRUE(engine->write(&b).ok());
  EXPECT_FALSE(load_dataset_bytes(*engine, 4).has_value());

  basalt::storage::types::DatasetRecount recount;
  std::string error;
  ASSERT_TRUE(basalt::storage::types::recount_dataset(*engine, 4, recount, error)) << error;
  EXPECT_EQ(recount.keys, 3u);
  EXPECT_EQ(recount.upgraded, 2u);
  uint64_t db0 =
      (kKeyOverhead + 1 + 5) + (kKeyOverhead + 1 + element_bytes(2, 2) + element_bytes(6, 7));
  uint64_t db3 = kKeyOverhead + 1 + element_bytes(6, kScoreBytes);
  EXPECT_EQ(recount.bytes, (std::vector<uint64_t>{db0, 0, 0, db3}));
  EXPECT_EQ(load_dataset_bytes(*engine, 4), recount.bytes);

  // The hash's record now carries its element bytes; a second recount changes nothing.
  std::string raw;
  ASSERT_TRUE(
      engine->db()->Get(rocksdb::ReadOptions(), engine->data_cf(), data_key(0, "h"), &raw).ok());
  RecordView view;
  ASSERT_TRUE(decode_record(raw, view));
  CollectionMeta meta;
  ASSERT_TRUE(CollectionMeta::decode(view.payload, meta));
  EXPECT_TRUE(meta.bytes_known);
  EXPECT_EQ(meta.bytes, element_bytes(2, 2) + element_bytes(6, 7));
  EXPECT_EQ(meta.version, 7u);
  EXPECT_EQ(meta.size, 2u);
  basalt::storage::types::DatasetRecount again;
  ASSERT_TRUE(basalt::storage::types::recount_dataset(*engine, 4, again, error)) << error;
  EXPECT_EQ(again.upgraded, 0u);
  EXPECT_EQ(again.bytes, recount.bytes);
}

}  // namespace
