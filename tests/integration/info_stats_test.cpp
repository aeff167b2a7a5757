// tests/integration/info_stats_test.cpp — INFO commandstats and errorstats: the same command
// sequence (successes, failures, rejections, transactions, subcommands) sent to basalt and to
// redis-server gives the same per-command call / rejected / failed counts and the same
// per-error-code counts.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"

namespace basalt::test {
namespace {

// "cmdstat_get" -> "calls=2,rejected_calls=0,failed_calls=1" (the timing fields dropped).
std::map<std::string, std::string> commandstats(RespClient& c) {
  std::map<std::string, std::string> out;
  std::istringstream in(c.get_string({"INFO", "commandstats"}));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (line.empty() || line[0] == '#' || colon == std::string::npos) continue;
    std::string kept;
    std::istringstream fields(line.substr(colon + 1));
    std::string field;
    while (std::getline(fields, field, ',')) {
      if (field.starts_with("usec")) continue;
      kept += (kept.empty() ? "" : ",") + field;
    }
    out[line.substr(0, colon)] = kept;
  }
  return out;
}

std::string errorstats(RespClient& c) {
  return c.get_string({"INFO", "errorstats"});
}

const std::vector<std::vector<std::string>> kScript = {
    {"CONFIG", "RESETSTAT"},
    {"SET", "k", "v"},
    {"GET", "k"},
    {"GET"},                  // rejected: arity
    {"INCR", "k"},            // failed: not an integer
    {"LPUSH", "k", "x"},      // failed: WRONGTYPE
    {"NOSUCHCOMMAND", "a"},   // an ERR, no command to count it on
    {"CLIENT", "NOSUCHSUB"},  // likewise
    {"CLIENT", "KILL"},       // rejected: the subcommand's arity
    {"CLIENT", "GETNAME"},    // counted as client|getname
    {"ZADD", "z", "notanumber", "m"},
    {"MULTI"},
    {"GET", "k"},
    {"INCR", "k"},
    {"EXEC"},
    {"MULTI"},
    {"GET"},
    {"EXEC"},  // EXECABORT
    {"EXPIRE", "k", "10", "BOGUS"},
    {"HSET", "h", "f"},
    {"DEL", "k", "h"},
};

TEST(InfoStats, CommandAndErrorStatsMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  ServerPair pair;
  RespClient& b = pair.ours();
  RespClient& r = pair.theirs();
  for (const auto& cmd : kScript) pair.send(cmd);
  auto mine = commandstats(b);
  EXPECT_EQ(mine, commandstats(r));
  EXPECT_EQ(errorstats(b), errorstats(r));
  // Spot checks independent of the oracle.
  EXPECT_EQ(mine["cmdstat_get"], "calls=2,rejected_calls=2,failed_calls=0");
  EXPECT_EQ(mine["cmdstat_incr"], "calls=2,rejected_calls=0,failed_calls=2");
  EXPECT_EQ(mine["cmdstat_client|kill"], "calls=0,rejected_calls=1,failed_calls=0");
  EXPECT_NE(errorstats(b).find("errorstat_WRONGTYPE:count=1"), std::string::npos);

  // CONFIG RESETSTAT empties both sections (then counts itself, and the first INFO).
  b.command({"CONFIG", "RESETSTAT"});
  EXPECT_EQ(errorstats(b), "# Errorstats\r\n");
  auto after = commandstats(b);
  EXPECT_EQ(after.size(), 2u);
  EXPECT_EQ(after["cmdstat_config|resetstat"], "calls=1,rejected_calls=0,failed_calls=0");
  EXPECT_EQ(after["cmdstat_info"], "calls=1,rejected_calls=0,failed_calls=0");
}

}  // namespace
}  // namespace basalt::test
