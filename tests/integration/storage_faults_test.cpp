// tests/integration/storage_faults_test.cpp — storage faults on real basalt processes: a full
// disk (a small tmpfs the test mounts) on a master under every wal-sync mode and on a
// replica, and replicas behind requirepass. Each checks outcomes: the node never aborts,
// writes are refused with -MISCONF while reads go on, INFO says why, no acknowledged write
// is lost, and once space is back the node (or the replica's stream) resumes on its own.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "tests/support/http_get.h"
#include "tests/support/ports.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/tmpfs.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kTmpfsBytes = 48ull << 20;
constexpr uint64_t kLeaveFree = 1ull << 20;

std::string digest(RespClient& c) {
  return c.get_string({"DEBUG", "DIGEST"});
}
long long offset(RespClient& c) {
  return info_int(c, "replication", "master_repl_offset");
}
// Values RocksDB can't compress: a flush must really find the space they take.
std::string incompressible(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string v(n, '\0');
  for (auto& ch : v) ch = static_cast<char>('a' + gen() % 26);
  return v;
}
std::vector<std::string> on_tmpfs(const TmpfsMount& fs, std::vector<std::string> args) {
  args.insert(args.begin(), {"--dir", (fs.path() / "data").string()});
  return args;
}

// --- A full disk on a master, under each wal-sync mode --------------------------------------

class DiskFull : public ::testing::TestWithParam<const char*> {};

TEST_P(DiskFull, RefusesWritesKeepsReadingAndRecoversWhenSpaceIsBack) {
  TmpfsMount fs(kTmpfsBytes);
  if (!fs.mounted()) GTEST_SKIP() << "can't mount a tmpfs here: " << fs.why();
  int http_port = free_port();
  BasaltServer server(on_tmpfs(fs, {"--wal-sync", GetParam(), "--repl-backlog-size", "1mb",
                                    "--http-port", std::to_string(http_port)}));
  server.start();
  RespClient c = server.client();
  ASSERT_TRUE(c.command({"SET", "before", "v"}).is_status("OK"));

  fs.fill_leaving(kLeaveFree);
  // One pipelined burst larger than the free space: the replies are OKs, then errors only
  // (the group stops at its first failed commit and writes are refused from then on).
  const size_t n = 40;
  std::string burst;
  for (size_t i = 0; i < n; ++i)
    burst += encode_command({"SET", "k" + std::to_string(i), incompressible(200 * 1024, i)});
  c.send_raw(burst);
  std::vector<bool> acked(n, false);
  size_t first_error = n;
  for (size_t i = 0; i < n; ++i) {
    Reply r = c.read_reply();
    if (r.is_status("OK")) {
      ASSERT_EQ(first_error, n) << "an OK after an error at reply " << i;
      acked[i] = true;
    } else {
      ASSERT_TRUE(r.is_error()) << r.to_string();
      EXPECT_EQ(r.str.rfind("MISCONF Errors writing to the storage engine: ", 0), 0u) << r.str;
      if (first_error == n) first_error = i;
    }
  }
  ASSERT_LT(first_error, n) << "the disk never filled";

  // The node keeps running through several recovery attempts (100, 200, 400, 800 ms apart:
  // past the everysec WAL sync that used to abort it), refusing writes, serving reads.
  ASSERT_TRUE(
      wait_until([&] { return info_int(c, "persistence", "storage_resume_attempts") >= 4; }, 30s));
  EXPECT_TRUE(server.running());
  EXPECT_TRUE(c.command({"PING"}).is_status("PONG"));
  EXPECT_TRUE(c.command({"GET", "before"}).is_bulk("v"));
  Reply refused = c.command({"SET", "during", "v"});
  ASSERT_TRUE(refused.is_error());
  EXPECT_EQ(refused.str.rfind("MISCONF", 0), 0u) << refused.str;
  EXPECT_EQ(info_field(c, "persistence", "aof_last_write_status"), "err");
  EXPECT_EQ(info_field(c, "persistence", "storage_status"), "failing");
  EXPECT_NE(info_field(c, "persistence", "storage_last_error").find("No space"), std::string::npos);
  // The admin API says the same: the process serves, its store does not write.
  std::string health = http_get(http_port, "/health");
  EXPECT_NE(health.find(R"("status":"ok","storage":"failing")"), std::string::npos) << health;
  std::string status = http_get(http_port, "/status");
  EXPECT_NE(status.find(R"("storage_status":"failing")"), std::string::npos) << status;
  EXPECT_NE(status.find("No space"), std::string::npos) << status;

  // Space comes back: the node resumes writing without a restart.
  fs.drain();
  ASSERT_TRUE(wait_until([&] { return c.command({"SET", "after", "v"}).is_status("OK"); }, 30s));
  EXPECT_EQ(info_field(c, "persistence", "storage_status"), "ok");
  EXPECT_EQ(info_field(c, "persistence", "aof_last_write_status"), "ok");
  EXPECT_GE(info_int(c, "persistence", "storage_recoveries"), 1);
  EXPECT_NE(http_get(http_port, "/health").find(R"("storage":"ok")"), std::string::npos);

  // After a crash: every acknowledged write is there, no refused one is.
  server.kill9();
  server.start();
  RespClient d = server.client();
  EXPECT_TRUE(d.command({"GET", "before"}).is_bulk("v"));
  EXPECT_TRUE(d.command({"GET", "after"}).is_bulk("v"));
  EXPECT_TRUE(d.command({"GET", "during"}).is_nil());
  for (size_t i = 0; i < n; ++i) {
    Reply r = d.command({"EXISTS", "k" + std::to_string(i)});
    EXPECT_TRUE(r.is_integer(acked[i] ? 1 : 0)) << "k" << i << (acked[i] ? " acked" : " refused");
  }
  long long acked_count = static_cast<long long>(std::count(acked.begin(), acked.end(), true));
  EXPECT_TRUE(d.command({"DBSIZE"}).is_integer(acked_count + 2));
}

INSTANTIATE_TEST_SUITE_P(WalSync, DiskFull, ::testing::Values("everysec", "always", "no"));

// --- A full disk on a replica ---------------------------------------------------------------

TEST(ReplicaDiskFull, StopsApplyingSaysWhyAndResumesWithAPartialResync) {
  TmpfsMount fs(kTmpfsBytes);
  if (!fs.mounted()) GTEST_SKIP() << "can't mount a tmpfs here: " << fs.why();
  BasaltServer master({"--repl-backlog-size", "64mb"});
  master.start();
  BasaltServer replica(on_tmpfs(fs, {"--replicaof", "127.0.0.1", std::to_string(master.port())}));
  replica.start();
  RespClient m = master.client();
  RespClient r = replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  ASSERT_TRUE(m.command({"SET", "before", "v"}).is_status("OK"));
  ASSERT_TRUE(wait_until([&] { return offset(r) == offset(m); }, 30s));
  long long full_syncs = info_int(m, "stats", "sync_full");

  fs.fill_leaving(kLeaveFree);
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(
        m.command({"SET", "k" + std::to_string(i), incompressible(100 * 1024, i)}).is_status("OK"));
  }

  // The replica stops at the failed group, drops the link and says why; it does not claim
  // the offset of data it could not write.
  ASSERT_TRUE(wait_until(
      [&] { return info_int(r, "replication", "master_stream_apply_failures") >= 1; }, 30s));
  EXPECT_LT(offset(r), offset(m));
  EXPECT_EQ(info_field(r, "persistence", "storage_status"), "failing");
  EXPECT_NE(info_field(r, "replication", "master_link_last_error").find("No space left"),
            std::string::npos)
      << info_field(r, "replication", "master_link_last_error");
  EXPECT_TRUE(r.command({"GET", "before"}).is_bulk("v"));  // stale data is still served

  // Space back: the replica resumes from its last committed offset with a partial resync.
  long long partial_before = info_int(m, "stats", "sync_partial_ok");
  fs.drain();
  ASSERT_TRUE(
      wait_until([&] { return offset(r) == offset(m) && wait_for_master_link(r, 1s); }, 60s))
      << "replica " << offset(r) << " master " << offset(m);
  EXPECT_EQ(digest(r), digest(m));
  EXPECT_EQ(info_int(m, "stats", "sync_full"), full_syncs);
  EXPECT_GT(info_int(m, "stats", "sync_partial_ok"), partial_before);
}

// --- requirepass on master and replicas -----------------------------------------------------

TEST(ReplicationAuth, ReplicasBehindRequirepassApplyTheWholeStream) {
  BasaltServer master({"--requirepass", "s3cret"});
  master.start();
  std::vector<std::string> replica_args = {"--requirepass",
                                           "s3cret",
                                           "--masterauth",
                                           "s3cret",
                                           "--replicaof",
                                           "127.0.0.1",
                                           std::to_string(master.port())};
  BasaltServer r1(replica_args), r2(replica_args);
  r1.start();
  r2.start();
  RespClient m = master.client(), c1 = r1.client(), c2 = r2.client();
  for (RespClient* c : {&m, &c1, &c2}) ASSERT_TRUE(c->command({"AUTH", "s3cret"}).is_status("OK"));
  ASSERT_TRUE(wait_for_master_link(c1, 30s));
  ASSERT_TRUE(wait_for_master_link(c2, 30s));

  const std::vector<std::vector<std::string>> writes = {
      {"SET", "s", "v"},
      {"INCRBY", "n", "5"},
      {"HSET", "h", "f", "1", "g", "2"},
      {"RPUSH", "l", "a", "b"},
      {"SADD", "st", "x", "y"},
      {"ZADD", "z", "1", "a", "2", "b"},
      {"EXPIRE", "s", "1000"},
      {"SELECT", "3"},
      {"SET", "db3", "v"},
      {"SETBIT", "bits", "7", "1"},
      {"MULTI"},
      {"LPUSH", "l3", "q"},
      {"EXEC"},
  };
  for (const auto& w : writes) ASSERT_FALSE(m.command(w).is_error()) << w[0];
  ASSERT_TRUE(wait_until([&] { return offset(c1) == offset(m) && offset(c2) == offset(m); }, 30s));
  EXPECT_EQ(digest(c1), digest(m));
  EXPECT_EQ(digest(c2), digest(m));
  EXPECT_TRUE(c1.command({"DBSIZE"}).is_integer(6));  // db 0 (SELECT stays on m's connection)
  EXPECT_EQ(info_int(c1, "replication", "master_stream_apply_failures"), 0);
}

}  // namespace
}  // namespace basalt::test
