// tests/unit/write_pipeline_test.cpp — the ordered write pipeline, driven in-process through a
// core::Node on a temporary data directory: replies in order, one total order across
// concurrent jobs (group commit), the replication offset and log holding exactly the RESP
// stream, key counts, and the S1 invariant across a close and reopen of the directory.
#include "node/core/write_pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "node/core/keyspace.h"
#include "node/core/node.h"
#include "storage/meta.h"
#include "storage/repl_log.h"
#include "tests/unit/node_harness.h"
#include "tests/unit/scratch_dir.h"
#include "tests/unit/stream_inspect.h"

namespace {

using namespace basalt;
using unit::Commands;
using unit::NodeHarness;
using unit::resp;
using unit::ScratchDir;
using unit::whole_log;
namespace asio = boost::asio;

const std::string kSelect0 = resp({"SELECT", "0"});

// A committed value as a read-only view sees it ("<none>" if missing or expired).
std::string value_of(core::Node& node, uint16_t db, std::string_view key) {
  core::Keyspace ks(node.keyspace(), core::unix_time_ms());
  core::Lookup l;
  ks.lookup(db, key, l);
  return l.live ? std::string(l.record.payload) : "<none>";
}

TEST(WritePipeline, RepliesInOrderWithinAJob) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  std::string replies;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    core::Client& client = node.add_client();
    Commands cmds;
    cmds.add({"SET", "k", "1"})
        .add({"INCR", "k"})
        .add({"INCR", "k"})
        .add({"GET", "k"})
        .add({"GET", "missing"})
        .add({"SET", "s", "abc"})
        .add({"INCR", "s"})
        .add({"INCRBY", "k", "10"})
        .add({"NOSUCHCOMMAND", "x"});
    replies = co_await unit::execute(node, client, cmds);
  });
  EXPECT_EQ(replies,
            "+OK\r\n"
            ":2\r\n"
            ":3\r\n"
            "$1\r\n3\r\n"
            "$-1\r\n"
            "+OK\r\n"
            "-ERR value is not an integer or out of range\r\n"
            ":13\r\n"
            "-ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' \r\n");
}

TEST(WritePipeline, ConcurrentJobsApplyInSubmissionOrder) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  constexpr int kJobs = 100;
  std::vector<std::string> replies(kJobs);
  std::vector<int> submitted;  // job ids in the order they entered the pipeline
  uint64_t groups = 0;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    uint64_t groups_before = node.stats().write_groups;
    co_await unit::run_concurrently(kJobs, [&](int i) -> asio::awaitable<void> {
      core::Client& client = node.add_client();
      Commands cmds{"INCR", "counter"};
      submitted.push_back(i);
      replies[i] = co_await unit::execute(node, client, cmds);
    });
    groups = node.stats().write_groups - groups_before;
  });

  ASSERT_EQ(submitted.size(), static_cast<size_t>(kJobs));
  std::set<std::string> distinct(replies.begin(), replies.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kJobs));
  for (int pos = 0; pos < kJobs; ++pos) {
    // The n-th job to enter the pipeline saw the n-th increment.
    EXPECT_EQ(replies[submitted[pos]], ":" + std::to_string(pos + 1) + "\r\n")
        << "position " << pos;
  }
  // Group commit: concurrent jobs share groups.
  EXPECT_GE(groups, 1u);
  EXPECT_LT(groups, static_cast<uint64_t>(kJobs));
  EXPECT_EQ(value_of(h.node(), 0, "counter"), "100");
  // The stream holds the increments in the same order.
  std::string expected = kSelect0;
  for (int i = 0; i < kJobs; ++i) expected += resp({"INCR", "counter"});
  EXPECT_EQ(whole_log(h.node()), expected);
  EXPECT_EQ(h.node().repl().master_repl_offset, expected.size());
}

TEST(WritePipeline, OffsetAndLogHoldExactlyTheStream) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  uint64_t offset_before = 99;
  std::vector<uint64_t> offsets;  // after each job
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    offset_before = node.repl().master_repl_offset;
    core::Client& c0 = node.add_client();
    core::Client& c1 = node.add_client();
    c1.db = 1;
    Commands a;
    a.add({"SET", "a", "1"}).add({"INCR", "a"}).add({"SET", "b", "x y\r\nz"});
    co_await unit::execute(node, c0, a);
    offsets.push_back(node.repl().master_repl_offset);
    Commands b{"SET", "c", "3"};
    co_await unit::execute(node, c1, b);
    offsets.push_back(node.repl().master_repl_offset);
    // Reads and refused writes add nothing to the stream.
    Commands c;
    c.add({"GET", "a"}).add({"INCR", "b"}).add({"GET", "nope"}).add({"SET", "a"});
    co_await unit::execute(node, c0, c);
    offsets.push_back(node.repl().master_repl_offset);
    Commands d{"SET", "d", "4"};  // back to db 0: SELECT again
    co_await unit::execute(node, c0, d);
    offsets.push_back(node.repl().master_repl_offset);
  });
  EXPECT_EQ(offset_before, 0u);
  std::string s1 =
      kSelect0 + resp({"SET", "a", "1"}) + resp({"INCR", "a"}) + resp({"SET", "b", "x y\r\nz"});
  std::string s2 = resp({"SELECT", "1"}) + resp({"SET", "c", "3"});
  std::string s3 = kSelect0 + resp({"SET", "d", "4"});
  ASSERT_EQ(offsets.size(), 4u);
  EXPECT_EQ(offsets[0], s1.size());
  EXPECT_EQ(offsets[1], s1.size() + s2.size());
  EXPECT_EQ(offsets[2], offsets[1]);
  EXPECT_EQ(offsets[3], s1.size() + s2.size() + s3.size());

  core::Node& node = h.node();
  bool ok = false;
  EXPECT_EQ(whole_log(node, &ok), s1 + s2 + s3);
  EXPECT_TRUE(ok);
  // Readable from any byte, e.g. a replica continuing after the first job.
  std::string tail;
  EXPECT_TRUE(node.repl_log().read(s1.size() + 1, node.repl().master_repl_offset, 1 << 20, tail));
  EXPECT_EQ(tail, s2 + s3);
  // Meta holds the same offset (written in the same batch).
  EXPECT_EQ(storage::load_repl_meta(node.engine()).master_repl_offset, offsets[3]);
}

TEST(WritePipeline, KeyCounts) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  std::vector<uint64_t> after_sets, after_delete;
  std::string dbsize_reply;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    core::Client& c0 = node.add_client();
    core::Client& c2 = node.add_client();
    c2.db = 2;
    Commands a;
    a.add({"SET", "x", "1"}).add({"SET", "y", "1"}).add({"SET", "z", "1"});
    a.add({"SET", "x", "2"});  // overwrite: no new key
    a.add({"INCR", "w"});      // creates a key
    co_await unit::execute(node, c0, a);
    Commands b;
    b.add({"SET", "p", "1"}).add({"SET", "q", "1"});
    co_await unit::execute(node, c2, b);
    after_sets = node.keyspace().key_counts;
    Commands c;
    c.add({"GETDEL", "x"}).add({"GETDEL", "x"}).add({"DBSIZE"});
    dbsize_reply = co_await unit::execute(node, c0, c);
    after_delete = node.keyspace().key_counts;
  });
  ASSERT_EQ(after_sets.size(), 16u);
  EXPECT_EQ(after_sets[0], 4u);
  EXPECT_EQ(after_sets[2], 2u);
  EXPECT_EQ(after_sets[1], 0u);
  EXPECT_EQ(after_delete[0], 3u);
  EXPECT_EQ(after_delete[2], 2u);
  EXPECT_EQ(dbsize_reply, "$1\r\n2\r\n$-1\r\n:3\r\n");
  // A read-only view reports the committed counts, and meta holds the same.
  core::Keyspace ks(h.node().keyspace(), core::unix_time_ms());
  EXPECT_EQ(ks.dbsize(0), 3u);
  EXPECT_EQ(ks.dbsize(2), 2u);
  EXPECT_EQ(storage::load_key_counts(h.node().engine(), 16), after_delete);
}

TEST(WritePipeline, FlushBarrierInsideAGroup) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  std::string replies;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    core::Client& client = node.add_client();
    Commands a;
    a.add({"SET", "a", "1"}).add({"SET", "b", "1"}).add({"FLUSHDB"}).add({"SET", "c", "1"});
    a.add({"GET", "a"}).add({"DBSIZE"});
    replies = co_await unit::execute(node, client, a);
  });
  EXPECT_EQ(replies, "+OK\r\n+OK\r\n+OK\r\n+OK\r\n$-1\r\n:1\r\n");
  EXPECT_EQ(h.node().keyspace().key_counts[0], 1u);
  EXPECT_EQ(value_of(h.node(), 0, "a"), "<none>");
  EXPECT_EQ(value_of(h.node(), 0, "c"), "1");
  EXPECT_EQ(whole_log(h.node()), kSelect0 + resp({"SET", "a", "1"}) + resp({"SET", "b", "1"}) +
                                     resp({"FLUSHDB"}) + resp({"SET", "c", "1"}));
  EXPECT_EQ(storage::load_key_counts(h.node().engine(), 16)[0], 1u);
}

// S1: data, log and offset are one batch, so a reopened directory has all three in step.
TEST(WritePipeline, ReopenKeepsOffsetDataAndCounts) {
  ScratchDir tmp;
  std::string replid, stream;
  uint64_t offset = 0;
  std::vector<uint64_t> counts;
  {
    NodeHarness h(tmp.path().string());
    ASSERT_FALSE(h.node().repl().has_history);
    h.run([&](core::Node& node) -> asio::awaitable<void> {
      core::Client& c0 = node.add_client();
      core::Client& c3 = node.add_client();
      c3.db = 3;
      Commands a;
      for (int i = 0; i < 20; ++i) a.add({"INCR", "n"});
      a.add({"SET", "k", "v"});
      co_await unit::execute(node, c0, a);
      Commands b{"SET", "k3", "v3"};
      co_await unit::execute(node, c3, b);
    });
    replid = h.node().repl().replid;
    offset = h.node().repl().master_repl_offset;
    counts = h.node().keyspace().key_counts;
    stream = whole_log(h.node());
  }
  ASSERT_GT(offset, 0u);
  ASSERT_EQ(stream.size(), offset);

  std::string more;
  {
    NodeHarness h(tmp.path().string());
    core::Node& node = h.node();
    EXPECT_TRUE(node.repl().has_history);
    EXPECT_EQ(node.repl().replid, replid);
    EXPECT_EQ(node.repl().master_repl_offset, offset);
    EXPECT_EQ(node.keyspace().key_counts, counts);
    EXPECT_EQ(counts[0], 2u);
    EXPECT_EQ(counts[3], 1u);
    EXPECT_EQ(value_of(node, 0, "n"), "20");
    EXPECT_EQ(value_of(node, 0, "k"), "v");
    EXPECT_EQ(value_of(node, 3, "k3"), "v3");
    EXPECT_EQ(whole_log(node), stream);
    // Writing on: the offset continues, and the stream re-selects the db after the restart.
    std::string reply;
    h.run([&](core::Node& n) -> asio::awaitable<void> {
      core::Client& c0 = n.add_client();
      Commands a{"INCR", "n"};
      reply = co_await unit::execute(n, c0, a);
    });
    EXPECT_EQ(reply, ":21\r\n");
    more = kSelect0 + resp({"INCR", "n"});
    EXPECT_EQ(node.repl().master_repl_offset, offset + more.size());
    EXPECT_EQ(whole_log(node), stream + more);
  }
  NodeHarness h(tmp.path().string());
  EXPECT_EQ(h.node().repl().master_repl_offset, offset + more.size());
  EXPECT_EQ(whole_log(h.node()), stream + more);
  EXPECT_EQ(value_of(h.node(), 0, "n"), "21");
}

TEST(WritePipeline, IncrByFloatIsLoggedAsSetKeepttl) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  std::string replies;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    core::Client& client = node.add_client();
    Commands a;
    a.add({"SET", "f", "10.5"}).add({"INCRBYFLOAT", "f", "0.1"});
    replies = co_await unit::execute(node, client, a);
  });
  EXPECT_EQ(replies, "+OK\r\n$4\r\n10.6\r\n");
  EXPECT_EQ(whole_log(h.node()),
            kSelect0 + resp({"SET", "f", "10.5"}) + resp({"SET", "f", "10.6", "KEEPTTL"}));
}

// A group is bounded by bytes as well as jobs: 8 concurrent jobs of 6 MB each can't share one
// group (16 MB bound), small ones still do.
TEST(WritePipeline, GroupsAreBoundedByBytes) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  constexpr int kJobs = 8;
  const std::string big(6u << 20, 'v');
  uint64_t groups = 0;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    uint64_t before = node.stats().write_groups;
    co_await unit::run_concurrently(kJobs, [&](int i) -> asio::awaitable<void> {
      core::Client& client = node.add_client();
      std::string key = "big" + std::to_string(i);
      Commands cmds{"SET", key, big};
      std::string reply = co_await unit::execute(node, client, cmds);
      EXPECT_EQ(reply, "+OK\r\n");
    });
    groups = node.stats().write_groups - before;
  });
  // At most 3 jobs of 6 MB fit before the 16 MB bound is reached.
  EXPECT_GE(groups, static_cast<uint64_t>((kJobs + 2) / 3));
  EXPECT_EQ(h.node().keyspace().key_counts[0], static_cast<uint64_t>(kJobs));
}
}  // namespace
