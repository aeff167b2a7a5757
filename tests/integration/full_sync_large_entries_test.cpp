// tests/integration/full_sync_large_entries_test.cpp — full syncs of entries larger than a
// snapshot frame (a 9 MB and a 100 MB string, travelling as continuation frames), of a hash
// with a million members, and a replica whose proto-max-bulk-len is below an entry's size
// refusing the sync and saying why in its log.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

// A value of `size` bytes that is not one repeated byte (so a misplaced chunk shows).
std::string patterned(size_t size) {
  std::string v(size, 'a');
  for (size_t i = 0; i < size; i += 997) v[i] = static_cast<char>('a' + (i / 997) % 26);
  return v;
}

// Starts a replica of `master` and waits until it is linked and at the master's offset.
void sync_replica(BasaltServer& master, BasaltServer& replica) {
  replica.start();
  auto r = replica.client();
  auto m = master.client();
  ASSERT_TRUE(wait_for_master_link(r, 45s)) << "the replica never completed its full sync";
  const long long target = info_int(m, "replication", "master_repl_offset");
  ASSERT_TRUE(
      wait_until([&] { return info_int(r, "replication", "master_repl_offset") == target; }, 20s));
}

void expect_same_data(BasaltServer& master, BasaltServer& replica) {
  auto m = master.client();
  auto r = replica.client();
  m.set_timeout(60s);
  r.set_timeout(60s);
  EXPECT_EQ(m.get_string({"DEBUG", "DIGEST"}), r.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(m.get_integer({"DBSIZE"}), r.get_integer({"DBSIZE"}));
  EXPECT_EQ(info_int(m, "stats", "sync_full"), 1) << "the sync was retried";
}

void full_sync_of_a_string(size_t size) {
  BasaltServer master;
  master.start();
  auto m = master.client();
  m.set_timeout(60s);
  const std::string value = patterned(size);
  ASSERT_TRUE(m.command({"SET", "before", "1"}).is_status("OK"));
  ASSERT_TRUE(m.command({"SET", "big", value}).is_status("OK"));
  ASSERT_TRUE(m.command({"SET", "after", "2"}).is_status("OK"));

  BasaltServer replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  sync_replica(master, replica);
  if (::testing::Test::HasFatalFailure()) return;
  expect_same_data(master, replica);
  auto r = replica.client();
  r.set_timeout(60s);
  EXPECT_EQ(r.get_integer({"STRLEN", "big"}), static_cast<long long>(size));
  Reply got = r.command({"GET", "big"});
  EXPECT_EQ(got.type, Reply::Bulk);
  EXPECT_TRUE(got.str == value) << "the value differs";
}

TEST(FullSyncLargeEntries, NineMegabyteString) {
  full_sync_of_a_string(9u << 20);
}

TEST(FullSyncLargeEntries, HundredMegabyteString) {
  full_sync_of_a_string(100u << 20);
}

TEST(FullSyncLargeEntries, HashWithAMillionMembers) {
  BasaltServer master;
  master.start();
  auto m = master.client();
  m.set_timeout(60s);
  const size_t members = 1000000, per_hset = 1000, per_pipeline = 50;
  for (size_t i = 0; i < members;) {
    std::string bytes;
    size_t sent = 0;
    for (; sent < per_pipeline && i < members; ++sent) {
      std::vector<std::string> args = {"HSET", "hash"};
      for (size_t k = 0; k < per_hset && i < members; ++k, ++i) {
        args.push_back("field:" + std::to_string(i));
        args.push_back("value:" + std::to_string(i));
      }
      bytes += encode_command(args);
    }
    m.send_raw(bytes);
    for (size_t b = 0; b < sent; ++b) ASSERT_TRUE(m.read_reply().is_integer(1000));
  }
  ASSERT_EQ(m.get_integer({"HLEN", "hash"}), static_cast<long long>(members));

  BasaltServer replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  sync_replica(master, replica);
  if (::testing::Test::HasFatalFailure()) return;
  expect_same_data(master, replica);
  auto r = replica.client();
  EXPECT_EQ(r.get_integer({"HLEN", "hash"}), static_cast<long long>(members));
  EXPECT_TRUE(r.command({"HGET", "hash", "field:999999"}).is_bulk("value:999999"));
}

TEST(FullSyncLargeEntries, ReplicaRefusesAnEntryOverItsLimitAndLogsWhy) {
  BasaltServer master;
  master.start();
  auto m = master.client();
  ASSERT_TRUE(m.command({"SET", "big", patterned(3u << 20)}).is_status("OK"));
  BasaltServer replica(
      {"--proto-max-bulk-len", "1mb", "--replicaof", "127.0.0.1", std::to_string(master.port())});
  replica.start();
  ASSERT_TRUE(wait_until(
      [&] {
        return replica.log().find("full sync from the master refused: snapshot entry value of") !=
               std::string::npos;
      },
      20s))
      << replica.log_tail();
  auto r = replica.client();
  EXPECT_EQ(info_field(r, "replication", "master_link_status"), "down");
  EXPECT_EQ(r.get_integer({"DBSIZE"}), 0);
}

}  // namespace
}  // namespace basalt::test
