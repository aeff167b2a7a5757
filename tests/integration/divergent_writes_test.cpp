// tests/integration/divergent_writes_test.cpp — split brain by hand: a replica is promoted
// while the old master keeps taking writes; when the old master is re-pointed at the new
// one it must full-sync (its history went past the branch point), and the writes it took
// after the branch are kept in a file in its data directory, byte for byte, not thrown away.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

long long offset(RespClient& c) {
  return info_int(c, "replication", "master_repl_offset");
}

std::string remove_all(std::string s, const std::string& what) {
  for (size_t at; (at = s.find(what)) != std::string::npos;) s.erase(at, what.size());
  return s;
}

TEST(DivergentWrites, AnExMastersWritesAfterTheBranchAreKeptByteForByte) {
  MasterAndReplica pair;
  RespClient old_master = pair.master.client();
  RespClient promoted = pair.replica.client();
  ASSERT_TRUE(wait_for_master_link(promoted, 30s));
  ASSERT_TRUE(old_master.command({"SET", "shared", "1"}).is_status("OK"));
  ASSERT_TRUE(wait_until([&] { return offset(promoted) == offset(old_master); }, 30s));

  // The split: the replica is promoted; the old master, unaware, takes two more writes.
  ASSERT_TRUE(promoted.command({"REPLICAOF", "NO", "ONE"}).is_status("OK"));
  ASSERT_TRUE(wait_until(
      [&] { return info_int(old_master, "replication", "connected_slaves") == 0; }, 30s));
  long long branch = offset(old_master);
  const std::vector<std::vector<std::string>> divergent = {{"SET", "lost1", "a"},
                                                           {"HSET", "lost2", "f", "v"}};
  std::string expected;
  for (const auto& cmd : divergent) {
    ASSERT_FALSE(old_master.command(cmd).is_error());
    expected += encode_command(cmd);
  }
  long long tip = offset(old_master);
  ASSERT_GT(tip, branch);

  // Re-pointed at the new master: a full sync (its bytes after the branch are not the new
  // master's), which keeps them in a file first.
  ASSERT_TRUE(old_master.command({"REPLICAOF", "127.0.0.1", std::to_string(pair.replica.port())})
                  .is_status("OK"));
  ASSERT_TRUE(wait_for_master_link(old_master, 30s));
  ASSERT_TRUE(wait_until([&] { return offset(old_master) == offset(promoted); }, 30s));
  EXPECT_EQ(old_master.get_string({"DEBUG", "DIGEST"}), promoted.get_string({"DEBUG", "DIGEST"}));
  EXPECT_TRUE(old_master.command({"EXISTS", "lost1"}).is_integer(0));

  std::string file = info_field(old_master, "replication", "divergent_writes_file");
  ASSERT_FALSE(file.empty());
  EXPECT_EQ(info_int(old_master, "replication", "divergent_writes_saved"), 1);
  EXPECT_EQ(std::filesystem::path(file).parent_path(), pair.master.data_dir());
  std::ifstream in(file, std::ios::binary);
  ASSERT_TRUE(in) << file;
  std::stringstream bytes;
  bytes << in.rdbuf();
  // Exactly the stream the old master logged after the branch: its size is the offsets'
  // difference, and it holds the two writes (with replica PINGs, if one was still queued).
  EXPECT_EQ(static_cast<long long>(bytes.str().size()), tip - branch);
  EXPECT_EQ(remove_all(bytes.str(), encode_command({"PING"})), expected);
  EXPECT_NE(pair.master.log().find(file), std::string::npos);
}

}  // namespace
}  // namespace basalt::test
