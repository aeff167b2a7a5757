// tests/unit/storage_test.cpp — the RocksDB engine (open, column families, wal-sync names),
// the persisted replication state and key counts (storage/meta), and the on-disk replication
// log (storage/repl_log): reads across entry boundaries and trimming; the manual compaction
// (storage/compact).
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <memory>
#include <string>

#include "storage/codec.h"
#include "storage/compact.h"
#include "storage/engine.h"
#include "storage/meta.h"
#include "storage/repl_log.h"
#include "tests/unit/scratch_dir.h"
#include "tests/unit/scratch_engine.h"

namespace {

using namespace basalt::storage;
using basalt::unit::ScratchDir;

bool is_hex40(const std::string& s) {
  if (s.size() != 40) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) ||
        std::isupper(static_cast<unsigned char>(c)))
      return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Engine

TEST(Engine, OpensAFreshDirectoryWithAllColumnFamilies) {
  ScratchDir tmp;
  std::string dir = tmp.sub("db/nested");  // created on open
  auto engine = basalt::unit::open_scratch_engine(dir);
  ASSERT_TRUE(engine);
  EXPECT_EQ(engine->options().dir, dir);
  for (auto* cf : {engine->data_cf(), engine->expiry_cf(), engine->log_cf(), engine->meta_cf()})
    ASSERT_NE(cf, nullptr);
  // data and expiry belong to the active dataset generation ("data.1", ...).
  EXPECT_EQ(engine->data_cf()->GetName().rfind("data", 0), 0u);
  EXPECT_EQ(engine->expiry_cf()->GetName().rfind("expiry", 0), 0u);
  EXPECT_NE(engine->data_cf()->GetID(), engine->expiry_cf()->GetID());
  EXPECT_EQ(engine->log_cf()->GetName(), "replog");
  EXPECT_EQ(engine->meta_cf()->GetName(), "meta");
  EXPECT_GT(engine->disk_usage(), 0u);
}

TEST(Engine, WritesSurviveReopen) {
  ScratchDir tmp;
  {
    auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
    ASSERT_TRUE(engine);
    rocksdb::WriteBatch batch;
    batch.Put(engine->data_cf(), data_key(0, "k"), "v");
    batch.Put(engine->log_cf(), log_key(1), "bytes");
    ASSERT_TRUE(engine->write(&batch).ok());
    ASSERT_TRUE(engine->flush().ok());
  }
  auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
  ASSERT_TRUE(engine);
  std::string v;
  ASSERT_TRUE(engine->db()->Get({}, engine->data_cf(), data_key(0, "k"), &v).ok());
  EXPECT_EQ(v, "v");
  ASSERT_TRUE(engine->db()->Get({}, engine->log_cf(), log_key(1), &v).ok());
  EXPECT_EQ(v, "bytes");
  // Column families are separate key spaces.
  EXPECT_TRUE(engine->db()->Get({}, engine->meta_cf(), data_key(0, "k"), &v).IsNotFound());
}

// The data and element families keep their options (write buffer, memtable bloom filter)
// across a restart, not only when they are created.
TEST(Engine, DataAndElementFamiliesKeepTheirOptionsOnReopen) {
  ScratchDir tmp;
  auto check = [](Engine& engine) {
    for (auto* cf : {engine.data_cf(), engine.sub_cf()}) {
      rocksdb::Options o = engine.db()->GetOptions(cf);
      EXPECT_TRUE(o.memtable_whole_key_filtering) << cf->GetName();
      EXPECT_EQ(o.write_buffer_size, engine.options().write_buffer_bytes) << cf->GetName();
    }
  };
  {
    auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
    ASSERT_TRUE(engine);
    check(*engine);
  }
  auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
  ASSERT_TRUE(engine);
  check(*engine);
}

// compact_all() leaves no file in level 0 and drops overwritten and deleted entries: the live SST
// bytes shrink, and what is left reads back.
TEST(Engine, CompactMergesTheFlushedFilesAndDropsDeadEntries) {
  ScratchDir tmp;
  auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
  ASSERT_TRUE(engine);
  const std::string value(200, 'v');
  for (int round = 0; round < 3; ++round) {  // three flushes: three level-0 files
    rocksdb::WriteBatch batch;
    for (int i = 0; i < 2000; ++i)
      batch.Put(engine->data_cf(), data_key(0, "k" + std::to_string(i)),
                value + std::to_string(round));
    ASSERT_TRUE(engine->write(&batch).ok());
    ASSERT_TRUE(engine->flush().ok());
  }
  rocksdb::WriteBatch deletes;
  for (int i = 1000; i < 2000; ++i)
    deletes.Delete(engine->data_cf(), data_key(0, "k" + std::to_string(i)));
  ASSERT_TRUE(engine->write(&deletes).ok());
  std::string level0;
  ASSERT_TRUE(engine->db()->GetProperty(engine->data_cf(), "rocksdb.num-files-at-level0", &level0));
  ASSERT_EQ(level0, "3");
  const uint64_t before = engine->compaction_stats().live_sst_bytes;

  ASSERT_TRUE(basalt::storage::compact_all(*engine).ok());
  ASSERT_TRUE(engine->db()->GetProperty(engine->data_cf(), "rocksdb.num-files-at-level0", &level0));
  EXPECT_EQ(level0, "0");
  // A sixth of the entries are left (1000 live keys out of 6000 puts).
  EXPECT_LT(engine->compaction_stats().live_sst_bytes, before / 3);
  std::string v;
  ASSERT_TRUE(engine->db()->Get({}, engine->data_cf(), data_key(0, "k999"), &v).ok());
  EXPECT_EQ(v, value + "2");
  EXPECT_TRUE(engine->db()->Get({}, engine->data_cf(), data_key(0, "k1000"), &v).IsNotFound());
}

TEST(Engine, OpenFailsOnAFileAndOnALockedDirectory) {
  ScratchDir tmp;
  std::string file = tmp.sub("plain-file");
  std::ofstream(file) << "x";
  EngineOptions options;
  options.dir = file;
  std::string error;
  EXPECT_EQ(Engine::open(options, error), nullptr);
  EXPECT_NE(error.find("can't"), std::string::npos) << error;

  auto first = basalt::unit::open_scratch_engine(tmp.sub("db"));
  ASSERT_TRUE(first);
  options.dir = tmp.sub("db");
  error.clear();
  EXPECT_EQ(Engine::open(options, error), nullptr);  // RocksDB's LOCK file
  EXPECT_NE(error.find("can't open RocksDB"), std::string::npos) << error;
}

TEST(Engine, WalSyncModes) {
  bool ok = false;
  EXPECT_EQ(parse_wal_sync("always", ok), WalSync::Always);
  EXPECT_TRUE(ok);
  EXPECT_EQ(parse_wal_sync("everysec", ok), WalSync::EverySec);
  EXPECT_TRUE(ok);
  EXPECT_EQ(parse_wal_sync("no", ok), WalSync::No);
  EXPECT_TRUE(ok);
  parse_wal_sync("sometimes", ok);
  EXPECT_FALSE(ok);
  for (WalSync m : {WalSync::Always, WalSync::EverySec, WalSync::No}) {
    EXPECT_EQ(parse_wal_sync(wal_sync_name(m), ok), m);
    EXPECT_TRUE(ok);
  }
  ScratchDir tmp;
  auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
  ASSERT_TRUE(engine);
  EXPECT_EQ(engine->wal_sync(), WalSync::EverySec);
  engine->set_wal_sync(WalSync::Always);
  EXPECT_EQ(engine->wal_sync(), WalSync::Always);
  rocksdb::WriteBatch batch;
  batch.Put(engine->data_cf(), "k", "v");
  EXPECT_TRUE(engine->write(&batch).ok());
  rocksdb::WriteBatch empty;
  EXPECT_TRUE(engine->write(&empty, true).ok());  // a synced empty write syncs the WAL
}

// ---------------------------------------------------------------------------------------------
// ReplMeta and key counts

TEST(Meta, FreshDirectoryHasNoHistory) {
  ScratchDir tmp;
  auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
  ASSERT_TRUE(engine);
  ReplMeta m = load_repl_meta(*engine);
  EXPECT_FALSE(m.has_history);
  EXPECT_TRUE(is_hex40(m.replid)) << m.replid;
  EXPECT_EQ(m.replid2, std::string(40, '0'));
  EXPECT_EQ(m.second_replid_offset, -1);
  EXPECT_EQ(m.master_repl_offset, 0u);
  EXPECT_EQ(m.role, "master");
  EXPECT_TRUE(m.master_host.empty());
  EXPECT_EQ(m.master_port, 0);
  // Not stored yet: a second load draws another id.
  EXPECT_NE(load_repl_meta(*engine).replid, m.replid);
}

TEST(Meta, RandomReplidsAreHexAndDistinct) {
  std::string a = random_replid(), b = random_replid();
  EXPECT_TRUE(is_hex40(a)) << a;
  EXPECT_TRUE(is_hex40(b)) << b;
  EXPECT_NE(a, b);
}

TEST(Meta, PersistedAndReloaded) {
  ScratchDir tmp;
  ReplMeta m;
  m.replid = random_replid();
  m.replid2 = random_replid();
  m.second_replid_offset = 12345;
  m.master_repl_offset = 1ull << 40;
  m.role = "replica";
  m.master_host = "10.0.0.7";
  m.master_port = 6380;
  {
    auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
    ASSERT_TRUE(engine);
    rocksdb::WriteBatch batch;
    put_repl_meta(batch, *engine, m);
    ASSERT_TRUE(engine->write(&batch).ok());
  }
  auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
  ASSERT_TRUE(engine);
  ReplMeta got = load_repl_meta(*engine);
  EXPECT_TRUE(got.has_history);
  EXPECT_EQ(got.replid, m.replid);
  EXPECT_EQ(got.replid2, m.replid2);
  EXPECT_EQ(got.second_replid_offset, 12345);
  EXPECT_EQ(got.master_repl_offset, 1ull << 40);
  EXPECT_EQ(got.role, "replica");
  EXPECT_EQ(got.master_host, "10.0.0.7");
  EXPECT_EQ(got.master_port, 6380);

  // put_offset changes only the offset.
  rocksdb::WriteBatch batch;
  put_offset(batch, *engine, 999);
  ASSERT_TRUE(engine->write(&batch).ok());
  got = load_repl_meta(*engine);
  EXPECT_EQ(got.master_repl_offset, 999u);
  EXPECT_EQ(got.replid, m.replid);
  EXPECT_EQ(got.role, "replica");
}

TEST(Meta, DefaultsRoundTrip) {
  // second_replid_offset -1 is stored as an unsigned and must come back as -1.
  ScratchDir tmp;
  auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
  ASSERT_TRUE(engine);
  ReplMeta m = load_repl_meta(*engine);
  rocksdb::WriteBatch batch;
  put_repl_meta(batch, *engine, m);
  ASSERT_TRUE(engine->write(&batch).ok());
  ReplMeta got = load_repl_meta(*engine);
  EXPECT_TRUE(got.has_history);
  EXPECT_EQ(got.replid, m.replid);
  EXPECT_EQ(got.second_replid_offset, -1);
  EXPECT_EQ(got.master_repl_offset, 0u);
  EXPECT_EQ(got.role, "master");
}

TEST(Meta, KeyCounts) {
  ScratchDir tmp;
  {
    auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
    ASSERT_TRUE(engine);
    EXPECT_EQ(load_key_counts(*engine, 16), std::vector<uint64_t>(16, 0));
    rocksdb::WriteBatch batch;
    put_key_count(batch, *engine, 0, 7);
    put_key_count(batch, *engine, 3, 42);
    put_key_count(batch, *engine, 15, 1ull << 35);
    put_key_count(batch, *engine, 20, 5);  // beyond `databases` below: ignored
    ASSERT_TRUE(engine->write(&batch).ok());
  }
  auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
  ASSERT_TRUE(engine);
  std::vector<uint64_t> counts = load_key_counts(*engine, 16);
  ASSERT_EQ(counts.size(), 16u);
  EXPECT_EQ(counts[0], 7u);
  EXPECT_EQ(counts[3], 42u);
  EXPECT_EQ(counts[15], 1ull << 35);
  EXPECT_EQ(counts[1], 0u);
  EXPECT_EQ(load_key_counts(*engine, 4), (std::vector<uint64_t>{7, 0, 0, 42}));
  // Key counts are not replication state.
  EXPECT_FALSE(load_repl_meta(*engine).has_history);
}

// ---------------------------------------------------------------------------------------------
// ReplLog

class ReplLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = basalt::unit::open_scratch_engine(tmp_.path().string());
    ASSERT_TRUE(engine_);
    log_ = std::make_unique<ReplLog>(*engine_);
  }
  // Appends entries back to back from offset 1; returns the stream so far.
  void append(const std::string& bytes) {
    rocksdb::WriteBatch batch;
    log_->append(batch, end_ + 1, bytes);
    ASSERT_TRUE(engine_->write(&batch).ok());
    stream_ += bytes;
    end_ += bytes.size();
  }
  std::string read(uint64_t from, bool& ok, size_t max = 1 << 20) {
    std::string out;
    ok = log_->read(from, end_, max, out);
    return out;
  }

  ScratchDir tmp_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<ReplLog> log_;
  std::string stream_;
  uint64_t end_ = 0;  // master_repl_offset
};

TEST_F(ReplLogTest, EmptyLog) {
  EXPECT_EQ(log_->first_offset(), 0u);
  bool ok = false;
  EXPECT_EQ(read(1, ok), "");
  EXPECT_TRUE(ok);  // offset 0 + 1: nothing to send yet, but nothing missing either
  read(2, ok);
  EXPECT_FALSE(ok);  // ahead of the history
}

TEST_F(ReplLogTest, ReadsAcrossEntryBoundaries) {
  append("abcde");   // offsets 1..5
  append("fgh");     // 6..8
  append("ijklmn");  // 9..14
  EXPECT_EQ(log_->first_offset(), 1u);
  ASSERT_EQ(end_, 14u);
  for (uint64_t from = 1; from <= 14; ++from) {
    bool ok = false;
    EXPECT_EQ(read(from, ok), stream_.substr(from - 1)) << "from " << from;
    EXPECT_TRUE(ok) << "from " << from;
  }
}

TEST_F(ReplLogTest, ReadFromExactlyTheEndIsEmptyAndOk) {
  append("abcde");
  append("fgh");
  bool ok = false;
  EXPECT_EQ(read(end_ + 1, ok), "");
  EXPECT_TRUE(ok);
  read(end_ + 2, ok);
  EXPECT_FALSE(ok);
}

TEST_F(ReplLogTest, ReadBeforeTheFirstEntryFails) {
  append("abcde");
  bool ok = true;
  read(0, ok);
  EXPECT_FALSE(ok);
}

TEST_F(ReplLogTest, ReadIsBoundedByMaxBytesInWholeEntries) {
  append("abcde");
  append("fgh");
  append("ijklmn");
  bool ok = false;
  std::string got = read(1, ok, 3);
  EXPECT_TRUE(ok);
  EXPECT_EQ(got, "abcde");  // at least one entry, stops once max_bytes is reached
  got = read(3, ok, 4);
  EXPECT_EQ(got, "cdefgh");
  got = read(1, ok, 6);
  EXPECT_EQ(got, "abcdefgh");
  // A reader continues where it stopped.
  std::string all;
  uint64_t pos = 1;
  while (pos <= end_) {
    std::string part = read(pos, ok, 1);
    ASSERT_TRUE(ok);
    ASSERT_FALSE(part.empty());
    all += part;
    pos += part.size();
  }
  EXPECT_EQ(all, stream_);
}

TEST_F(ReplLogTest, TrimKeepsTheEntryHoldingKeepFrom) {
  append("abcde");   // 1..5
  append("fgh");     // 6..8
  append("ijklmn");  // 9..14
  bool ok = false;

  ASSERT_TRUE(log_->trim_before(7).ok());  // byte 7 lives in the entry at 6
  EXPECT_EQ(log_->first_offset(), 6u);
  EXPECT_EQ(read(6, ok), "fghijklmn");
  EXPECT_TRUE(ok);
  EXPECT_EQ(read(7, ok), "ghijklmn");
  EXPECT_TRUE(ok);
  read(5, ok);
  EXPECT_FALSE(ok);  // trimmed away
  read(1, ok);
  EXPECT_FALSE(ok);

  ASSERT_TRUE(log_->trim_before(9).ok());  // exactly an entry start: 6..8 goes
  EXPECT_EQ(log_->first_offset(), 9u);
  read(8, ok);
  EXPECT_FALSE(ok);
  EXPECT_EQ(read(9, ok), "ijklmn");
  EXPECT_TRUE(ok);

  ASSERT_TRUE(log_->trim_before(14).ok());  // the last byte: its entry stays
  EXPECT_EQ(log_->first_offset(), 9u);
  EXPECT_EQ(read(14, ok), "n");
  EXPECT_TRUE(ok);

  ASSERT_TRUE(log_->trim_before(3).ok());  // before the first entry: nothing to do
  EXPECT_EQ(log_->first_offset(), 9u);
}

TEST_F(ReplLogTest, TrimOnEmptyLogAndAppendAfterTrim) {
  ASSERT_TRUE(log_->trim_before(100).ok());
  append("abc");
  append("def");
  ASSERT_TRUE(log_->trim_before(4).ok());
  append("ghi");
  bool ok = false;
  EXPECT_EQ(read(4, ok), "defghi");
  EXPECT_TRUE(ok);
  EXPECT_EQ(log_->first_offset(), 4u);
}

TEST_F(ReplLogTest, HoleInTheLogIsReported) {
  rocksdb::WriteBatch batch;
  log_->append(batch, 1, "abc");   // 1..3
  log_->append(batch, 10, "xyz");  // 10..12: 4..9 missing
  ASSERT_TRUE(engine_->write(&batch).ok());
  std::string out;
  EXPECT_FALSE(log_->read(5, 12, 1 << 20, out));
  out.clear();
  EXPECT_FALSE(log_->read(1, 12, 1 << 20, out));
  out.clear();
  EXPECT_TRUE(log_->read(11, 12, 1 << 20, out));
  EXPECT_EQ(out, "yz");
}

TEST_F(ReplLogTest, SurvivesReopen) {
  append("*1\r\n$4\r\nPING\r\n");
  append("*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n");
  log_.reset();
  engine_.reset();
  engine_ = basalt::unit::open_scratch_engine(tmp_.path().string());
  ASSERT_TRUE(engine_);
  log_ = std::make_unique<ReplLog>(*engine_);
  bool ok = false;
  EXPECT_EQ(read(1, ok), stream_);
  EXPECT_TRUE(ok);
}

}  // namespace
