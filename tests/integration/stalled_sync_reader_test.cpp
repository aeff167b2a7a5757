// tests/integration/stalled_sync_reader_test.cpp — a client that sends PSYNC and then stops
// reading must not pin the replication log or a snapshot: a full-sync transfer that makes no
// progress for repl-timeout is dropped, and a feed that needs bytes beyond repl-log-max-size
// is dropped while the log is trimmed back under that ceiling. A normal replica still syncs.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

// Connects with a tiny receive buffer, sends `PSYNC ? -1` and never reads again.
class StalledReader {
 public:
  explicit StalledReader(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    int small = 4096;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
      throw std::runtime_error("connect() failed");
    const std::string psync = encode_command({"PSYNC", "?", "-1"});
    if (::send(fd_, psync.data(), psync.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(psync.size()))
      throw std::runtime_error("send() failed");
  }
  ~StalledReader() { ::close(fd_); }
  StalledReader(const StalledReader&) = delete;
  StalledReader& operator=(const StalledReader&) = delete;

 private:
  int fd_ = -1;
};

// Writes `megabytes` MB as MSETs of ten 100 KB values (keys prefix:0..).
void write_megabytes(RespClient& c, int megabytes, const std::string& prefix) {
  const std::string value(100 * 1024, 'v');
  for (int mb = 0; mb < megabytes; ++mb) {
    std::vector<std::string> args = {"MSET"};
    for (int i = 0; i < 10; ++i) {
      args.push_back(prefix + std::to_string(mb * 10 + i));
      args.push_back(value);
    }
    ASSERT_TRUE(c.command(args).is_status("OK")) << "MSET " << mb;
  }
}

std::string slave0(RespClient& c) {
  return info_field(c, "replication", "slave0");
}

void expect_a_replica_still_syncs(BasaltServer& master) {
  BasaltServer replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  replica.start();
  auto r = replica.client();
  auto m = master.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  const long long target = info_int(m, "replication", "master_repl_offset");
  ASSERT_TRUE(
      wait_until([&] { return info_int(r, "replication", "master_repl_offset") == target; }, 20s));
  EXPECT_EQ(r.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
}

TEST(StalledSyncReader, SnapshotTransferWithoutProgressIsDroppedAfterReplTimeout) {
  BasaltServer master({"--repl-timeout", "2", "--repl-backlog-size", "1mb"});
  master.start();
  auto m = master.client();
  m.set_timeout(30s);
  write_megabytes(m, 32, "data:");  // far more than the socket buffers hold

  StalledReader stalled(master.port());
  ASSERT_TRUE(wait_until([&] { return slave0(m).find("state=send_bulk") != std::string::npos; }))
      << slave0(m);
  write_megabytes(m, 8, "more:");  // the log grows past the backlog meanwhile
  // No byte accepted for repl-timeout: the transfer is dropped and its snapshot released.
  ASSERT_TRUE(wait_until([&] { return info_int(m, "replication", "connected_slaves") == 0; }, 20s))
      << slave0(m);
  EXPECT_NE(master.log().find("made no progress for 2 s (repl-timeout)"), std::string::npos)
      << master.log_tail();
  // Nothing pins the log any more: it is trimmed back to the backlog (plus one write group).
  write_megabytes(m, 2, "after:");
  EXPECT_TRUE(wait_until(
      [&] { return info_int(m, "replication", "repl_backlog_histlen") <= (5 << 20) / 2; }, 10s))
      << info_int(m, "replication", "repl_backlog_histlen");
  expect_a_replica_still_syncs(master);
}

TEST(StalledSyncReader, ReplicationLogNeverGrowsPastItsCeiling) {
  BasaltServer master({"--repl-backlog-size", "1mb", "--repl-log-max-size", "4mb"});
  master.start();
  auto m = master.client();
  m.set_timeout(30s);
  EXPECT_EQ(info_int(m, "replication", "repl_log_max_size"), 4 << 20);
  ASSERT_TRUE(m.command({"SET", "small", "dataset"}).is_status("OK"));

  // The snapshot fits in the socket buffers; then the reader pins the log (no ACKs, no reads)
  // and repl-timeout (60 s) is far away.
  StalledReader stalled(master.port());
  ASSERT_TRUE(wait_until([&] { return info_int(m, "replication", "connected_slaves") == 1; }));
  write_megabytes(m, 30, "data:");
  // The feed that needs bytes past the ceiling is dropped, and the log stays under it.
  EXPECT_TRUE(wait_until([&] { return info_int(m, "replication", "connected_slaves") == 0; }, 20s))
      << slave0(m);
  EXPECT_TRUE(wait_until(
      [&] { return info_int(m, "replication", "repl_log_size") <= (4 << 20) + (1 << 20); }, 10s))
      << info_int(m, "replication", "repl_log_size");
  EXPECT_NE(master.log().find("keeps at most repl-log-max-size"), std::string::npos)
      << master.log_tail();

  // The ceiling is a runtime setting.
  ASSERT_TRUE(m.command({"CONFIG", "SET", "repl-log-max-size", "8mb"}).is_status("OK"));
  EXPECT_EQ(m.get_strings({"CONFIG", "GET", "repl-log-max-size"}),
            (std::vector<std::string>{"repl-log-max-size", "8388608"}));
  EXPECT_EQ(info_int(m, "replication", "repl_log_max_size"), 8 << 20);

  expect_a_replica_still_syncs(master);
  EXPECT_EQ(info_int(m, "stats", "sync_full"), 2);  // the stalled reader and the replica
}

}  // namespace
}  // namespace basalt::test
