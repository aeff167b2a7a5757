// tests/integration/server_commands_test.cpp — end-to-end checks of the server commands (INFO,
// CONFIG, COMMAND, TIME, LASTSAVE, SAVE, BGSAVE, SHUTDOWN, DEBUG, ROLE) against a real `basalt`
// process. Replies that do not depend on the server's state (errors above all) are compared
// byte for byte with Debian's redis-server 7.0.15 run side by side (RedisOracle); the others
// are asserted directly.
#include <gtest/gtest.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/resp_client.h"
#include "tests/support/resp_expect.h"
#include "tests/support/servers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// INFO text as section -> field -> value; checks Redis's framing on the way (CRLF lines,
// "# Section" headers, one blank line between sections, none at the end).
using Info = std::map<std::string, std::map<std::string, std::string>>;
Info parse_info(const std::string& text, std::vector<std::string>* order = nullptr) {
  Info info;
  std::string section;
  size_t pos = 0;
  bool blank_before = false;
  while (pos < text.size()) {
    size_t end = text.find("\r\n", pos);
    if (end == std::string::npos) {
      ADD_FAILURE() << "INFO line without CRLF at " << pos << ": " << escape_bytes(text);
      break;
    }
    std::string line = text.substr(pos, end - pos);
    pos = end + 2;
    EXPECT_EQ(line.find('\n'), std::string::npos) << escape_bytes(line);
    if (line.empty()) {
      EXPECT_FALSE(blank_before) << "two blank lines in INFO";
      EXPECT_LT(pos, text.size()) << "INFO ends with a blank line";
      blank_before = true;
      continue;
    }
    if (line.starts_with("# ")) {
      EXPECT_TRUE(section.empty() || blank_before) << "no blank line before " << line;
      section = line.substr(2);
      info[section];
      if (order) order->push_back(section);
    } else {
      EXPECT_FALSE(section.empty()) << "field before any section: " << line;
      size_t colon = line.find(':');
      EXPECT_NE(colon, std::string::npos) << line;
      if (colon != std::string::npos) info[section][line.substr(0, colon)] = line.substr(colon + 1);
    }
    blank_before = false;
  }
  return info;
}

long long num(const std::string& s) {
  return std::stoll(s);
}

// The server's clock (TIME) in milliseconds.
long long server_ms(RespClient& c) {
  const auto t = c.get_strings({"TIME"});
  return std::stoll(t.at(0)) * 1000 + std::stoll(t.at(1)) / 1000;
}

// Waits until the server's clock shows a time past `ms` (TIME touches no key and no keyspace
// statistic).
bool wait_server_time_past(RespClient& c, long long ms) {
  return wait_until([&] { return server_ms(c) > ms; }, 10s);
}

// One basalt (and one redis-server with DEBUG enabled, if installed) per suite.
class Server : public ::testing::Test {
 protected:
  static void TearDownTestSuite() {
    basalt_.reset();
    redis_.reset();
  }

  void SetUp() override {
    if (!basalt_ || !basalt_->running()) {
      basalt_ = std::make_unique<BasaltServer>();
      basalt_->start();
    }
    if (RedisOracle::available() && (!redis_ || !redis_->running())) {
      redis_ =
          std::make_unique<RedisOracle>(std::vector<std::string>{"--enable-debug-command", "yes"});
      redis_->start();
    }
    b_.emplace(basalt_->client());
    if (redis_) r_.emplace(redis_->client());
    ASSERT_EQ(run({"FLUSHALL"}), "+OK\r\n");
  }

  void TearDown() override {
    if (HasFailure() && basalt_) {
      std::cerr << "--- basalt log tail ---\n" << basalt_->log_tail(30) << "--- end ---\n";
    }
    b_.reset();
    r_.reset();
  }

  std::string run(const std::vector<std::string>& args) { return b_->command_raw(args); }
  Info info(const std::vector<std::string>& sections = {}) {
    std::vector<std::string> args = {"INFO"};
    args.insert(args.end(), sections.begin(), sections.end());
    return parse_info(b_->get_string(args));
  }

  // Sends `args` to both servers and expects the same bytes back. Without redis-server there is
  // nothing to compare with: the test is marked skipped (its direct checks still run and can
  // still fail it).
  void same(const std::vector<std::string>& args) {
    std::string mine = b_->command_raw(args);
    if (!r_) {
      GTEST_SKIP() << RedisOracle::kBinary
                   << " is not installed: the byte-for-byte comparisons with Redis did not run";
    }
    std::string theirs = r_->command_raw(args);
    std::string command;
    for (const auto& a : args) command += escape_bytes(a) + " ";
    EXPECT_EQ(escape_bytes(mine, 4000), escape_bytes(theirs, 4000)) << "command: " << command;
  }

  static inline std::unique_ptr<BasaltServer> basalt_;
  static inline std::unique_ptr<RedisOracle> redis_;
  std::optional<RespClient> b_;
  std::optional<RespClient> r_;
};

// ---------------------------------------------------------------------------------------------
// INFO

TEST_F(Server, InfoDefaultSectionsAndFraming) {
  std::vector<std::string> order;
  const std::string text = b_->get_string({"INFO"});
  const Info i = parse_info(text, &order);
  EXPECT_EQ(order, (std::vector<std::string>{"Server", "Clients", "Memory", "Persistence", "Stats",
                                             "Replication", "CPU", "Modules", "Errorstats",
                                             "Cluster", "Keyspace"}));
  EXPECT_TRUE(text.starts_with("# Server\r\nredis_version:7.0.15\r\n")) << text.substr(0, 80);
  EXPECT_EQ(b_->get_string({"INFO", "default"}).substr(0, 40), text.substr(0, 40));
  // INFO all adds the sections "default" leaves out.
  std::vector<std::string> all_order;
  parse_info(b_->get_string({"INFO", "all"}), &all_order);
  EXPECT_EQ(all_order.size(), order.size() + 2);
  std::vector<std::string> everything_order;
  parse_info(b_->get_string({"INFO", "everything"}), &everything_order);
  EXPECT_EQ(everything_order, all_order);
}

TEST_F(Server, InfoSectionSelection) {
  std::vector<std::string> order;
  parse_info(b_->get_string({"INFO", "keyspace", "SERVER", "Stats"}), &order);
  // Redis's fixed order, whatever order they were asked in; each once.
  EXPECT_EQ(order, (std::vector<std::string>{"Server", "Stats", "Keyspace"}));
  order.clear();
  parse_info(b_->get_string({"INFO", "memory", "memory"}), &order);
  EXPECT_EQ(order, (std::vector<std::string>{"Memory"}));
  EXPECT_EQ(run({"INFO", "nosuchsection"}), bulk(""));
  EXPECT_EQ(run({"INFO", "cluster"}), bulk("# Cluster\r\ncluster_enabled:0\r\n"));
  EXPECT_EQ(run({"INFO", "keyspace"}), bulk("# Keyspace\r\n"));
  same({"INFO", "nosuchsection"});
  same({"INFO", "cluster"});
  same({"INFO", "modules"});
}

TEST_F(Server, InfoServerSection) {
  const auto s = info({"server"})["Server"];
  EXPECT_EQ(s.at("redis_version"), "7.0.15");
  EXPECT_FALSE(s.at("basalt_version").empty());
  EXPECT_EQ(s.at("redis_mode"), "standalone");
  EXPECT_EQ(s.at("arch_bits"), "64");
  EXPECT_EQ(num(s.at("process_id")), basalt_->pid());
  EXPECT_EQ(s.at("run_id").size(), 40u);
  EXPECT_EQ(num(s.at("tcp_port")), basalt_->port());
  EXPECT_GE(num(s.at("uptime_in_seconds")), 0);
  EXPECT_EQ(s.at("uptime_in_days"), "0");
  EXPECT_EQ(s.at("hz"), "10");
  EXPECT_EQ(s.at("config_file"), "");
  EXPECT_TRUE(s.at("executable").ends_with("basalt")) << s.at("executable");
  EXPECT_TRUE(s.at("os").starts_with("Linux ")) << s.at("os");
  const long long now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  EXPECT_NEAR(static_cast<double>(num(s.at("server_time_usec"))), static_cast<double>(now_us), 5e6);
  // The run id is stable for the process.
  EXPECT_EQ(info({"server"})["Server"].at("run_id"), s.at("run_id"));
}

TEST_F(Server, InfoClientsSection) {
  RespClient other = basalt_->client();
  ASSERT_EQ(other.command_raw({"PING"}), "+PONG\r\n");
  const auto c = info({"clients"})["Clients"];
  EXPECT_GE(num(c.at("connected_clients")), 2);
  EXPECT_EQ(c.at("maxclients"), "10000");
  EXPECT_EQ(c.at("blocked_clients"), "0");
  for (const char* f :
       {"cluster_connections", "client_recent_max_input_buffer", "client_recent_max_output_buffer",
        "tracking_clients", "clients_in_timeout_table"}) {
    EXPECT_TRUE(c.count(f)) << f;
  }
}

TEST_F(Server, InfoMemoryReportsRealFigures) {
  const auto m = info({"memory"})["Memory"];
  // used_memory is the logical dataset size (README, "Memory limit and eviction"); the
  // process's heap is allocator_allocated.
  const long long used = num(m.at("used_memory"));
  const long long rss = num(m.at("used_memory_rss"));
  EXPECT_EQ(num(m.at("used_memory_dataset")), used);
  EXPECT_GT(num(m.at("allocator_allocated")), 100 * 1024);
  EXPECT_GT(rss, 1024 * 1024);
  EXPECT_LT(rss, 64ll << 30);
  EXPECT_GE(num(m.at("used_memory_peak")), used);
  EXPECT_TRUE(std::regex_match(m.at("used_memory_human"), std::regex("\\d+(\\.\\d\\d)?[BKMG]")))
      << m.at("used_memory_human");
  EXPECT_TRUE(std::regex_match(m.at("used_memory_rss_human"), std::regex("\\d+\\.\\d\\d[KMG]")));
  EXPECT_EQ(m.at("maxmemory"), "0");
  EXPECT_EQ(m.at("maxmemory_human"), "0B");
  EXPECT_EQ(m.at("maxmemory_policy"), "noeviction");
  EXPECT_GT(num(m.at("total_system_memory")), 0);
  EXPECT_GE(num(m.at("rocksdb_block_cache_usage")), 0);
  EXPECT_GT(num(m.at("rocksdb_memtable_usage")), 0);
  EXPECT_GT(num(m.at("rocksdb_disk_usage")), 0);

  // Writing a few MB shows up in the memtables.
  const long long memtable = num(m.at("rocksdb_memtable_usage"));
  const std::string value(64 * 1024, 'v');
  for (int i = 0; i < 64; ++i) {
    ASSERT_EQ(run({"SET", "mem:" + std::to_string(i), value}), "+OK\r\n");
  }
  const auto after = info({"memory"})["Memory"];
  EXPECT_GT(num(after.at("rocksdb_memtable_usage")), memtable + 2 * 1024 * 1024);
  EXPECT_GT(num(after.at("used_memory")), used + 64 * 64 * 1024);
}

TEST_F(Server, InfoPersistenceSection) {
  const auto p = info({"persistence"})["Persistence"];
  EXPECT_EQ(p.at("loading"), "0");
  EXPECT_EQ(p.at("aof_enabled"), "0");
  EXPECT_EQ(p.at("rdb_bgsave_in_progress"), "0");
  EXPECT_EQ(p.at("wal_sync"), "everysec");
  EXPECT_EQ(p.at("rdb_last_save_time"), std::to_string(b_->get_integer({"LASTSAVE"})));
  ASSERT_EQ(run({"CONFIG", "SET", "wal-sync", "always"}), "+OK\r\n");
  EXPECT_EQ(info({"persistence"})["Persistence"].at("wal_sync"), "always");
  ASSERT_EQ(run({"CONFIG", "SET", "wal-sync", "everysec"}), "+OK\r\n");
}

TEST_F(Server, InfoStatsCountAndResetstatClears) {
  ASSERT_EQ(run({"CONFIG", "RESETSTAT"}), "+OK\r\n");
  auto s = info({"stats"})["Stats"];
  EXPECT_LE(num(s.at("total_commands_processed")), 2);
  EXPECT_EQ(s.at("keyspace_hits"), "0");
  EXPECT_EQ(s.at("keyspace_misses"), "0");
  EXPECT_EQ(s.at("total_error_replies"), "0");
  EXPECT_EQ(s.at("expired_keys"), "0");

  ASSERT_EQ(run({"SET", "k", "v"}), "+OK\r\n");
  ASSERT_EQ(run({"GET", "k"}), bulk("v"));
  ASSERT_EQ(run({"GET", "k"}), bulk("v"));
  ASSERT_EQ(run({"GET", "missing"}), "$-1\r\n");
  ASSERT_EQ(run({"NOSUCHCOMMAND"}).substr(0, 5), "-ERR ");
  ASSERT_EQ(run({"SET", "gone", "v", "PX", "1"}), "+OK\r\n");
  // It expires 1 ms after the SET, which ran before the server's clock read `set_by`.
  const long long set_by = server_ms(*b_);
  ASSERT_TRUE(wait_server_time_past(*b_, set_by + 1));
  ASSERT_EQ(run({"GET", "gone"}), "$-1\r\n");
  RespClient extra = basalt_->client();
  ASSERT_EQ(extra.command_raw({"PING"}), "+PONG\r\n");

  s = info({"stats"})["Stats"];
  EXPECT_GE(num(s.at("total_commands_processed")), 8);
  EXPECT_EQ(s.at("keyspace_hits"), "2");
  EXPECT_EQ(s.at("keyspace_misses"), "2");
  EXPECT_EQ(s.at("total_error_replies"), "1");
  EXPECT_TRUE(wait_until([&] { return info({"stats"})["Stats"].at("expired_keys") == "1"; }, 5s));
  EXPECT_GE(num(s.at("total_connections_received")), 1);
  EXPECT_GT(num(s.at("total_net_input_bytes")), 50);
  EXPECT_GT(num(s.at("total_net_output_bytes")), 20);
  EXPECT_GE(num(s.at("write_groups")), 2);
  for (const char* f : {"instantaneous_ops_per_sec", "rejected_connections", "sync_full",
                        "sync_partial_ok", "sync_partial_err", "evicted_keys"}) {
    EXPECT_TRUE(s.count(f)) << f;
  }

  ASSERT_EQ(run({"CONFIG", "RESETSTAT"}), "+OK\r\n");
  s = info({"stats"})["Stats"];
  EXPECT_LE(num(s.at("total_commands_processed")), 2);
  EXPECT_EQ(s.at("keyspace_hits"), "0");
  EXPECT_EQ(s.at("total_error_replies"), "0");
  EXPECT_EQ(s.at("expired_keys"), "0");
  EXPECT_EQ(s.at("total_connections_received"), "0");
}

TEST_F(Server, InstantaneousOpsPerSec) {
  // A steady stream of commands for two seconds shows a non-zero rate.
  const auto until = Clock::now() + 2s;
  while (Clock::now() < until) {
    std::string batch;
    for (int i = 0; i < 50; ++i) batch += encode_command({"PING"});
    b_->send_raw(batch);
    for (int i = 0; i < 50; ++i) ASSERT_EQ(b_->read_reply_raw(), "+PONG\r\n");
  }
  EXPECT_GT(num(info({"stats"})["Stats"].at("instantaneous_ops_per_sec")), 10);
}

TEST_F(Server, InfoReplicationSectionOnMaster) {
  auto r = info({"replication"})["Replication"];
  EXPECT_EQ(r.at("role"), "master");
  EXPECT_EQ(r.at("connected_slaves"), "0");
  EXPECT_EQ(r.at("master_failover_state"), "no-failover");
  EXPECT_EQ(r.at("master_replid").size(), 40u);
  EXPECT_EQ(r.at("master_replid2").size(), 40u);
  EXPECT_EQ(r.at("repl_backlog_active"), "1");
  EXPECT_EQ(r.at("repl_backlog_size"), std::to_string(256ll << 20));
  const long long offset = num(r.at("master_repl_offset"));
  ASSERT_EQ(run({"SET", "repl", "x"}), "+OK\r\n");
  r = info({"replication"})["Replication"];
  const long long after = num(r.at("master_repl_offset"));
  EXPECT_GT(after, offset);
  const long long first = num(r.at("repl_backlog_first_byte_offset"));
  EXPECT_GE(first, 1);
  EXPECT_EQ(num(r.at("repl_backlog_histlen")), after - first + 1);
  for (const char* f : {"second_repl_offset"}) EXPECT_TRUE(r.count(f)) << f;
}

TEST_F(Server, InfoKeyspaceListsNonEmptyDatabases) {
  EXPECT_TRUE(info({"keyspace"})["Keyspace"].empty());
  ASSERT_EQ(run({"SET", "a", "1"}), "+OK\r\n");
  ASSERT_EQ(run({"SET", "b", "1"}), "+OK\r\n");
  ASSERT_EQ(run({"SELECT", "5"}), "+OK\r\n");
  ASSERT_EQ(run({"SET", "c", "1"}), "+OK\r\n");
  EXPECT_EQ(run({"INFO", "keyspace"}), bulk("# Keyspace\r\n"
                                            "db0:keys=2,expires=0,avg_ttl=0\r\n"
                                            "db5:keys=1,expires=0,avg_ttl=0\r\n"));
}

TEST_F(Server, InfoCpuSection) {
  const auto c = info({"cpu"})["CPU"];
  for (const char* f :
       {"used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children",
        "used_cpu_sys_main_thread", "used_cpu_user_main_thread"}) {
    ASSERT_TRUE(c.count(f)) << f;
    EXPECT_TRUE(std::regex_match(c.at(f), std::regex("\\d+\\.\\d{6}"))) << f << "=" << c.at(f);
  }
}

// ---------------------------------------------------------------------------------------------
// CONFIG

TEST_F(Server, ConfigGet) {
  EXPECT_EQ(run({"CONFIG", "GET", "port"}),
            "*2\r\n" + bulk("port") + bulk(std::to_string(basalt_->port())));
  EXPECT_EQ(run({"CONFIG", "GET", "maxclients"}), "*2\r\n" + bulk("maxclients") + bulk("10000"));
  // The name is replied as asked; a name matched twice is listed once.
  EXPECT_EQ(run({"CONFIG", "GET", "HZ"}), "*2\r\n" + bulk("HZ") + bulk("10"));
  EXPECT_EQ(run({"CONFIG", "GET", "hz", "HZ", "h?"}), "*2\r\n" + bulk("hz") + bulk("10"));
  // Aliases.
  EXPECT_EQ(run({"CONFIG", "GET", "slave-read-only"}),
            "*2\r\n" + bulk("slave-read-only") + bulk("yes"));
  // Globs, case-insensitive.
  const auto repl = b_->get_strings({"CONFIG", "GET", "REPL-*"});
  ASSERT_EQ(repl.size() % 2, 0u);
  std::map<std::string, std::string> m;
  for (size_t i = 0; i < repl.size(); i += 2) m[repl[i]] = repl[i + 1];
  EXPECT_EQ(m.at("repl-backlog-size"), std::to_string(256ll << 20));
  EXPECT_EQ(m.at("repl-timeout"), "60");
  for (const auto& [k, v] : m) EXPECT_TRUE(k.starts_with("repl-")) << k;
  const auto everything = b_->get_strings({"CONFIG", "GET", "*"});
  EXPECT_GT(everything.size(), 60u);
  // Several patterns.
  const auto two = b_->get_strings({"CONFIG", "GET", "timeout", "databases"});
  EXPECT_EQ(two, (std::vector<std::string>{"timeout", "0", "databases", "16"}));
  same({"CONFIG", "GET", "nosuch"});
  same({"CONFIG", "GET", "nosuch*"});
  same({"CONFIG", "GET"});
  same({"CONFIG"});
  same({"CONFIG", "foo"});
  same({"CONFIG", "GET", "timeout"});
}

TEST_F(Server, ConfigSet) {
  EXPECT_EQ(run({"CONFIG", "SET", "hz", "20"}), "+OK\r\n");
  EXPECT_EQ(b_->get_strings({"CONFIG", "GET", "hz"})[1], "20");
  EXPECT_EQ(info({"server"})["Server"].at("hz"), "20");
  // Several at once, aliases and case.
  EXPECT_EQ(run({"CONFIG", "SET", "HZ", "15", "maxclients", "500", "slave-priority", "7"}),
            "+OK\r\n");
  EXPECT_EQ(b_->get_strings({"CONFIG", "GET", "hz"})[1], "15");
  EXPECT_EQ(b_->get_strings({"CONFIG", "GET", "maxclients"})[1], "500");
  EXPECT_EQ(b_->get_strings({"CONFIG", "GET", "replica-priority"})[1], "7");
  // Memory units.
  EXPECT_EQ(run({"CONFIG", "SET", "repl-backlog-size", "2mb"}), "+OK\r\n");
  EXPECT_EQ(b_->get_strings({"CONFIG", "GET", "repl-backlog-size"})[1], "2097152");
  EXPECT_EQ(info({"replication"})["Replication"].at("repl_backlog_size"), "2097152");
  // All or nothing: one bad value leaves every directive as it was.
  EXPECT_EQ(run({"CONFIG", "SET", "hz", "30", "timeout", "-1"}),
            err("ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must "
                "be between 0 and 2147483647 inclusive"));
  EXPECT_EQ(b_->get_strings({"CONFIG", "GET", "hz"})[1], "15");
  // Errors, as Redis words them.
  same({"CONFIG", "SET", "foo", "bar"});
  same({"CONFIG", "SET", "hz", "abc"});
  same({"CONFIG", "SET", "hz"});
  same({"CONFIG", "SET", "hz", "10", "maxclients"});
  same({"CONFIG", "SET", "hz", "10", "hz", "11"});
  same({"CONFIG", "SET", "hz", "10", "nosuch", "1"});
  same({"CONFIG", "SET", "loglevel", "bogus"});
  same({"CONFIG", "SET", "repl-backlog-size", "1x"});
  same({"CONFIG", "SET", "replica-read-only", "maybe"});
  same({"CONFIG", "SET", "timeout", "-1"});
  same({"CONFIG", "SET", "databases", "3"});
  same({"CONFIG", "SET", "hz", "10"});
  same({"CONFIG", "SET", "maxclients", "10000", "replica-priority", "100"});
  same({"CONFIG", "SET", "repl-backlog-size", (std::to_string(256ll << 20))});
}

TEST_F(Server, ConfigSetLoglevelAndWalSyncTakeEffect) {
  EXPECT_EQ(run({"CONFIG", "SET", "loglevel", "WARNING"}), "+OK\r\n");
  EXPECT_EQ(b_->get_strings({"CONFIG", "GET", "loglevel"})[1], "warning");
  EXPECT_EQ(run({"CONFIG", "SET", "loglevel", "notice"}), "+OK\r\n");
  EXPECT_EQ(run({"CONFIG", "SET", "wal-sync", "no"}), "+OK\r\n");
  EXPECT_EQ(info({"persistence"})["Persistence"].at("wal_sync"), "no");
  EXPECT_EQ(run({"CONFIG", "SET", "wal-sync", "everysec"}), "+OK\r\n");
}

TEST_F(Server, ConfigRewriteWithoutFileAndHelp) {
  EXPECT_EQ(run({"CONFIG", "REWRITE"}), err("ERR The server is running without a config file"));
  same({"CONFIG", "REWRITE"});
  same({"CONFIG", "REWRITE", "x"});
  same({"CONFIG", "RESETSTAT", "x"});
  same({"CONFIG", "HELP"});
}

TEST(ServerConfigFile, ConfigRewritePersistsSettings) {
  TempDir tmp;
  const int port = free_port();
  const fs::path conf = tmp.path() / "basalt.conf";
  {
    std::ofstream out(conf);
    out << "# my settings\nport " << port << "\nbind 127.0.0.1\ndir "
        << (tmp.path() / "data").string() << "\nhz 10\n";
  }
  Process p({BasaltServer::binary(), conf.string()}, tmp.path() / "basalt.log");
  RespClient c(port);
  c.connect(10s);
  ASSERT_EQ(c.command_raw({"PING"}), "+PONG\r\n");
  EXPECT_EQ(c.get_strings({"CONFIG", "GET", "hz"})[1], "10");
  EXPECT_EQ(parse_info(c.get_string({"INFO", "server"}))["Server"].at("config_file"),
            fs::canonical(conf).string());
  ASSERT_EQ(c.command_raw({"CONFIG", "SET", "hz", "25", "timeout", "300"}), "+OK\r\n");
  EXPECT_EQ(c.command_raw({"CONFIG", "REWRITE"}), "+OK\r\n");
  std::ifstream in(conf);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("# my settings"), std::string::npos) << text;
  EXPECT_NE(text.find("hz 25"), std::string::npos) << text;
  EXPECT_EQ(text.find("hz 10"), std::string::npos) << text;
  EXPECT_NE(text.find("timeout 300"), std::string::npos) << text;

  // A restart reads the rewritten file.
  c.send_command({"SHUTDOWN"});
  ASSERT_TRUE(p.wait_exit(15s).has_value());
  p.start({BasaltServer::binary(), conf.string()}, tmp.path() / "basalt.log");
  RespClient d(port);
  d.connect(10s);
  EXPECT_EQ(d.get_strings({"CONFIG", "GET", "hz"})[1], "25");
  EXPECT_EQ(d.get_strings({"CONFIG", "GET", "timeout"})[1], "300");
  d.send_command({"SHUTDOWN", "NOSAVE"});
  EXPECT_EQ(p.wait_exit(15s), 0);
}

// ---------------------------------------------------------------------------------------------
// COMMAND

TEST_F(Server, CommandCountInfoAndList) {
  const long long count = b_->get_integer({"COMMAND", "COUNT"});
  EXPECT_GT(count, 50);
  const Reply all = b_->command({"COMMAND"});
  ASSERT_EQ(all.type, Reply::Array);
  EXPECT_EQ(static_cast<long long>(all.elements.size()), count);
  for (const Reply& e : all.elements) {
    ASSERT_EQ(e.type, Reply::Array);
    ASSERT_EQ(e.elements.size(), 10u) << e;
    EXPECT_EQ(e.elements[0].type, Reply::Bulk);
    EXPECT_EQ(e.elements[1].type, Reply::Integer);
    EXPECT_EQ(e.elements[2].type, Reply::Array);
    for (int i = 3; i <= 5; ++i) EXPECT_EQ(e.elements[i].type, Reply::Integer);
    for (int i = 6; i <= 9; ++i) EXPECT_EQ(e.elements[i].type, Reply::Array);
  }
  EXPECT_EQ(b_->command({"COMMAND", "INFO"}), all);
  // Simple commands match Redis's entry exactly.
  same({"COMMAND", "INFO", "get"});
  same({"COMMAND", "INFO", "client|id"});
  same({"COMMAND", "INFO", "CLIENT|GETNAME"});
  same({"COMMAND", "INFO", "config|get"});
  same({"COMMAND", "INFO", "echo", "select"});
  same({"COMMAND", "INFO", "nosuch"});
  same({"COMMAND", "INFO", "client|nosuch"});
  same({"COMMAND", "COUNT", "x"});
  same({"COMMAND", "nosuch"});
  // A container lists its subcommands.
  const Reply client = b_->command({"COMMAND", "INFO", "client"});
  ASSERT_EQ(client.elements.size(), 1u);
  const Reply& subs = client.elements[0].elements[9];
  std::vector<std::string> names;
  for (const Reply& s : subs.elements) names.push_back(s.elements[0].str);
  for (const char* n : {"client|id", "client|kill", "client|list", "client|setname"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  }

  const auto list = b_->get_strings({"COMMAND", "LIST"});
  EXPECT_GT(static_cast<long long>(list.size()), count);  // subcommands too
  for (const char* n : {"get", "set", "client", "client|kill", "config|set", "info"}) {
    EXPECT_NE(std::find(list.begin(), list.end(), n), list.end()) << n;
  }
  const auto cl = b_->get_strings({"COMMAND", "LIST", "FILTERBY", "PATTERN", "cl*"});
  ASSERT_FALSE(cl.empty());
  for (const auto& n : cl) EXPECT_TRUE(n.starts_with("cl")) << n;
  const auto conn = b_->get_strings({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection"});
  for (const char* n : {"ping", "echo", "select", "auth", "hello", "client|id"}) {
    EXPECT_NE(std::find(conn.begin(), conn.end(), n), conn.end()) << n;
  }
  EXPECT_EQ(run({"COMMAND", "LIST", "FILTERBY", "MODULE", "x"}), "*0\r\n");
  same({"COMMAND", "LIST", "FILTERBY"});
  same({"COMMAND", "LIST", "FILTERBY", "foo", "x"});
  same({"COMMAND", "LIST", "x"});
  same({"COMMAND", "HELP"});
}

TEST_F(Server, CommandDocs) {
  const Reply docs = b_->command({"COMMAND", "DOCS", "get", "nosuch", "client"});
  ASSERT_EQ(docs.type, Reply::Array);
  ASSERT_EQ(docs.elements.size(), 4u) << docs;
  EXPECT_TRUE(docs.elements[0].is_bulk("get"));
  const Reply& get = docs.elements[1];
  std::map<std::string, Reply> m;
  for (size_t i = 0; i + 1 < get.elements.size(); i += 2)
    m[get.elements[i].str] = get.elements[i + 1];
  EXPECT_TRUE(m["summary"].is_bulk("Get the value of a key")) << get;
  EXPECT_EQ(m["since"].type, Reply::Bulk);
  EXPECT_TRUE(m["group"].is_bulk("string"));
  EXPECT_EQ(m["arguments"].type, Reply::Array);
  EXPECT_TRUE(docs.elements[2].is_bulk("client"));
  std::map<std::string, Reply> cm;
  const Reply& client = docs.elements[3];
  for (size_t i = 0; i + 1 < client.elements.size(); i += 2) {
    cm[client.elements[i].str] = client.elements[i + 1];
  }
  EXPECT_TRUE(cm["group"].is_bulk("connection"));
  ASSERT_EQ(cm["subcommands"].type, Reply::Array);
  EXPECT_GE(cm["subcommands"].elements.size(), 10u);
  same({"COMMAND", "DOCS", "nosuch"});
  const Reply everything = b_->command({"COMMAND", "DOCS"});
  EXPECT_EQ(static_cast<long long>(everything.elements.size()),
            2 * b_->get_integer({"COMMAND", "COUNT"}));
}

TEST_F(Server, CommandGetkeys) {
  EXPECT_EQ(b_->get_strings({"COMMAND", "GETKEYS", "GET", "k"}), (std::vector<std::string>{"k"}));
  EXPECT_EQ(b_->get_strings({"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"}),
            (std::vector<std::string>{"a", "b"}));
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"COMMAND", "GETKEYS"},
           {"COMMAND", "GETKEYS", "get"},
           {"COMMAND", "GETKEYS", "foo", "bar"},
           {"COMMAND", "GETKEYS", "ping", "x"},
           {"COMMAND", "GETKEYS", "set", "a"},
           {"COMMAND", "GETKEYS", "get", "a", "b"},
           {"COMMAND", "GETKEYS", "get", "a"},
           {"COMMAND", "GETKEYS", "mset", "a", "1", "b"},
           {"COMMAND", "GETKEYS", "mget", "a", "b", "c"},
           {"COMMAND", "GETKEYSANDFLAGS", "get", "a"},
       }) {
    same(args);
  }
}

// ---------------------------------------------------------------------------------------------
// TIME, LASTSAVE, SAVE, BGSAVE, ROLE

TEST_F(Server, Time) {
  const auto t = b_->get_strings({"TIME"});
  ASSERT_EQ(t.size(), 2u);
  timeval tv;
  gettimeofday(&tv, nullptr);
  EXPECT_NEAR(static_cast<double>(std::stoll(t[0])), static_cast<double>(tv.tv_sec), 5);
  EXPECT_GE(std::stoll(t[1]), 0);
  EXPECT_LT(std::stoll(t[1]), 1000000);
  EXPECT_TRUE(std::regex_match(run({"TIME"}),
                               std::regex("\\*2\r\n\\$10\r\n\\d{10}\r\n\\$\\d\r\n\\d+\r\n")));
  same({"TIME", "x"});
}

TEST_F(Server, SaveBgsaveLastsave) {
  const long long before = b_->get_integer({"LASTSAVE"});
  EXPECT_GT(before, 1600000000);
  // LASTSAVE counts seconds: let the server's clock reach the next one.
  ASSERT_TRUE(wait_server_time_past(*b_, before * 1000 + 999));
  ASSERT_EQ(run({"SET", "saved", "1"}), "+OK\r\n");
  EXPECT_EQ(run({"SAVE"}), "+OK\r\n");
  const long long after_save = b_->get_integer({"LASTSAVE"});
  EXPECT_GT(after_save, before);
  ASSERT_TRUE(wait_server_time_past(*b_, after_save * 1000 + 999));
  const std::string bg = run({"BGSAVE"});
  EXPECT_EQ(bg, "+Background saving started\r\n");
  EXPECT_TRUE(wait_until(
      [&] {
        return info({"persistence"})["Persistence"].at("rdb_bgsave_in_progress") == "0" &&
               b_->get_integer({"LASTSAVE"}) > after_save;
      },
      10s));
  const std::string sched = run({"BGSAVE", "SCHEDULE"});
  EXPECT_TRUE(sched == "+Background saving started\r\n" ||
              sched == "+Background saving scheduled\r\n")
      << sched;
  EXPECT_TRUE(wait_until(
      [&] { return info({"persistence"})["Persistence"].at("rdb_bgsave_in_progress") == "0"; },
      10s));
  same({"BGSAVE", "x"});
  same({"BGSAVE", "SCHEDULE", "x"});
  same({"SAVE", "x"});
  same({"LASTSAVE", "x"});
}

TEST_F(Server, RoleOnMaster) {
  ASSERT_EQ(run({"SET", "r", "1"}), "+OK\r\n");
  const Reply role = b_->command({"ROLE"});
  ASSERT_EQ(role.type, Reply::Array);
  ASSERT_EQ(role.elements.size(), 3u);
  EXPECT_TRUE(role.elements[0].is_bulk("master"));
  EXPECT_EQ(role.elements[1].type, Reply::Integer);
  EXPECT_EQ(std::to_string(role.elements[1].integer),
            info({"replication"})["Replication"].at("master_repl_offset"));
  EXPECT_EQ(role.elements[2].type, Reply::Array);
  same({"ROLE", "x"});
}

// ---------------------------------------------------------------------------------------------
// DEBUG

TEST_F(Server, DebugSleepBlocksTheServer) {
  RespClient other = basalt_->client();
  const auto sent = Clock::now();
  b_->send_command({"DEBUG", "SLEEP", "0.5"});
  // PING from another connection, one at a time, until one of them is held up: the first PING
  // that reaches the server after the sleep began waits for the rest of it (about 0.5 s, as the
  // PINGs follow each other within a millisecond or so). PINGs answered before the sleep began
  // come back at once. A server that never blocks answers them all at once until the deadline.
  std::chrono::steady_clock::duration longest{};
  while (Clock::now() - sent < 3s) {
    const auto t0 = Clock::now();
    ASSERT_EQ(other.command_raw({"PING"}), "+PONG\r\n");
    longest = std::max(longest, Clock::now() - t0);
    if (longest >= 250ms) break;
  }
  EXPECT_GE(longest, 250ms) << "no PING waited for DEBUG SLEEP 0.5";
  EXPECT_EQ(b_->read_reply_raw(), "+OK\r\n");
  EXPECT_GE(Clock::now() - sent, 500ms);
  same({"DEBUG", "SLEEP", "0"});
  same({"DEBUG", "SLEEP", "abc"});
}

TEST_F(Server, DebugSetActiveExpire) {
  ASSERT_EQ(run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}), "+OK\r\n");
  ASSERT_EQ(run({"SET", "short", "v", "PX", "50"}), "+OK\r\n");
  // Past its expiry by three periods of the server's cron (1000 / hz ms), each of which would
  // have run the active expiry cycle.
  const long long set_by = server_ms(*b_);
  const long long hz = num(info({"server"})["Server"].at("hz"));
  ASSERT_GT(hz, 0);
  ASSERT_TRUE(wait_server_time_past(*b_, set_by + 50 + 3 * 1000 / hz));
  // Nobody deleted it; it is still counted (with its TTL, as Redis counts it).
  EXPECT_EQ(run({"INFO", "keyspace"}), bulk("# Keyspace\r\ndb0:keys=1,expires=1,avg_ttl=0\r\n"));
  ASSERT_EQ(run({"DEBUG", "SET-ACTIVE-EXPIRE", "1"}), "+OK\r\n");
  EXPECT_TRUE(wait_until([&] { return run({"INFO", "keyspace"}) == bulk("# Keyspace\r\n"); }, 5s));
}

TEST_F(Server, DebugSubcommandsAndErrors) {
  EXPECT_EQ(run({"DEBUG", "ERROR", "MYERR something failed"}), err("MYERR something failed"));
  EXPECT_EQ(run({"DEBUG", "LOG", "hello from the test"}), "+OK\r\n");
  EXPECT_TRUE(wait_until(
      [&] { return basalt_->log().find("hello from the test") != std::string::npos; }, 5s));
  EXPECT_EQ(run({"DEBUG", "RELOAD"}), "+OK\r\n");
  // basalt's own DEBUG COMPACT (Redis has none): the data is still there afterwards.
  ASSERT_EQ(run({"SET", "compacted", "still here"}), "+OK\r\n");
  EXPECT_EQ(run({"DEBUG", "COMPACT"}), "+OK\r\n");
  EXPECT_EQ(run({"GET", "compacted"}), bulk("still here"));
  EXPECT_TRUE(wait_until(
      [&] { return basalt_->log().find("DEBUG COMPACT: store compacted") != std::string::npos; },
      5s));
  same({"DEBUG", "COMPACT", "x"});  // Redis: an unknown subcommand, basalt: a wrong arity
  const Reply help = b_->command({"DEBUG", "HELP"});
  ASSERT_EQ(help.type, Reply::Array);
  EXPECT_TRUE(help.elements.front().is_status(
      "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
  EXPECT_EQ(b_->command({"DEBUG", "DIGEST"}).type != Reply::Error, true);
  same({"DEBUG"});
  same({"DEBUG", "xyz"});
  same({"DEBUG", "SLEEP"});
  same({"DEBUG", "SLEEP", "0.1", "x"});
  same({"DEBUG", "SET-ACTIVE-EXPIRE"});
  same({"DEBUG", "SET-ACTIVE-EXPIRE", "1"});
  same({"DEBUG", "ERROR", "FOO bar"});
  same({"DEBUG", "RELOAD", "bad"});
  same({"DEBUG", "DIGEST", "x"});
}

// ---------------------------------------------------------------------------------------------
// SHUTDOWN

TEST_F(Server, ShutdownErrors) {
  same({"SHUTDOWN", "ABORT"});
  same({"SHUTDOWN", "foo"});
  same({"SHUTDOWN", "SAVE", "NOSAVE"});
  same({"SHUTDOWN", "ABORT", "NOW"});
  same({"SHUTDOWN", "NOW", "foo"});
  EXPECT_TRUE(basalt_->running());
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
}

TEST(ServerShutdown, ShutdownExitsCleanlyAndKeepsData) {
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"SHUTDOWN"}, {"SHUTDOWN", "NOSAVE"}, {"shutdown", "save", "now", "force"}}) {
    BasaltServer srv;
    srv.start();
    {
      RespClient c = srv.client();
      ASSERT_EQ(c.command_raw({"SET", "durable", "yes"}), "+OK\r\n");
      RespClient bystander = srv.client();
      c.send_command(cmd);
      EXPECT_TRUE(c.closed_by_peer(15s));
      EXPECT_EQ(c.buffered_bytes(), 0u) << "SHUTDOWN must not reply on success";
      EXPECT_TRUE(bystander.closed_by_peer(15s));
    }
    ASSERT_EQ(srv.process().wait_exit(15s), 0) << srv.log_tail();
    srv.start();
    EXPECT_EQ(srv.client().command_raw({"GET", "durable"}), bulk("yes"));
  }
}

// ---------------------------------------------------------------------------------------------
// On a replica whose master is unreachable, with replica-serve-stale-data no: which server and
// connection commands still answer (the "stale" flag), compared with Redis in the same state.

TEST(ServerOnReplica, StaleFlagsAndRoleWithMasterDown) {
  const int dead_port = free_port();
  // (Started with stale data on: the test support waits for +PONG, which MASTERDOWN prevents.)
  BasaltServer basalt({"--replicaof", "127.0.0.1 " + std::to_string(dead_port)});
  basalt.start();
  RespClient b = basalt.client();
  ASSERT_EQ(b.command_raw({"CONFIG", "SET", "replica-serve-stale-data", "no"}), "+OK\r\n");
  std::unique_ptr<RedisOracle> redis;
  std::optional<RespClient> r;
  if (RedisOracle::available()) {
    redis = std::make_unique<RedisOracle>(
        std::vector<std::string>{"--replicaof", "127.0.0.1", std::to_string(dead_port)});
    redis->start();
    r.emplace(redis->client());
    ASSERT_EQ(r->command_raw({"CONFIG", "SET", "replica-serve-stale-data", "no"}), "+OK\r\n");
  }
  const std::string masterdown =
      err("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
  EXPECT_EQ(b.command_raw({"GET", "k"}), masterdown);
  EXPECT_EQ(b.command_raw({"SAVE"}), masterdown);
  EXPECT_EQ(b.command_raw({"CONFIG", "SET", "hz", "10"}), "+OK\r\n");
  EXPECT_EQ(b.command_raw({"CLIENT", "SETNAME", "x"}), "+OK\r\n");
  EXPECT_EQ(b.command_raw({"CLIENT", "SETNAME", ""}), "+OK\r\n");
  const auto repl = parse_info(b.get_string({"INFO", "replication"}))["Replication"];
  EXPECT_EQ(repl.at("role"), "slave");
  EXPECT_EQ(repl.at("master_host"), "127.0.0.1");
  EXPECT_EQ(repl.at("master_port"), std::to_string(dead_port));
  EXPECT_EQ(repl.at("master_link_status"), "down");
  EXPECT_EQ(repl.at("master_sync_in_progress"), "0");
  EXPECT_EQ(repl.at("slave_read_only"), "1");
  EXPECT_EQ(repl.at("connected_slaves"), "0");
  EXPECT_TRUE(repl.count("master_link_down_since_seconds"));
  const Reply role = b.command({"ROLE"});
  ASSERT_EQ(role.elements.size(), 5u) << role;
  EXPECT_TRUE(role.elements[0].is_bulk("slave"));
  EXPECT_TRUE(role.elements[1].is_bulk("127.0.0.1"));
  EXPECT_TRUE(role.elements[2].is_integer(dead_port));
  EXPECT_TRUE(role.elements[3].is_bulk("connect") || role.elements[3].is_bulk("connecting"))
      << role;
  EXPECT_TRUE(role.elements[4].is_integer(-1)) << role;
  if (!r) return;
  // basalt answers PING here (Redis says MASTERDOWN): health checks and tools keep working.
  EXPECT_EQ(b.command_raw({"PING"}), "+PONG\r\n");
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {"ECHO", "a"},
           {"SELECT", "1"},
           {"GET", "k"},
           {"SAVE"},
           {"BGSAVE"},
           {"CONFIG", "SET", "hz", "10"},
           {"CONFIG", "GET", "hz"},
           {"CLIENT", "GETNAME"},
           {"CLIENT", "NO-EVICT", "on"},
           {"COMMAND", "COUNT", "x"},
           {"INFO", "cluster"},
           {"SHUTDOWN", "ABORT"},
           {"AUTH", "x"},
       }) {
    EXPECT_EQ(escape_bytes(b.command_raw(cmd)), escape_bytes(r->command_raw(cmd))) << cmd[0];
  }
  const Reply their_hello = r->command({"HELLO"});
  const Reply our_hello = b.command({"HELLO"});
  ASSERT_EQ(our_hello.elements.size(), their_hello.elements.size());
  EXPECT_EQ(our_hello.elements[11], their_hello.elements[11]);  // role
}

}  // namespace
}  // namespace basalt::test
