// tests/unit/storage_snapshot_test.cpp — storage/snapshot: a scan reads the data entries then
// the sub-key entries of the snapshot taken when it was made (later writes unseen), and
// loading those entries into a staged generation rebuilds its expiry index and the per-db key
// and TTL counts, which the activating batch records.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "storage/codec.h"
#include "storage/engine.h"
#include "storage/meta.h"
#include "storage/record.h"
#include "storage/snapshot.h"
#include "tests/unit/scratch_dir.h"
#include "tests/unit/scratch_engine.h"

namespace {

using namespace basalt::storage;
using basalt::unit::ScratchDir;

void put_record(Engine& e, uint16_t db, const std::string& key, uint64_t expire_at_ms) {
  std::string record;
  encode_record(record, ValueType::String, expire_at_ms, "v-" + key);
  ASSERT_TRUE(e.db()->Put(rocksdb::WriteOptions(), e.data_cf(), data_key(db, key), record).ok());
}

struct Scanned {
  SnapshotFamily family;
  std::string key, value;
};

std::vector<Scanned> scan_all(SnapshotScan& scan) {
  std::vector<Scanned> out;
  for (; scan.valid(); scan.next())
    out.push_back({scan.family(), std::string(scan.key()), std::string(scan.value())});
  return out;
}

TEST(StorageSnapshot, ScanReadsDataThenSubKeysAsOfItsCreation) {
  ScratchDir tmp;
  auto engine = basalt::unit::open_scratch_engine(tmp.sub("db"));
  ASSERT_TRUE(engine);
  put_record(*engine, 0, "a", 0);
  put_record(*engine, 1, "b", 0);
  ASSERT_TRUE(engine->db()->Put(rocksdb::WriteOptions(), engine->sub_cf(), "sub1", "x").ok());
  SnapshotScan scan(*engine);
  put_record(*engine, 0, "later", 0);  // after the snapshot: not seen
  auto entries = scan_all(scan);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].family, SnapshotFamily::Data);
  EXPECT_EQ(entries[0].key, data_key(0, "a"));
  EXPECT_EQ(entries[1].key, data_key(1, "b"));
  EXPECT_EQ(entries[2].family, SnapshotFamily::Sub);
  EXPECT_EQ(entries[2].key, "sub1");
  EXPECT_EQ(entries[2].value, "x");
  EXPECT_FALSE(scan.valid());  // stays at the end
}

TEST(StorageSnapshot, LoadRebuildsTheExpiryIndexAndCounts) {
  ScratchDir tmp;
  auto engine = basalt::unit::open_scratch_engine(tmp.sub("db"));
  ASSERT_TRUE(engine);
  put_record(*engine, 0, "a", 0);
  put_record(*engine, 0, "t", 5000);
  put_record(*engine, 2, "u", 7000);
  ASSERT_TRUE(engine->db()->Put(rocksdb::WriteOptions(), engine->sub_cf(), "sub1", "x").ok());
  std::vector<Scanned> entries;
  {
    SnapshotScan scan(*engine);
    entries = scan_all(scan);
  }

  std::string error;
  Engine::Generation staged;
  ASSERT_TRUE(engine->create_generation(staged, error)) << error;
  SnapshotLoad load(*engine, staged, 3);
  for (size_t i = 0; i < entries.size(); ++i) {
    load.add(entries[i].family, entries[i].key, entries[i].value);
    if (i == 1) {
      ASSERT_TRUE(load.write());  // several batches add up
    }
  }
  ASSERT_TRUE(load.write());
  ASSERT_TRUE(load.flush());
  EXPECT_EQ(load.key_counts(), (std::vector<uint64_t>{2, 0, 1}));
  EXPECT_EQ(load.expire_counts(), (std::vector<uint64_t>{1, 0, 1}));

  rocksdb::WriteBatch batch;
  load.put_counts(batch);
  ASSERT_TRUE(engine->activate_generation(staged, batch).ok());
  EXPECT_EQ(load_key_counts(*engine, 3), (std::vector<uint64_t>{2, 0, 1}));
  auto expires = load_expire_counts(*engine, 3);
  ASSERT_TRUE(expires);
  EXPECT_EQ(*expires, (std::vector<uint64_t>{1, 0, 1}));

  std::vector<std::string> expiry_keys;
  std::unique_ptr<rocksdb::Iterator> it(
      engine->db()->NewIterator(rocksdb::ReadOptions(), engine->expiry_cf()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) expiry_keys.push_back(it->key().ToString());
  EXPECT_EQ(expiry_keys,
            (std::vector<std::string>{expiry_key(5000, 0, "t"), expiry_key(7000, 2, "u")}));
  std::string value;
  ASSERT_TRUE(engine->db()->Get(rocksdb::ReadOptions(), engine->sub_cf(), "sub1", &value).ok());
  EXPECT_EQ(value, "x");
}

}  // namespace
