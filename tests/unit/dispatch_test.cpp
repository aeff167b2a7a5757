// tests/unit/dispatch_test.cpp — the gates commands::run_command (node/commands/dispatcher.cpp)
// applies to every command before its handler: unknown command, arity, NOAUTH, NOREPLICAS,
// READONLY, MASTERDOWN, the subscribed (RESP2 Pub/Sub) context and MULTI queueing, each refusing
// what it must and letting through what it must not stop, and the order in which they apply. Runs
// commands one by one on a core::Node opened in-process (not started: no listener, no timers).
#include <gtest/gtest.h>
#include <rocksdb/comparator.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "node/commands/dispatcher.h"
#include "node/config/config.h"
#include "node/core/client.h"
#include "node/core/keyspace.h"
#include "node/core/node.h"
#include "node/core/repl_stream.h"
#include "node/protocol/reply.h"
#include "node/replication/replication.h"
#include "tests/unit/node_harness.h"
#include "tests/unit/scratch_dir.h"

namespace {

using namespace basalt;
using unit::NodeHarness;
using unit::ScratchDir;

const std::string kNoAuth = "-NOAUTH Authentication required.\r\n";
const std::string kNoReplicas = "-NOREPLICAS Not enough good replicas to write.\r\n";
const std::string kReadOnly = "-READONLY You can't write against a read only replica.\r\n";
const std::string kMasterDown =
    "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n";
const std::string kOutsideGroup = "-ERR internal error: write command outside a write group\r\n";

std::string wrong_args(const std::string& name) {
  return "-ERR wrong number of arguments for '" + name + "' command\r\n";
}

std::string not_when_subscribed(const std::string& name) {
  return "-ERR Can't execute '" + name +
         "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
         "context\r\n";
}

// One node for the suite (opening RocksDB is the slow part); each test gets the node's original
// config and role back and a fresh client. Nothing is ever committed to the node.
class Dispatch : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<ScratchDir>();
    harness_ = std::make_unique<NodeHarness>(tmp_->path().string());
    original_config_ = harness_->node().config();
  }
  static void TearDownTestSuite() {
    harness_.reset();
    tmp_.reset();
  }

  void SetUp() override {
    ASSERT_TRUE(harness_->opened());
    node().config() = original_config_;
    if (node().is_replica()) {
      ASSERT_EQ(node().repl_state().promote(), "");
    }
    client_ = &node().add_client();
  }
  void TearDown() override { node().remove_client(client_->id); }

  core::Node& node() { return harness_->node(); }
  core::Client& client() { return *client_; }
  replication::Replication& replication() { return harness_->app().replication(); }

  // Runs one command on a read-only view (as a connection runs reads) and returns its reply.
  // A write that passes every gate reaches the "outside a write group" check instead.
  std::string read(std::initializer_list<std::string_view> argv) {
    core::Keyspace ks(node().keyspace(), core::unix_time_ms());
    return dispatch(ks, argv);
  }

  // Runs one command on a writable view (as the write pipeline runs writes); the batch is
  // never committed.
  std::string write(std::initializer_list<std::string_view> argv) {
    rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0, true);
    core::ReplStream stream;
    core::Keyspace ks(node().keyspace(), core::unix_time_ms(), batch, stream);
    return dispatch(ks, argv);
  }

  // Makes the node a replica whose link to its master is down.
  void become_replica() {
    // (The replication link is never started here, so it stays down.)
    ASSERT_EQ(node().repl_state().become_replica("127.0.0.1", 1), "");
    ASSERT_TRUE(node().is_replica());
  }

 private:
  std::string dispatch(core::Keyspace& ks, std::initializer_list<std::string_view> argv) {
    std::string out;
    protocol::ReplyBuilder reply(out);
    std::vector<std::string_view> args(argv);
    node().command_runner().run(*client_, ks, reply, commands::table().find(args[0]), args);
    return out;
  }

  static inline std::unique_ptr<ScratchDir> tmp_;
  static inline std::unique_ptr<NodeHarness> harness_;
  static inline config::Config original_config_;
  core::Client* client_ = nullptr;
};

TEST_F(Dispatch, CommandsPassEveryGateByDefault) {
  EXPECT_EQ(write({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(read({"PING"}), "+PONG\r\n");
  EXPECT_EQ(read({"GET", "k"}), "$-1\r\n");  // the write above was never committed
}

TEST_F(Dispatch, UnknownCommandQuotesTheNameAndArguments) {
  EXPECT_EQ(read({"NoSuchCmd", "a", "b c"}),
            "-ERR unknown command 'NoSuchCmd', with args beginning with: 'a' 'b c' \r\n");
  EXPECT_EQ(read({"nosuch"}), "-ERR unknown command 'nosuch', with args beginning with: \r\n");
  // The arguments are quoted up to 128 bytes in all.
  const std::string long_arg(300, 'x');
  const std::string reply = read({"nosuch", long_arg, "next"});
  EXPECT_EQ(reply, "-ERR unknown command 'nosuch', with args beginning with: '" +
                       std::string(128, 'x') + "' \r\n");
}

TEST_F(Dispatch, ArityIsCheckedForFixedAndMinimumCounts) {
  // GET has arity 2 (exactly), SET -3 (at least 3), PING -1.
  EXPECT_EQ(read({"GET"}), wrong_args("get"));
  EXPECT_EQ(read({"GET", "a", "b"}), wrong_args("get"));
  EXPECT_EQ(read({"get", "a"}), "$-1\r\n");
  EXPECT_EQ(write({"SET", "k"}), wrong_args("set"));
  EXPECT_EQ(write({"SET", "k", "v", "NX"}), "+OK\r\n");
  EXPECT_EQ(read({"PING", "x"}), "$1\r\nx\r\n");
}

TEST_F(Dispatch, UnknownCommandComesBeforeEverythingElse) {
  client().authenticated = false;
  client().in_multi = true;
  EXPECT_EQ(read({"nosuch"}), "-ERR unknown command 'nosuch', with args beginning with: \r\n");
  EXPECT_TRUE(client().multi_queue.empty());
  EXPECT_TRUE(client().multi_dirty) << "a refused command inside MULTI dooms the transaction";
}

TEST_F(Dispatch, NoAuthRefusesAllButTheNoAuthCommands) {
  client().authenticated = false;
  EXPECT_EQ(read({"GET", "k"}), kNoAuth);
  EXPECT_EQ(read({"PING"}), kNoAuth);
  EXPECT_EQ(write({"SET", "k", "v"}), kNoAuth);
  // Arity is checked first (as Redis): the wrong count is reported, not NOAUTH.
  EXPECT_EQ(read({"GET"}), wrong_args("get"));
  // AUTH, HELLO, QUIT, RESET are let through to their handlers.
  EXPECT_NE(read({"AUTH", "whatever"}), kNoAuth);
  EXPECT_FALSE(client().authenticated) << "AUTH without a configured password must not log in";
  EXPECT_NE(read({"HELLO", "2"}), kNoAuth);
  EXPECT_EQ(read({"QUIT"}), "+OK\r\n");
  client().authenticated = true;
  EXPECT_EQ(read({"PING"}), "+PONG\r\n");
}

TEST_F(Dispatch, NoReplicasRefusesWritesOnlyWhenConfigured) {
  EXPECT_EQ(replication().good_replicas(), 0);
  node().config().min_replicas_to_write = 1;
  EXPECT_EQ(write({"SET", "k", "v"}), kNoReplicas);
  EXPECT_EQ(write({"DEL", "k"}), kNoReplicas);
  // Reads are not writes.
  EXPECT_EQ(read({"GET", "k"}), "$-1\r\n");
  // min-replicas-max-lag 0 turns the check off, as in Redis.
  node().config().min_replicas_max_lag = 0;
  EXPECT_EQ(write({"SET", "k", "v"}), "+OK\r\n");
  node().config().min_replicas_max_lag = 10;
  node().config().min_replicas_to_write = 0;
  EXPECT_EQ(write({"SET", "k", "v"}), "+OK\r\n");
}

TEST_F(Dispatch, NoReplicasDoesNotApplyOnAReplica) {
  become_replica();
  node().config().min_replicas_to_write = 1;
  client().is_master_link = true;  // the master's stream is applied whatever we require
  EXPECT_EQ(write({"SET", "k", "v"}), "+OK\r\n");
}

TEST_F(Dispatch, ReadOnlyReplicaRefusesClientWritesButNotTheMastersStream) {
  become_replica();
  EXPECT_EQ(write({"SET", "k", "v"}), kReadOnly);
  EXPECT_EQ(write({"INCR", "n"}), kReadOnly);
  EXPECT_EQ(read({"GET", "k"}), "$-1\r\n");
  client().is_master_link = true;
  EXPECT_EQ(write({"SET", "k", "v"}), "+OK\r\n");
  client().is_master_link = false;
  node().config().replica_read_only = false;
  EXPECT_EQ(write({"SET", "k", "v"}), "+OK\r\n");
}

TEST_F(Dispatch, MasterDownRefusesNonStaleCommandsWhenStaleDataIsOff) {
  become_replica();
  ASSERT_FALSE(replication().link_up());
  // Stale data is served by default.
  EXPECT_EQ(read({"GET", "k"}), "$-1\r\n");
  node().config().replica_serve_stale_data = false;
  EXPECT_EQ(read({"GET", "k"}), kMasterDown);
  EXPECT_EQ(read({"DBSIZE"}), kMasterDown);
  // Commands flagged stale still run (PING, INFO, CONFIG, ...).
  EXPECT_EQ(read({"PING"}), "+PONG\r\n");
  EXPECT_EQ(read({"ECHO", "e"}), "$1\r\ne\r\n");
  EXPECT_NE(read({"CONFIG", "GET", "maxmemory"}), kMasterDown);
  // A write is refused as READONLY first; with writes allowed it meets MASTERDOWN.
  EXPECT_EQ(write({"SET", "k", "v"}), kReadOnly);
  node().config().replica_read_only = false;
  EXPECT_EQ(write({"SET", "k", "v"}), kMasterDown);
  // The master's own stream is never refused.
  client().is_master_link = true;
  EXPECT_EQ(write({"SET", "k", "v"}), "+OK\r\n");
}

TEST_F(Dispatch, MasterDownDoesNotApplyOnAMaster) {
  node().config().replica_serve_stale_data = false;
  EXPECT_EQ(read({"GET", "k"}), "$-1\r\n");
}

TEST_F(Dispatch, SubscribedResp2ClientMayOnlyRunPubSubPingQuitReset) {
  client().subscriptions = 1;
  EXPECT_EQ(read({"GET", "k"}), not_when_subscribed("get"));
  EXPECT_EQ(write({"SET", "k", "v"}), not_when_subscribed("set"));
  EXPECT_EQ(read({"echo", "x"}), not_when_subscribed("echo"));
  // Allowed ones reach their handlers.
  EXPECT_NE(read({"PING"}), not_when_subscribed("ping"));
  EXPECT_NE(read({"UNSUBSCRIBE", "nothing"}), not_when_subscribed("unsubscribe"));
  // Arity and NOAUTH come first.
  EXPECT_EQ(read({"GET"}), wrong_args("get"));
  // A RESP3 client may run anything while subscribed.
  client().subscriptions = 1;
  client().protocol_version = 3;
  EXPECT_NE(read({"GET", "k"}), not_when_subscribed("get"));
}

TEST_F(Dispatch, MultiQueuesCommandsWithOwnCopiesOfTheirArguments) {
  client().in_multi = true;
  {
    std::string key = "queued-key";
    std::string value = "queued-value";
    core::Keyspace ks(node().keyspace(), core::unix_time_ms());
    std::string out;
    protocol::ReplyBuilder reply(out);
    std::vector<std::string_view> args = {"SET", key, value};
    node().command_runner().run(client(), ks, reply, commands::table().find(args[0]), args);
    EXPECT_EQ(out, "+QUEUED\r\n");
    key.assign(key.size(), '#');  // the connection reuses its read buffer
    value.assign(value.size(), '#');
  }
  EXPECT_EQ(read({"GET", "k"}), "+QUEUED\r\n");
  ASSERT_EQ(client().multi_queue.size(), 2u);
  EXPECT_EQ(client().multi_queue[0],
            (std::vector<std::string>{"SET", "queued-key", "queued-value"}));
  EXPECT_EQ(client().multi_queue[1], (std::vector<std::string>{"GET", "k"}));
  EXPECT_FALSE(client().multi_dirty);
  // Queued writes are not refused at queueing time by a write-group check.
  EXPECT_EQ(read({"INCR", "n"}), "+QUEUED\r\n");
  // A command refused before queueing dooms the transaction and is not queued.
  EXPECT_EQ(read({"GET"}), wrong_args("get"));
  EXPECT_TRUE(client().multi_dirty);
  EXPECT_EQ(client().multi_queue.size(), 3u);
  // DISCARD runs at once.
  EXPECT_EQ(read({"DISCARD"}), "+OK\r\n");
  EXPECT_FALSE(client().in_multi);
  EXPECT_TRUE(client().multi_queue.empty());
}

TEST_F(Dispatch, MultiStillAppliesTheStateGatesBeforeQueueing) {
  client().in_multi = true;
  become_replica();
  EXPECT_EQ(read({"SET", "k", "v"}), kReadOnly);
  EXPECT_TRUE(client().multi_dirty);
  EXPECT_TRUE(client().multi_queue.empty());
}

TEST_F(Dispatch, AWriteOnAReadOnlyViewIsAnErrorNotADroppedWrite) {
  EXPECT_EQ(read({"SET", "k", "v"}), kOutsideGroup);
  EXPECT_EQ(read({"GET", "k"}), "$-1\r\n");
}

TEST_F(Dispatch, CountsCallsAndRejections) {
  const uint64_t before = node().stats().total_commands_processed;
  read({"GET", "k"});
  read({"GET"});
  read({"nosuch"});
  EXPECT_EQ(node().stats().total_commands_processed, before + 3);
  EXPECT_EQ(client().commands_processed, 3u);
}

TEST_F(Dispatch, FindTriesTheLastRowThenTheTable) {
  // The dispatcher remembers the row it found last: any case of that name, and any other
  // name after it, must still find the table's row (or none).
  const auto& runner = node().command_runner();
  const core::CommandSpec* set = commands::table().find("set");
  const core::CommandSpec* get = commands::table().find("get");
  ASSERT_NE(set, nullptr);
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(runner.find("SET"), set);
  EXPECT_EQ(runner.find("set"), set);
  EXPECT_EQ(runner.find("sEt"), set);
  EXPECT_EQ(runner.find("setx"), nullptr);
  EXPECT_EQ(runner.find("se"), nullptr);
  EXPECT_EQ(runner.find("s\xc5t"), nullptr);
  EXPECT_EQ(runner.find("GET"), get);
  EXPECT_EQ(runner.find("SET"), set);
  EXPECT_EQ(runner.find(""), nullptr);
  EXPECT_EQ(runner.find("get"), get);
}

}  // namespace
