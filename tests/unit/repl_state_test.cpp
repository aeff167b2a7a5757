// tests/unit/repl_state_test.cpp — ReplState, the one owner of the replication state: every
// change is in meta when it takes effect (a reopen sees exactly what memory saw), the write
// path's offset only moves once its batch committed, and promotion keeps the old history.
#include "node/core/repl_state.h"

#include <gtest/gtest.h>
#include <rocksdb/write_batch.h>

#include "storage/engine.h"
#include "storage/meta.h"
#include "tests/unit/scratch_dir.h"
#include "tests/unit/scratch_engine.h"

namespace basalt::core {
namespace {

// What a restart would load.
storage::ReplMeta reloaded(storage::Engine& engine) {
  return storage::load_repl_meta(engine);
}

TEST(ReplState, AFreshDirectoryGetsItsIdWrittenAtOnce) {
  unit::ScratchDir tmp;
  auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
  ReplState state(*engine);
  ASSERT_EQ(state.load(), "");
  EXPECT_EQ(reloaded(*engine).replid, state.get().replid);
  EXPECT_FALSE(state.is_replica());
}

TEST(ReplState, TheOffsetMovesOnlyWithItsCommittedBatch) {
  unit::ScratchDir tmp;
  auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
  ReplState state(*engine);
  ASSERT_EQ(state.load(), "");
  rocksdb::WriteBatch batch;
  state.stage_advance(batch, 120, 3);
  EXPECT_EQ(state.get().master_repl_offset, 0u);  // staged, not committed
  ASSERT_TRUE(engine->write(&batch).ok());
  state.advanced(120, 3);
  EXPECT_EQ(state.get().master_repl_offset, 120u);
  EXPECT_EQ(state.get().stream_db, 3);
  storage::ReplMeta m = reloaded(*engine);
  EXPECT_EQ(m.master_repl_offset, 120u);
  EXPECT_EQ(m.stream_db, 3);
  // An unknown db (-1) keeps the one in effect.
  rocksdb::WriteBatch more;
  state.stage_advance(more, 150, -1);
  ASSERT_TRUE(engine->write(&more).ok());
  state.advanced(150, -1);
  EXPECT_EQ(reloaded(*engine).stream_db, 3);
  EXPECT_EQ(state.get().stream_db, 3);
}

TEST(ReplState, RoleAndHistoryChangesAreDurableWhenTheyTakeEffect) {
  unit::ScratchDir tmp;
  auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
  ReplState state(*engine);
  ASSERT_EQ(state.load(), "");
  rocksdb::WriteBatch batch;
  state.stage_advance(batch, 500, 0);
  ASSERT_TRUE(engine->write(&batch).ok());
  state.advanced(500, 0);
  std::string first_id = state.get().replid;

  ASSERT_EQ(state.become_replica("10.0.0.7", 6400), "");
  storage::ReplMeta m = reloaded(*engine);
  EXPECT_EQ(m.role, "replica");
  EXPECT_EQ(m.master_host, "10.0.0.7");
  EXPECT_EQ(m.master_port, 6400);
  EXPECT_EQ(m.replid, first_id);  // our history is kept until a sync says otherwise

  std::string masters_new_id(40, 'c');
  ASSERT_EQ(state.follow_new_id(masters_new_id), "");
  m = reloaded(*engine);
  EXPECT_EQ(m.replid, masters_new_id);
  EXPECT_EQ(m.replid2, first_id);
  EXPECT_EQ(m.second_replid_offset, 501);
  EXPECT_TRUE(m.synced);

  ASSERT_EQ(state.promote(), "");
  m = reloaded(*engine);
  EXPECT_EQ(m.role, "master");
  EXPECT_EQ(m.replid2, masters_new_id);
  EXPECT_EQ(m.second_replid_offset, 501);
  EXPECT_NE(m.replid, masters_new_id);
  EXPECT_EQ(m.replid, state.get().replid);
  EXPECT_EQ(m.master_repl_offset, 500u);  // role changes never touch the offset
}

TEST(ReplState, AFullSyncStartsANewHistoryAtTheSnapshotOffset) {
  unit::ScratchDir tmp;
  auto engine = basalt::unit::open_scratch_engine(tmp.path().string());
  ReplState state(*engine);
  ASSERT_EQ(state.load(), "");
  ASSERT_EQ(state.promote(), "");  // some replid2 to forget
  storage::ReplMeta next = state.after_full_sync(std::string(40, 'd'), 9000, 2);
  EXPECT_EQ(state.get().master_repl_offset, 0u);  // nothing changes until adopted
  EXPECT_EQ(next.replid, std::string(40, 'd'));
  EXPECT_EQ(next.replid2, std::string(40, '0'));
  EXPECT_EQ(next.second_replid_offset, -1);
  EXPECT_EQ(next.master_repl_offset, 9000u);
  EXPECT_EQ(next.stream_db, 2);
  EXPECT_TRUE(next.synced);
  rocksdb::WriteBatch batch;
  storage::put_repl_meta(batch, *engine, next);
  ASSERT_TRUE(engine->write(&batch).ok());
  state.adopt(next);
  EXPECT_EQ(reloaded(*engine).master_repl_offset, 9000u);
  EXPECT_EQ(state.get().replid, std::string(40, 'd'));
}

}  // namespace
}  // namespace basalt::core
