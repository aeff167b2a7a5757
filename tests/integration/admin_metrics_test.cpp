// tests/integration/admin_metrics_test.cpp — GET /metrics against the Prometheus text
// exposition format: a strict parser of our own (every sample's family has # HELP and # TYPE
// first, names and labels well formed, values numbers, no family twice), and Debian's
// `promtool check metrics` when it is installed.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tests/support/http_client.h"
#include "tests/support/ports.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

// Problems with `text` as exposition format 0.0.4 ("" if none); fills `samples` with
// "name{labels}" -> value.
std::string check_exposition(const std::string& text, std::map<std::string, double>& samples) {
  static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*)");
  static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|untyped))");
  static const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^\\"\n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^\\"\n])*")*\})? (\S+))");
  std::string problems;
  std::set<std::string> helped, typed;
  std::string current;  // the family of the last # TYPE
  std::istringstream in(text);
  std::string line;
  int n = 0;
  if (text.empty() || text.back() != '\n') problems += "does not end with a newline\n";
  while (std::getline(in, line)) {
    ++n;
    std::smatch m;
    std::string where = "line " + std::to_string(n) + " '" + line + "': ";
    if (std::regex_match(line, m, help)) {
      if (!helped.insert(m[1]).second) problems += where + "second HELP\n";
      continue;
    }
    if (std::regex_match(line, m, type)) {
      if (!typed.insert(m[1]).second) problems += where + "second TYPE\n";
      if (!helped.count(m[1])) problems += where + "TYPE before HELP\n";
      current = m[1];
      continue;
    }
    if (!std::regex_match(line, m, sample)) {
      problems += where + "not a sample\n";
      continue;
    }
    if (m[1] != current) problems += where + "sample outside its family\n";
    std::string value = m[7];
    char* end = nullptr;
    double v = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0') problems += where + "value is not a number\n";
    std::string key = std::string(m[1]) + std::string(m[2]);
    if (!samples.emplace(key, v).second) problems += where + "duplicate sample\n";
  }
  return problems;
}

TEST(AdminMetrics, ExpositionFormatIsStrictAndComplete) {
  const int master_http = free_port();
  MasterAndReplica pair({"--http-port", std::to_string(master_http)});
  RespClient m = pair.master.client();
  RespClient r = pair.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 20s));
  ASSERT_TRUE(m.command({"SET", "k", "v"}).is_status("OK"));
  ASSERT_TRUE(m.command({"SET", "t", "v", "EX", "100"}).is_status("OK"));
  ASSERT_TRUE(m.command({"SELECT", "3"}).is_status("OK"));
  ASSERT_TRUE(m.command({"SET", "x", "y"}).is_status("OK"));
  EXPECT_TRUE(m.command({"INCR", "x"}).is_error());
  EXPECT_TRUE(m.command({"NOSUCHCMD"}).is_error());
  ASSERT_TRUE(wait_for_same_offset(m, r, 20s));

  HttpResponse resp;
  std::map<std::string, double> samples;
  // Wait until the replica's ACK of the last write arrived (lag 0), then check everything.
  const std::string lag_key =
      "basalt_replica_lag_bytes{replica=\"127.0.0.1:" + std::to_string(pair.replica.port()) +
      "\",state=\"online\"}";
  ASSERT_TRUE(wait_until(
      [&] {
        resp = http_request(master_http, "GET", "/metrics");
        samples.clear();
        check_exposition(resp.body, samples);
        return samples.count(lag_key) && samples[lag_key] == 0;
      },
      20s))
      << resp.body;
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  samples.clear();
  EXPECT_EQ(check_exposition(resp.body, samples), "") << resp.body;

  EXPECT_EQ(samples["basalt_command_calls_total{command=\"set\"}"], 3);
  EXPECT_GT(samples["basalt_command_duration_seconds_total{command=\"set\"}"], 0);
  EXPECT_EQ(samples["basalt_command_failed_calls_total{command=\"incr\"}"], 1);
  EXPECT_GE(samples["basalt_errors_total{code=\"ERR\"}"], 2);
  EXPECT_EQ(samples["basalt_keys{db=\"0\"}"], 2);
  EXPECT_EQ(samples["basalt_keys{db=\"3\"}"], 1);
  EXPECT_EQ(samples["basalt_expires{db=\"0\"}"], 1);
  EXPECT_EQ(samples["basalt_expires{db=\"3\"}"], 0);
  EXPECT_GE(samples["basalt_connected_clients"], 1);
  EXPECT_GT(samples["basalt_master_repl_offset"], 0);
  EXPECT_EQ(samples["basalt_sync_full_total"], 1);
  EXPECT_EQ(samples["basalt_sync_partial_ok_total"], 0);
  EXPECT_TRUE(samples.count("basalt_sync_partial_err_total"));
  EXPECT_EQ(samples["basalt_connected_replicas"], 1);
  EXPECT_TRUE(samples.count("basalt_replica_lag_seconds{replica=\"127.0.0.1:" +
                            std::to_string(pair.replica.port()) + "\",state=\"online\"}"));
  EXPECT_GT(samples["basalt_repl_log_bytes"], 0);
  EXPECT_TRUE(samples.count("basalt_rocksdb_block_cache_bytes"));
  EXPECT_GT(samples["basalt_rocksdb_memtable_bytes"], 0);
  EXPECT_TRUE(samples.count("basalt_disk_bytes"));
  EXPECT_TRUE(samples.count("basalt_rocksdb_live_sst_bytes"));
  EXPECT_TRUE(samples.count("basalt_rocksdb_pending_compaction_bytes"));
  EXPECT_TRUE(samples.count("basalt_rocksdb_running_compactions"));
  EXPECT_TRUE(samples.count("basalt_rocksdb_compaction_pending"));
  EXPECT_GE(samples["basalt_rocksdb_write_stall_seconds_total"], 0);
  EXPECT_EQ(samples["basalt_rocksdb_writes_stopped"], 0);
  // INCR read x (and failed on its value): one lookup went through the record cache.
  EXPECT_GE(samples["basalt_record_cache_hits_total"] + samples["basalt_record_cache_misses_total"],
            1);
  EXPECT_TRUE(samples.count("basalt_expired_keys_total"));
  EXPECT_EQ(samples["basalt_evicted_keys_total"], 0);
  EXPECT_EQ(samples["basalt_used_memory_bytes"], info_int(m, "memory", "used_memory"));
  EXPECT_EQ(samples["basalt_maxmemory_bytes"], 0);
  EXPECT_EQ(samples["basalt_storage_healthy"], 1);
  EXPECT_EQ(samples["basalt_replication_role{role=\"master\"}"], 1);

  // promtool, when installed, must find nothing to complain about (lint included).
  FILE* which = ::popen("command -v promtool", "r");
  char buf[256] = {};
  bool have_promtool = which && std::fgets(buf, sizeof(buf), which) != nullptr;
  if (which) ::pclose(which);
  if (!have_promtool) GTEST_SKIP() << "promtool not installed; checked with our own parser only";
  TempDir tmp;
  auto file = tmp.path() / "metrics.txt";
  {
    FILE* f = std::fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fwrite(resp.body.data(), 1, resp.body.size(), f);
    std::fclose(f);
  }
  std::string cmd = "promtool check metrics < " + file.string() + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  while (std::fgets(buf, sizeof(buf), p)) out += buf;
  int rc = ::pclose(p);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "") << out;
}

}  // namespace
}  // namespace basalt::test
