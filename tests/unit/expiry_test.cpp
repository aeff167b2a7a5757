// tests/unit/expiry_test.cpp — key expiry: logical expiry in read-only Keyspace lookups, the
// expiry index kept in step by put / remove / overwrite, deletion of expired keys by writable
// views (DEL propagated), and the active expiry cycle of a running node (node/expiry), which
// deletes due keys through the write pipeline and logs each deletion as DEL.
#include <gtest/gtest.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "node/core/keyspace.h"
#include "node/core/node.h"
#include "node/core/repl_stream.h"
#include "storage/codec.h"
#include "storage/engine.h"
#include "storage/meta.h"
#include "tests/unit/node_harness.h"
#include "tests/unit/scratch_dir.h"
#include "tests/unit/scratch_engine.h"
#include "tests/unit/stream_inspect.h"

namespace {

using namespace basalt;
using storage::ValueType;
using unit::Commands;
using unit::NodeHarness;
using unit::resp;
using unit::ScratchDir;
using unit::whole_log;
namespace asio = boost::asio;

using IndexEntry = std::tuple<uint64_t, uint16_t, std::string>;  // (expire_at_ms, db, key)

std::vector<IndexEntry> expiry_index(storage::Engine& engine) {
  std::vector<IndexEntry> out;
  std::unique_ptr<rocksdb::Iterator> it(
      engine.db()->NewIterator(rocksdb::ReadOptions(), engine.expiry_cf()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t at = 0;
    uint16_t db = 0;
    std::string_view key;
    EXPECT_TRUE(storage::decode_expiry_key(std::string_view(it->key().data(), it->key().size()), at,
                                           db, key));
    EXPECT_TRUE(it->value().empty());
    out.emplace_back(at, db, std::string(key));
  }
  return out;
}

bool stored(storage::Engine& engine, uint16_t db, std::string_view key) {
  std::string v;
  return engine.db()
      ->Get(rocksdb::ReadOptions(), engine.data_cf(), storage::data_key(db, key), &v)
      .ok();
}

// Writes through writable Keyspace views, committing each one as the pipeline does (data,
// expiry index and key counts in one batch), with a clock the test chooses.
class KeyspaceExpiry : public ::testing::Test {
 protected:
  static constexpr uint64_t kNow = 1'700'000'000'000ull;

  void SetUp() override {
    engine_ = unit::open_scratch_engine(tmp_.path().string());
    ASSERT_TRUE(engine_);
    shared_.engine = engine_.get();
    shared_.key_counts.assign(16, 0);
  }

  // Runs `fn` in a writable view at time `now`, commits; returns the replication bytes.
  std::string write(uint64_t now, const std::function<void(core::Keyspace&)>& fn) {
    rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0, true);
    core::ReplStream stream;
    core::Keyspace ks(shared_, now, batch, stream);
    fn(ks);
    const auto& deltas = ks.count_deltas();
    for (size_t db = 0; db < deltas.size(); ++db) {
      if (deltas[db] == 0) continue;
      shared_.key_counts[db] =
          static_cast<uint64_t>(static_cast<int64_t>(shared_.key_counts[db]) + deltas[db]);
      storage::put_key_count(batch, *engine_, static_cast<uint16_t>(db), shared_.key_counts[db]);
    }
    ks.stage_records(*batch.GetWriteBatch());
    EXPECT_TRUE(engine_->write(batch.GetWriteBatch()).ok());
    return stream.bytes();
  }

  static void set(core::Keyspace& ks, uint16_t db, std::string_view key, std::string_view value,
                  uint64_t expire_at_ms) {
    core::Lookup old;
    ks.lookup(db, key, old);
    ks.put(db, key, ValueType::String, expire_at_ms, value, old);
  }
  static void del(core::Keyspace& ks, uint16_t db, std::string_view key) {
    core::Lookup old;
    ks.lookup(db, key, old);
    ks.remove(db, key, old);
  }

  core::Lookup read(uint16_t db, std::string_view key, uint64_t now) {
    core::Keyspace ks(shared_, now);
    core::Lookup l;
    ks.lookup(db, key, l);
    return l;
  }

  ScratchDir tmp_;
  std::unique_ptr<storage::Engine> engine_;
  core::KeyspaceShared shared_;
};

TEST_F(KeyspaceExpiry, ReadOnlyLookupHidesExpiredKeys) {
  write(kNow, [](core::Keyspace& ks) {
    set(ks, 0, "temp", "v", kNow + 5000);
    set(ks, 0, "plain", "p", 0);
  });
  core::Lookup l = read(0, "temp", kNow);
  EXPECT_TRUE(l.present);
  EXPECT_TRUE(l.live);
  EXPECT_EQ(l.record.payload, "v");
  EXPECT_EQ(l.record.expire_at_ms, kNow + 5000);
  EXPECT_TRUE(l.is(ValueType::String));

  l = read(0, "temp", kNow + 4999);
  EXPECT_TRUE(l.live);
  l = read(0, "temp", kNow + 5000);  // due at exactly its time, as in Redis
  EXPECT_TRUE(l.present);
  EXPECT_FALSE(l.live);
  EXPECT_FALSE(l.is(ValueType::String));
  l = read(0, "temp", kNow + 10000);
  EXPECT_TRUE(l.present);
  EXPECT_FALSE(l.live);

  EXPECT_TRUE(read(0, "plain", kNow + 1'000'000'000).live);
  EXPECT_FALSE(read(0, "missing", kNow).present);
  EXPECT_FALSE(read(1, "temp", kNow).present);  // other db

  // A read-only view never deletes: the key is still stored.
  EXPECT_TRUE(stored(*engine_, 0, "temp"));
}

TEST_F(KeyspaceExpiry, ReadOnlyLookupReportsExpiredKeysOnMastersOnly) {
  write(kNow, [](core::Keyspace& ks) { set(ks, 2, "temp", "v", kNow + 1); });
  std::vector<std::pair<uint16_t, std::string>> reported;
  shared_.on_expired_read = [&](uint16_t db, std::string_view key) {
    reported.emplace_back(db, std::string(key));
  };
  core::Keyspace ks(shared_, kNow + 10);
  core::Lookup l;
  ks.lookup(2, "temp", l);
  EXPECT_FALSE(l.live);
  EXPECT_TRUE(ks.saw_expired());
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0], (std::pair<uint16_t, std::string>(2, "temp")));
  ks.lookup(2, "missing", l);
  EXPECT_FALSE(ks.saw_expired());

  shared_.active_expiry = false;  // a replica waits for its master's DEL
  reported.clear();
  ks.lookup(2, "temp", l);
  EXPECT_FALSE(l.live);
  EXPECT_TRUE(reported.empty());
}

TEST_F(KeyspaceExpiry, IndexFollowsPutOverwriteAndRemove) {
  const uint64_t t1 = kNow + 1000, t2 = kNow + 2000, t3 = kNow + 3000;
  write(kNow, [&](core::Keyspace& ks) { set(ks, 0, "k", "v", t1); });
  EXPECT_EQ(expiry_index(*engine_), (std::vector<IndexEntry>{{t1, 0, "k"}}));

  write(kNow, [&](core::Keyspace& ks) { set(ks, 0, "k", "v2", t2); });  // new TTL
  EXPECT_EQ(expiry_index(*engine_), (std::vector<IndexEntry>{{t2, 0, "k"}}));

  write(kNow, [&](core::Keyspace& ks) { set(ks, 0, "k", "v3", t2); });  // same TTL (KEEPTTL)
  EXPECT_EQ(expiry_index(*engine_), (std::vector<IndexEntry>{{t2, 0, "k"}}));

  write(kNow, [&](core::Keyspace& ks) { set(ks, 0, "k", "v4", 0); });  // plain SET drops it
  EXPECT_TRUE(expiry_index(*engine_).empty());
  EXPECT_EQ(read(0, "k", kNow + 1'000'000).record.payload, "v4");

  write(kNow, [&](core::Keyspace& ks) { set(ks, 0, "k", "v5", t3); });
  EXPECT_EQ(expiry_index(*engine_), (std::vector<IndexEntry>{{t3, 0, "k"}}));
  write(kNow, [&](core::Keyspace& ks) { del(ks, 0, "k"); });
  EXPECT_TRUE(expiry_index(*engine_).empty());
  EXPECT_FALSE(stored(*engine_, 0, "k"));
  EXPECT_EQ(shared_.key_counts[0], 0u);
}

TEST_F(KeyspaceExpiry, IndexWithinOneGroup) {
  const uint64_t t1 = kNow + 1000, t2 = kNow + 2000;
  // Several changes of one key in one batch leave only the last TTL behind.
  write(kNow, [&](core::Keyspace& ks) {
    set(ks, 0, "k", "a", t1);
    set(ks, 0, "k", "b", t2);
    set(ks, 0, "gone", "x", t1);
    del(ks, 0, "gone");
  });
  EXPECT_EQ(expiry_index(*engine_), (std::vector<IndexEntry>{{t2, 0, "k"}}));
  EXPECT_EQ(shared_.key_counts[0], 1u);
}

TEST_F(KeyspaceExpiry, IndexIsOrderedByTime) {
  write(kNow, [&](core::Keyspace& ks) {
    set(ks, 3, "late", "v", kNow + 300);
    set(ks, 0, "early", "v", kNow + 100);
    set(ks, 1, "middle", "v", kNow + 200);
    set(ks, 0, "none", "v", 0);
  });
  EXPECT_EQ(expiry_index(*engine_),
            (std::vector<IndexEntry>{
                {kNow + 100, 0, "early"}, {kNow + 200, 1, "middle"}, {kNow + 300, 3, "late"}}));
}

TEST_F(KeyspaceExpiry, WritableLookupDeletesExpiredKeyAndPropagatesDel) {
  write(kNow, [&](core::Keyspace& ks) {
    set(ks, 0, "temp", "v", kNow + 100);
    set(ks, 0, "keep", "v", kNow + 100'000);
  });
  ASSERT_EQ(shared_.key_counts[0], 2u);
  bool present = true, live = true;
  std::string bytes = write(kNow + 500, [&](core::Keyspace& ks) {
    core::Lookup l;
    ks.lookup(0, "temp", l);
    present = l.present;
    live = l.live;
    ks.lookup(0, "keep", l);
    EXPECT_TRUE(l.live);
  });
  EXPECT_FALSE(present);  // writable views see present == live
  EXPECT_FALSE(live);
  EXPECT_EQ(bytes, resp({"SELECT", "0"}) + resp({"DEL", "temp"}));
  EXPECT_FALSE(stored(*engine_, 0, "temp"));
  EXPECT_EQ(expiry_index(*engine_), (std::vector<IndexEntry>{{kNow + 100'000, 0, "keep"}}));
  EXPECT_EQ(shared_.key_counts[0], 1u);
  EXPECT_EQ(shared_.expired_keys, 1u);
}

TEST_F(KeyspaceExpiry, ReplicaWritableViewKeepsExpiredKeys) {
  write(kNow, [&](core::Keyspace& ks) { set(ks, 0, "temp", "v", kNow + 100); });
  shared_.active_expiry = false;
  core::Lookup seen;
  std::string bytes = write(kNow + 500, [&](core::Keyspace& ks) { ks.lookup(0, "temp", seen); });
  EXPECT_TRUE(seen.present);
  EXPECT_FALSE(seen.live);
  EXPECT_TRUE(bytes.empty());
  EXPECT_TRUE(stored(*engine_, 0, "temp"));
  EXPECT_EQ(expiry_index(*engine_).size(), 1u);
}

TEST_F(KeyspaceExpiry, ExpireIfNeeded) {
  write(kNow, [&](core::Keyspace& ks) {
    set(ks, 0, "temp", "v", kNow + 100);
    set(ks, 0, "plain", "v", 0);
  });
  bool early = true, plain = true, missing = true, due = false;
  std::string bytes = write(kNow + 50, [&](core::Keyspace& ks) {
    early = ks.expire_if_needed(0, "temp");
    plain = ks.expire_if_needed(0, "plain");
    missing = ks.expire_if_needed(0, "missing");
  });
  EXPECT_FALSE(early);
  EXPECT_FALSE(plain);
  EXPECT_FALSE(missing);
  EXPECT_TRUE(bytes.empty());
  bytes = write(kNow + 100, [&](core::Keyspace& ks) { due = ks.expire_if_needed(0, "temp"); });
  EXPECT_TRUE(due);
  EXPECT_EQ(bytes, resp({"SELECT", "0"}) + resp({"DEL", "temp"}));
  EXPECT_TRUE(expiry_index(*engine_).empty());
  EXPECT_EQ(shared_.key_counts[0], 1u);
}

TEST_F(KeyspaceExpiry, FlushAllDropsTheIndex) {
  write(kNow, [&](core::Keyspace& ks) {
    set(ks, 0, "a", "v", kNow + 100);
    set(ks, 5, "b", "v", kNow + 200);
  });
  write(kNow, [&](core::Keyspace& ks) { ks.flush(-1); });
  EXPECT_TRUE(expiry_index(*engine_).empty());
  EXPECT_EQ(shared_.key_counts[0], 0u);
  EXPECT_EQ(shared_.key_counts[5], 0u);
}

// ---------------------------------------------------------------------------------------------
// The active expiry cycle of a running node.

size_t count_of(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1))
    ++n;
  return n;
}

TEST(ActiveExpiry, DeletesDueKeysAndLogsDel) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string(), [](config::Config& c) { c.hz = 100; });
  bool deleted = false;
  std::string replies;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    core::Client& client = node.add_client();
    Commands a;
    a.add({"SET", "soon", "v", "PX", "30"}).add({"SET", "plain", "v"});
    a.add({"SET", "later", "v", "EX", "3600"});
    replies = co_await unit::execute(node, client, a);
    deleted = co_await unit::poll_until([&] { return !stored(node.engine(), 0, "soon"); },
                                        std::chrono::seconds(5));
  });
  EXPECT_EQ(replies, "+OK\r\n+OK\r\n+OK\r\n");
  ASSERT_TRUE(deleted) << "the expiry cycle did not delete the key in time";
  core::Node& node = h.node();
  std::string log = whole_log(node);
  std::string del = resp({"DEL", "soon"});
  ASSERT_GE(log.size(), del.size());
  EXPECT_EQ(log.substr(log.size() - del.size()), del);
  EXPECT_EQ(count_of(log, "$3\r\nDEL\r\n"), 1u);
  EXPECT_EQ(node.keyspace().expired_keys, 1u);
  EXPECT_EQ(node.keyspace().key_counts[0], 2u);
  EXPECT_TRUE(stored(node.engine(), 0, "plain"));
  EXPECT_TRUE(stored(node.engine(), 0, "later"));
  auto index = expiry_index(node.engine());
  ASSERT_EQ(index.size(), 1u);
  EXPECT_EQ(std::get<2>(index[0]), "later");
  EXPECT_EQ(storage::load_key_counts(node.engine(), 16)[0], 2u);
}

TEST(ActiveExpiry, DeletesManyKeysAcrossCycles) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string(), [](config::Config& c) { c.hz = 100; });
  constexpr int kKeys = 2500;  // more than one cycle takes at once
  bool all_gone = false;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    core::Client& client = node.add_client();
    Commands a;
    for (int i = 0; i < kKeys; ++i) a.add({"SET", "k" + std::to_string(i), "v", "PX", "20"});
    co_await unit::execute(node, client, a);
    all_gone = co_await unit::poll_until([&] { return node.keyspace().key_counts[0] == 0; },
                                         std::chrono::seconds(10));
  });
  ASSERT_TRUE(all_gone);
  EXPECT_TRUE(expiry_index(h.node().engine()).empty());
  EXPECT_EQ(h.node().keyspace().expired_keys, static_cast<uint64_t>(kKeys));
  EXPECT_EQ(count_of(whole_log(h.node()), "$3\r\nDEL\r\n"), static_cast<size_t>(kKeys));
}

TEST(ActiveExpiry, ReplicaNeverDeletesOnItsOwn) {
  ScratchDir tmp;
  {
    NodeHarness h(tmp.path().string());
    h.run([&](core::Node& node) -> asio::awaitable<void> {
      core::Client& client = node.add_client();
      Commands a{"SET", "soon", "v", "PX", "1"};
      co_await unit::execute(node, client, a);
    });
  }
  // The same data as a replica: active expiry is off.
  NodeHarness h(tmp.path().string(), [](config::Config& c) { c.hz = 100; });
  ASSERT_EQ(h.node().repl_state().become_replica("127.0.0.1", 1), "");
  h.node().keyspace().active_expiry = false;
  uint64_t offset_change = 0;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    // Wait out a few cron periods (10 ms each); nothing may change meanwhile.
    uint64_t offset = node.repl().master_repl_offset;
    co_await unit::poll_until([&] { return node.repl().master_repl_offset != offset; },
                              std::chrono::milliseconds(100));
    offset_change = node.repl().master_repl_offset - offset;
  });
  EXPECT_EQ(offset_change, 0u);
  EXPECT_TRUE(stored(h.node().engine(), 0, "soon"));
  EXPECT_EQ(expiry_index(h.node().engine()).size(), 1u);
}

TEST(ActiveExpiry, ExpiredReadQueuesTheDeletion) {
  ScratchDir tmp;
  // hz 1: the first cycle is a second away; the deletion below comes from the read.
  NodeHarness h(tmp.path().string(), [](config::Config& c) { c.hz = 1; });
  bool live = true, deleted = false;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    core::Client& client = node.add_client();
    Commands a{"SET", "soon", "v", "PX", "1"};
    co_await unit::execute(node, client, a);
    uint64_t set_at = core::unix_time_ms();
    co_await unit::poll_until([&] { return core::unix_time_ms() > set_at + 2; },
                              std::chrono::milliseconds(100), std::chrono::milliseconds(1));
    core::Keyspace ks(node.keyspace(), core::unix_time_ms());
    core::Lookup l;
    ks.lookup(0, "soon", l);
    live = l.live;
    deleted = co_await unit::poll_until([&] { return !stored(node.engine(), 0, "soon"); },
                                        std::chrono::seconds(5));
  });
  EXPECT_FALSE(live);
  ASSERT_TRUE(deleted);
  std::string log = whole_log(h.node());
  std::string del = resp({"DEL", "soon"});
  EXPECT_EQ(log.substr(log.size() - del.size()), del);
  EXPECT_EQ(h.node().keyspace().key_counts[0], 0u);
}

}  // namespace
