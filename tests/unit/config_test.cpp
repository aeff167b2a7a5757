// tests/unit/config_test.cpp — the node's configuration: command-line parsing (config file
// plus --options, multi-word values, --help / --version, errors), config files (comments,
// quotes, aliases, errors that name the line), memory units, runtime mutability, and
// CONFIG REWRITE round trips.
#include "node/config/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/scratch_dir.h"

namespace {

using namespace basalt::config;
using basalt::unit::ScratchDir;

struct Argv {
  explicit Argv(std::vector<std::string> a) : args(std::move(a)) {
    for (auto& s : args) ptrs.push_back(s.data());
    ptrs.push_back(nullptr);
  }
  int argc() const { return static_cast<int>(args.size()); }
  char** argv() { return ptrs.data(); }
  std::vector<std::string> args;
  std::vector<char*> ptrs;
};

ArgsOutcome parse(Config& c, std::vector<std::string> args, std::string& error) {
  args.insert(args.begin(), "basalt");
  Argv a(std::move(args));
  return parse_args(c, a.argc(), a.argv(), error);
}

std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
  return path;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---------------------------------------------------------------------------------------------
// parse_args

TEST(ConfigArgs, NoArgumentsKeepsDefaults) {
  Config c;
  std::string error;
  EXPECT_EQ(parse(c, {}, error), ArgsOutcome::Run);
  EXPECT_EQ(c.port, 6379);
  EXPECT_EQ(c.dir, "./data");
  EXPECT_EQ(c.databases, 16);
  EXPECT_EQ(c.wal_sync, "everysec");
  EXPECT_TRUE(c.config_file.empty());
}

TEST(ConfigArgs, OptionsAndMultiWordValues) {
  Config c;
  std::string error;
  ASSERT_EQ(parse(c,
                  {"--port", "7001", "--replicaof", "10.0.0.1", "6380", "--bind", "127.0.0.1",
                   "::1", "--WAL-SYNC", "no", "--replica-read-only", "NO", "--maxmemory", "1gb",
                   "--repl-backlog-size", "2mb", "--min-replicas-max-lag", "5"},
                  error),
            ArgsOutcome::Run)
      << error;
  EXPECT_EQ(c.port, 7001);
  EXPECT_EQ(c.replicaof, "10.0.0.1 6380");
  EXPECT_EQ(c.bind, "127.0.0.1 ::1");
  EXPECT_EQ(c.wal_sync, "no");
  EXPECT_FALSE(c.replica_read_only);
  EXPECT_EQ(c.maxmemory, 1ll << 30);
  EXPECT_EQ(c.repl_backlog_size, 2 << 20);
  EXPECT_EQ(c.min_replicas_max_lag, 5);
}

TEST(ConfigArgs, ConfigFileThenOptionsWin) {
  ScratchDir tmp;
  std::string file = write_file(tmp.sub("basalt.conf"),
                                "# a comment\n"
                                "port 7000\n"
                                "   # an indented comment\n"
                                "\n"
                                "dir /var/lib/basalt\n"
                                "hz 20\n");
  Config c;
  std::string error;
  ASSERT_EQ(parse(c, {file, "--port", "7001", "--loglevel", "verbose"}, error), ArgsOutcome::Run)
      << error;
  EXPECT_EQ(c.port, 7001);
  EXPECT_EQ(c.dir, "/var/lib/basalt");
  EXPECT_EQ(c.hz, 20);
  EXPECT_EQ(c.loglevel, "verbose");
  EXPECT_EQ(c.config_file, file);
}

TEST(ConfigArgs, RelativeConfigFileIsMadeAbsolute) {
  ScratchDir tmp;
  std::string file = write_file(tmp.sub("rel.conf"), "port 7010\n");
  std::string relative = std::filesystem::relative(file).string();
  ASSERT_FALSE(std::filesystem::path(relative).is_absolute());
  Config c;
  std::string error;
  ASSERT_EQ(parse(c, {relative}, error), ArgsOutcome::Run) << error;
  EXPECT_EQ(c.port, 7010);
  EXPECT_TRUE(std::filesystem::path(c.config_file).is_absolute());
  EXPECT_TRUE(std::filesystem::equivalent(c.config_file, file));
}

TEST(ConfigArgs, HelpAndVersion) {
  Config c;
  std::string error;
  EXPECT_EQ(parse(c, {"--help"}, error), ArgsOutcome::Help);
  EXPECT_EQ(parse(c, {"-h"}, error), ArgsOutcome::Help);
  EXPECT_EQ(parse(c, {"--version"}, error), ArgsOutcome::Version);
  EXPECT_EQ(parse(c, {"-v"}, error), ArgsOutcome::Version);
  EXPECT_EQ(parse(c, {"--port", "7000", "--version"}, error), ArgsOutcome::Version);
  // As in Redis, only the first argument may be -h / -v; later it is an option's value.
  EXPECT_EQ(parse(c, {"--port", "7000", "-h"}, error), ArgsOutcome::Error);
  EXPECT_NE(usage().find("Usage: basalt"), std::string::npos);
}

TEST(ConfigArgs, Errors) {
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{"--port"}, "Option '--port' needs a value"},
      {{"--port", "--hz", "10"}, "Option '--port' needs a value"},
      {{"--nosuch", "1"}, "Bad option '--nosuch 1': Bad directive or wrong number of arguments"},
      {{"--port", "abc"}, "Bad option '--port abc': argument couldn't be parsed into an integer"},
      {{"--port", "70000"},
       "Bad option '--port 70000': argument must be between 0 and 65535 inclusive"},
      {{"--port", "7000", "7001"},
       "Bad option '--port 7000 7001': argument couldn't be parsed into an integer"},
      {{"--wal-sync", "sometimes"},
       "Bad option '--wal-sync sometimes': argument(s) must be one of the following: always, "
       "everysec, no"},
      {{"--replica-read-only", "maybe"},
       "Bad option '--replica-read-only maybe': argument must be 'yes' or 'no'"},
      {{"--repl-backlog-size", "1k"},
       "Bad option '--repl-backlog-size 1k': argument must be a memory value at least 1048576"},
      {{"--repl-backlog-size", "lots"},
       "Bad option '--repl-backlog-size lots': argument must be a memory value"},
      {{"--port", "7000", "stray", "--", "x"}, ""},  // only checks it fails
      {{"--", "x"}, "Unexpected argument '--' (options look like --port 6380)"},
  };
  for (const auto& tc : cases) {
    Config c;
    std::string error;
    EXPECT_EQ(parse(c, tc.args, error), ArgsOutcome::Error) << tc.args[0];
    if (!tc.error.empty()) {
      EXPECT_EQ(error, tc.error);
    }
  }
  // A first argument that is not an option is a config file, and must exist.
  Config c;
  std::string error;
  EXPECT_EQ(parse(c, {"/nonexistent/basalt.conf"}, error), ArgsOutcome::Error);
  EXPECT_NE(error.find("can't open config file '/nonexistent/basalt.conf'"), std::string::npos)
      << error;
  // After the file, everything must be an option.
  ScratchDir tmp;
  std::string file = write_file(tmp.sub("ok.conf"), "port 7000\n");
  error.clear();
  EXPECT_EQ(parse(c, {file, "port", "7001"}, error), ArgsOutcome::Error);
  EXPECT_EQ(error, "Unexpected argument 'port' (options look like --port 6380)");
}

// ---------------------------------------------------------------------------------------------
// load_file

TEST(ConfigFile, QuotesAliasesPassthroughAndCrlf) {
  ScratchDir tmp;
  std::string file = write_file(tmp.sub("a.conf"),
                                "requirepass \"with space\"\r\n"
                                "masterauth 'single \\'quoted\\''\n"
                                "slaveof 10.0.0.1 6380\n"
                                "slave-read-only no\n"
                                "REPL-PING-SLAVE-PERIOD 3\n"
                                "save 900 1\n"
                                "appendonly yes\n"
                                "wal-sync ALWAYS\n"
                                "\t\n"
                                "replica-announce-ip \"\"\n");
  Config c;
  std::string error;
  ASSERT_TRUE(load_file(c, file, error)) << error;
  EXPECT_EQ(c.requirepass, "with space");
  EXPECT_EQ(c.masterauth, "single 'quoted'");
  EXPECT_EQ(c.replicaof, "10.0.0.1 6380");
  EXPECT_FALSE(c.replica_read_only);
  EXPECT_EQ(c.repl_ping_replica_period, 3);
  EXPECT_EQ(c.passthrough["save"], "900 1");
  EXPECT_EQ(c.passthrough["appendonly"], "yes");
  EXPECT_EQ(c.wal_sync, "always");
  EXPECT_EQ(c.replica_announce_ip, "");
}

// The small-collection encoding thresholds, under their Redis 7.0 names and the older
// *-ziplist-* ones, with Redis's checks.
TEST(ConfigFile, EncodingDirectivesAndTheirZiplistNames) {
  ScratchDir tmp;
  std::string file = write_file(tmp.sub("enc.conf"),
                                "hash-max-ziplist-entries 5\n"
                                "hash-max-listpack-value 1kb\n"
                                "set-max-intset-entries 3\n"
                                "zset-max-ziplist-entries 7\n"
                                "zset-max-listpack-value 10\n"
                                "list-max-ziplist-size 8\n"
                                "list-compress-depth 2\n");
  Config c;
  std::string error;
  ASSERT_TRUE(load_file(c, file, error)) << error;
  EXPECT_EQ(c.hash_max_listpack_entries, 5);
  EXPECT_EQ(c.hash_max_listpack_value, 1024);
  EXPECT_EQ(c.set_max_intset_entries, 3);
  EXPECT_EQ(c.zset_max_listpack_entries, 7);
  EXPECT_EQ(c.zset_max_listpack_value, 10);
  EXPECT_EQ(c.list_max_listpack_size, 8);
  EXPECT_EQ(c.list_compress_depth, 2);
  Config defaults;
  EXPECT_EQ(defaults.hash_max_listpack_entries, 512);
  EXPECT_EQ(defaults.hash_max_listpack_value, 64);
  EXPECT_EQ(defaults.set_max_intset_entries, 512);
  EXPECT_EQ(defaults.zset_max_listpack_entries, 128);
  EXPECT_EQ(defaults.zset_max_listpack_value, 64);
  EXPECT_EQ(defaults.list_max_listpack_size, -2);
  EXPECT_EQ(defaults.list_compress_depth, 0);
  for (const char* bad : {"hash-max-ziplist-value -1", "list-compress-depth -1",
                          "set-max-intset-entries 1k", "list-max-listpack-size abc"}) {
    Config d;
    ASSERT_FALSE(load_file(d, write_file(tmp.sub("bad.conf"), std::string(bad) + "\n"), error))
        << bad;
  }
}

TEST(ConfigFile, Include) {
  ScratchDir tmp;
  std::string inner = write_file(tmp.sub("inner.conf"), "port 7005\nhz 33\n");
  std::string outer = write_file(tmp.sub("outer.conf"), "port 7000\ninclude " + inner + "\n");
  Config c;
  std::string error;
  ASSERT_TRUE(load_file(c, outer, error)) << error;
  EXPECT_EQ(c.port, 7005);
  EXPECT_EQ(c.hz, 33);
}

TEST(ConfigFile, ErrorsNameTheLine) {
  ScratchDir tmp;
  std::string file = write_file(tmp.sub("bad.conf"),
                                "port 7000\n"
                                "# comment\n"
                                "\n"
                                "port abc\n"
                                "hz 10\n");
  Config c;
  std::string error;
  ASSERT_FALSE(load_file(c, file, error));
  EXPECT_EQ(error,
            "*** FATAL CONFIG FILE ERROR ***\n"
            "Reading the configuration file, at line 4\n"
            ">>> 'port abc'\n"
            "argument couldn't be parsed into an integer");

  struct Case {
    std::string text;
    int line;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"nosuchdirective 1\n", 1, "Bad directive or wrong number of arguments"},
      {"port 1\nrequirepass \"abc\n", 2, "Unbalanced quotes in configuration line"},
      {"\n\nhz 0\n", 3, "argument must be between 1 and 500 inclusive"},
      {"databases 100000\n", 1, "argument must be between 1 and 65535 inclusive"},
      {"rocksdb-compression brotli\n", 1,
       "argument(s) must be one of the following: none, snappy, lz4, zstd"},
  };
  for (const auto& tc : cases) {
    std::string path = write_file(tmp.sub("case.conf"), tc.text);
    Config d;
    error.clear();
    ASSERT_FALSE(load_file(d, path, error)) << tc.text;
    EXPECT_NE(error.find("at line " + std::to_string(tc.line) + "\n"), std::string::npos) << error;
    EXPECT_EQ(error.substr(error.size() - tc.reason.size()), tc.reason) << error;
  }

  error.clear();
  EXPECT_FALSE(load_file(c, tmp.sub("missing.conf"), error));
  EXPECT_EQ(error, "Fatal error, can't open config file '" + tmp.sub("missing.conf") + "'");
}

// ---------------------------------------------------------------------------------------------
// parse_memory

TEST(ConfigMemory, Units) {
  struct Case {
    const char* text;
    int64_t value;
  };
  for (const Case& tc :
       {Case{"0", 0}, Case{"100", 100}, Case{"100b", 100}, Case{"1k", 1000}, Case{"1kb", 1024},
        Case{"2KB", 2048}, Case{"3m", 3000000}, Case{"3mb", 3 << 20}, Case{"3Mb", 3 << 20},
        Case{"1g", 1000000000}, Case{"1gb", 1ll << 30}, Case{"8gb", 8ll << 30},
        Case{"8589934591gb", INT64_MAX - (1ll << 30) + 1},
        Case{"9223372036854775807", INT64_MAX}}) {
    int64_t v = -1;
    EXPECT_TRUE(parse_memory(tc.text, v)) << tc.text;
    EXPECT_EQ(v, tc.value) << tc.text;
  }
}

TEST(ConfigMemory, Rejects) {
  for (const char* text :
       {"", "k", "kb", "1x", "1kbb", "1 kb", " 1", "1.5mb", "+1", "01", "1t", "1tb", "8589934592gb",
        "9223372036854775808", "99999999999999999999999"}) {
    int64_t v = 42;
    EXPECT_FALSE(parse_memory(text, v)) << text;
  }
}

// ---------------------------------------------------------------------------------------------
// The directive table (CONFIG GET / SET)

TEST(ConfigTable, GetSetAndMutability) {
  const auto& table = ConfigTable::instance();
  Config c;
  std::string error;
  const auto* port = table.find("PORT");
  ASSERT_NE(port, nullptr);
  EXPECT_EQ(port->name, "port");
  EXPECT_EQ(port->get(c), "6379");
  EXPECT_FALSE(apply_directive(c, "port", "7000", true, error));
  EXPECT_EQ(error, "can't set immutable config");
  EXPECT_TRUE(apply_directive(c, "hz", "50", true, error)) << error;
  EXPECT_EQ(table.find("hz")->get(c), "50");
  EXPECT_TRUE(apply_directive(c, "slave-priority", "7", true, error)) << error;
  EXPECT_EQ(table.find("replica-priority")->get(c), "7");
  EXPECT_EQ(table.find("nosuch"), nullptr);
  EXPECT_FALSE(apply_directive(c, "nosuch", "1", false, error));
  EXPECT_EQ(table.find("replica-read-only")->get(c), "yes");
}

TEST(ConfigTable, ReplLogMaxSizeIsAMutableMemoryDirective) {
  const auto& table = ConfigTable::instance();
  Config c;
  std::string error;
  ASSERT_NE(table.find("repl-log-max-size"), nullptr);
  EXPECT_EQ(table.find("repl-log-max-size")->get(c), std::to_string(1ll << 30));
  EXPECT_TRUE(apply_directive(c, "repl-log-max-size", "64mb", true, error)) << error;
  EXPECT_EQ(c.repl_log_max_size, 64ll << 20);
  EXPECT_FALSE(apply_directive(c, "repl-log-max-size", "1k", true, error));
  EXPECT_EQ(error, "argument must be a memory value at least 1048576");
}

// ---------------------------------------------------------------------------------------------
// rewrite_file (CONFIG REWRITE)

TEST(ConfigRewrite, RoundTrip) {
  ScratchDir tmp;
  std::string file = write_file(tmp.sub("r.conf"),
                                "# Basalt config\n"
                                "port 7000\n"
                                "save 900 1\n"
                                "requirepass secret\n"
                                "\n"
                                "port 7001\n"
                                "appendonly no\n");
  Config c;
  std::string error;
  ASSERT_TRUE(load_file(c, file, error)) << error;
  c.config_file = file;
  EXPECT_EQ(c.port, 7001);
  c.port = 7002;
  c.hz = 50;
  c.replicaof = "10.0.0.1 6380";
  c.requirepass = "new secret";
  ASSERT_TRUE(rewrite_file(c, error)) << error;
  EXPECT_EQ(read_file(file),
            "# Basalt config\n"
            "port 7002\n"
            "save 900 1\n"
            "requirepass \"new secret\"\n"
            "\n"
            "appendonly no\n"
            "# Generated by CONFIG REWRITE\n"
            "hz 50\n"
            "replicaof 10.0.0.1 6380\n");

  Config reloaded;
  ASSERT_TRUE(load_file(reloaded, file, error)) << error;
  EXPECT_EQ(reloaded.port, 7002);
  EXPECT_EQ(reloaded.hz, 50);
  EXPECT_EQ(reloaded.replicaof, "10.0.0.1 6380");
  EXPECT_EQ(reloaded.requirepass, "new secret");
  EXPECT_EQ(reloaded.passthrough["save"], "900 1");
  EXPECT_EQ(reloaded.passthrough["appendonly"], "no");

  EXPECT_FALSE(std::filesystem::exists(file + ".tmp-rewrite"));
}

// Rewriting a file that CONFIG REWRITE wrote changes nothing (Redis keeps its
// "# Generated by CONFIG REWRITE" line in place).
TEST(ConfigRewrite, IsIdempotent) {
  ScratchDir tmp;
  std::string file = write_file(tmp.sub("r.conf"), "# mine\nport 7000\n");
  Config c;
  c.config_file = file;
  c.port = 7001;
  c.hz = 50;
  std::string error;
  ASSERT_TRUE(rewrite_file(c, error)) << error;
  std::string first = read_file(file);
  EXPECT_EQ(first, "# mine\nport 7001\n# Generated by CONFIG REWRITE\nhz 50\n");
  ASSERT_TRUE(rewrite_file(c, error)) << error;
  EXPECT_EQ(read_file(file), first);
}

TEST(ConfigRewrite, ClearedValuesAreDropped) {
  ScratchDir tmp;
  std::string file = write_file(tmp.sub("r.conf"), "requirepass secret\nport 7000\n");
  Config c;
  std::string error;
  ASSERT_TRUE(load_file(c, file, error)) << error;
  c.config_file = file;
  c.requirepass.clear();
  ASSERT_TRUE(rewrite_file(c, error)) << error;
  Config reloaded;
  ASSERT_TRUE(load_file(reloaded, file, error)) << error;
  EXPECT_EQ(reloaded.requirepass, "");
  EXPECT_EQ(reloaded.port, 7000);
}

// Values are written so that loading the file gives them back exactly (Redis quotes string
// values with sdscatrepr): quotes, repeated spaces, backslashes and control characters.
TEST(ConfigRewrite, StringValuesSurviveTheRoundTrip) {
  ScratchDir tmp;
  const std::vector<std::string> values = {"pa\"ss",    "it's",     "two  spaces", "back\\slash",
                                           "tab\there", " leading", "#hash"};
  for (const auto& value : values) {
    std::string file = write_file(tmp.sub("q.conf"), "port 7000\n");
    Config c;
    c.config_file = file;
    c.requirepass = value;
    c.masterauth = value;
    std::string error;
    ASSERT_TRUE(rewrite_file(c, error)) << error;
    Config reloaded;
    EXPECT_TRUE(load_file(reloaded, file, error)) << value << ": " << error;
    EXPECT_EQ(reloaded.requirepass, value) << read_file(file);
    EXPECT_EQ(reloaded.masterauth, value) << read_file(file);
  }
}

TEST(ConfigRewrite, NeedsAConfigFile) {
  Config c;
  std::string error;
  EXPECT_FALSE(rewrite_file(c, error));
  EXPECT_EQ(error, "The server is running without a config file");
}

}  // namespace
