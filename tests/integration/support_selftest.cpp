// tests/integration/support_selftest.cpp — owns the self-tests of tests/support: RespClient
// framing/parsing checked against a real redis-server (RedisOracle), server lifecycle, Process
// lifecycle, TempDir and free_port. Does not start basalt (it only checks BasaltServer's argv).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/temp_dir.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// ------------------------------------------------------------------------------------------
// free_port

TEST(SupportPorts, HandsOutDistinctBindablePorts) {
  std::set<int> seen;
  for (int i = 0; i < 50; ++i) {
    const int port = free_port();
    ASSERT_GT(port, 0);
    ASSERT_LT(port, 65536);
    EXPECT_TRUE(seen.insert(port).second) << "port " << port << " handed out twice";
  }
  const int port = free_port();
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  EXPECT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0)
      << "free_port() returned a port that cannot be bound: " << port;
  ::close(fd);
}

// ------------------------------------------------------------------------------------------
// TempDir

TEST(SupportTempDir, CreatesUniqueDirectoryAndRemovesItRecursively) {
  fs::path kept;
  {
    TempDir a;
    TempDir b;
    kept = a.path();
    ASSERT_TRUE(fs::is_directory(a.path()));
    EXPECT_NE(a.path(), b.path());
    EXPECT_EQ(a.path().parent_path(), fs::path("/tmp"));
    EXPECT_TRUE(a.path().filename().string().starts_with("basalt-test-")) << a.path();
    fs::create_directories(a.path() / "x" / "y");
    std::ofstream(a.path() / "x" / "y" / "file") << "data";
    std::ofstream(a.path() / "top") << "data";
    // A read-only subtree must not defeat the cleanup.
    fs::create_directories(a.path() / "ro" / "inner");
    std::ofstream(a.path() / "ro" / "inner" / "f") << "data";
    fs::permissions(a.path() / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    fs::permissions(a.path() / "ro" / "inner", fs::perms::none);
  }
  EXPECT_FALSE(fs::exists(kept)) << kept << " still exists after ~TempDir";
}

TEST(SupportTempDir, MoveTransfersOwnershipAndReleaseKeepsDirectory) {
  fs::path p;
  {
    TempDir a;
    p = a.path();
    TempDir b(std::move(a));
    EXPECT_TRUE(a.path().empty());
    EXPECT_EQ(b.path(), p);
  }
  EXPECT_FALSE(fs::exists(p));

  fs::path released;
  {
    TempDir c;
    released = c.release();
    EXPECT_TRUE(c.path().empty());
  }
  EXPECT_TRUE(fs::is_directory(released));
  fs::remove_all(released);
}

// ------------------------------------------------------------------------------------------
// Process

TEST(SupportProcess, SleepIsRunningUntilKill9) {
  TempDir tmp;
  Process p;
  EXPECT_FALSE(p.started());
  EXPECT_FALSE(p.running());
  p.start({"sleep", "100"}, tmp.path() / "sleep.log");
  ASSERT_TRUE(p.started());
  EXPECT_GT(p.pid(), 0);
  EXPECT_TRUE(p.running());
  EXPECT_EQ(::kill(p.pid(), 0), 0) << "child pid is not alive";
  EXPECT_FALSE(p.wait_exit(100ms).has_value()) << "sleep 100 exited early";
  EXPECT_FALSE(p.exit_status().has_value());

  p.kill9();
  EXPECT_FALSE(p.running());
  ASSERT_TRUE(p.exit_status().has_value());
  EXPECT_EQ(*p.exit_status(), 128 + SIGKILL);
  ASSERT_TRUE(p.raw_wait_status().has_value());
  EXPECT_TRUE(WIFSIGNALED(*p.raw_wait_status()));
  EXPECT_FALSE(p.signal(SIGTERM)) << "signal() must not target a reaped pid";
  EXPECT_EQ(p.wait_exit(0ms), 128 + SIGKILL);
}

TEST(SupportProcess, CapturesStdoutStderrAndExitCode) {
  TempDir tmp;
  const fs::path log = tmp.path() / "out.log";
  Process p({"sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"}, log);
  const auto status = p.wait_exit(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 3);
  const std::string out = read_file(log);
  EXPECT_NE(out.find("to-stdout\n"), std::string::npos) << out;
  EXPECT_NE(out.find("to-stderr\n"), std::string::npos) << out;

  // Restarting the same object appends to the log.
  p.start({"sh", "-c", "echo second-run"}, log);
  EXPECT_EQ(p.wait_exit(10s), 0);
  const std::string both = read_file(log);
  EXPECT_NE(both.find("to-stdout"), std::string::npos);
  EXPECT_NE(both.find("second-run"), std::string::npos);
}

TEST(SupportProcess, SignalTerminatesChild) {
  TempDir tmp;
  Process p({"sleep", "100"}, tmp.path() / "log");
  ASSERT_TRUE(p.running());
  EXPECT_TRUE(p.signal(SIGTERM));
  EXPECT_EQ(p.wait_exit(10s), 128 + SIGTERM);
}

TEST(SupportProcess, StdinIsDevNullAndFdsAreNotLeaked) {
  TempDir tmp;
  const fs::path log = tmp.path() / "log";
  // An inheritable fd opened by the runner (no O_CLOEXEC) must not leak into the child.
  const int leaky = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(leaky, 0);
  Process p({"sh", "-c", "cat; ls /proc/self/fd | wc -l"}, log);
  ::close(leaky);
  ASSERT_EQ(p.wait_exit(10s), 0);
  // `ls /proc/self/fd` sees 0, 1, 2 and the directory fd it is reading.
  EXPECT_EQ(read_file(log), "4\n");
}

TEST(SupportProcess, ExecFailureThrows) {
  TempDir tmp;
  Process p;
  EXPECT_THROW(p.start({"/nonexistent/basalt-no-such-binary"}, tmp.path() / "log"),
               std::runtime_error);
  EXPECT_FALSE(p.running());
  EXPECT_THROW(p.start({"sleep", "1"}, "/nonexistent-dir/x.log"), std::runtime_error);
}

TEST(SupportProcess, StartWhileRunningIsRejected) {
  TempDir tmp;
  Process p({"sleep", "100"}, tmp.path() / "log");
  EXPECT_THROW(p.start({"sleep", "100"}, tmp.path() / "log"), std::logic_error);
  EXPECT_TRUE(p.running());
}

TEST(SupportProcess, DestructorKillsAndReaps) {
  TempDir tmp;
  pid_t pid;
  {
    Process p({"sleep", "100"}, tmp.path() / "log");
    pid = p.pid();
    ASSERT_EQ(::kill(pid, 0), 0);
  }
  // Killed and reaped: the pid no longer exists (not even as a zombie).
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(SupportProcess, MoveKeepsOwnership) {
  TempDir tmp;
  Process a({"sleep", "100"}, tmp.path() / "log");
  const pid_t pid = a.pid();
  Process b(std::move(a));
  EXPECT_FALSE(a.started());
  EXPECT_EQ(b.pid(), pid);
  EXPECT_TRUE(b.running());
  b.kill9();
  EXPECT_FALSE(b.running());
}

TEST(SupportProcess, ChildDiesWithTheThreadThatStartedIt) {
  // PR_SET_PDEATHSIG: the child is SIGKILLed when its parent (thread) dies, so children never
  // outlive a crashed test runner.
  TempDir tmp;
  Process p;
  std::thread([&] { p.start({"sleep", "100"}, tmp.path() / "log"); }).join();
  ASSERT_TRUE(p.started());
  const auto status = p.wait_exit(10s);
  ASSERT_TRUE(status.has_value()) << "child survived the death of the thread that forked it";
  EXPECT_EQ(*status, 128 + SIGKILL);
}

// ------------------------------------------------------------------------------------------
// RESP encoding / parsing without a server

TEST(SupportResp, EncodeCommand) {
  EXPECT_EQ(encode_command({"SET", "k", ""}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
  EXPECT_EQ(encode_command({}), "*0\r\n");
  EXPECT_EQ(encode_command({"a\r\nb"s}), "*1\r\n$4\r\na\r\nb\r\n");
}

TEST(SupportResp, ParseEveryType) {
  EXPECT_EQ(parse_reply("+OK\r\n"), (Reply{Reply::Status, "OK", 0, {}}));
  EXPECT_EQ(parse_reply("-ERR x y\r\n"), (Reply{Reply::Error, "ERR x y", 0, {}}));
  EXPECT_EQ(parse_reply(":-42\r\n"), (Reply{Reply::Integer, "", -42, {}}));
  EXPECT_EQ(parse_reply("$5\r\na\r\nb\0\r\n"s), (Reply{Reply::Bulk, "a\r\nb\0"s, 0, {}}));
  EXPECT_EQ(parse_reply("$0\r\n\r\n"), (Reply{Reply::Bulk, "", 0, {}}));
  EXPECT_EQ(parse_reply("$-1\r\n"), (Reply{Reply::Nil, "", 0, {}}));
  EXPECT_EQ(parse_reply("*-1\r\n"), (Reply{Reply::NilArray, "", 0, {}}));
  EXPECT_EQ(parse_reply("*0\r\n"), (Reply{Reply::Array, "", 0, {}}));
  const Reply nested = parse_reply("*3\r\n:1\r\n*2\r\n$1\r\na\r\n*0\r\n$-1\r\n");
  ASSERT_EQ(nested.type, Reply::Array);
  ASSERT_EQ(nested.elements.size(), 3u);
  EXPECT_TRUE(nested.elements[0].is_integer(1));
  ASSERT_EQ(nested.elements[1].elements.size(), 2u);
  EXPECT_TRUE(nested.elements[1].elements[0].is_bulk("a"));
  EXPECT_EQ(nested.elements[1].elements[1].type, Reply::Array);
  EXPECT_TRUE(nested.elements[1].elements[1].elements.empty());
  EXPECT_EQ(nested.elements[2].type, Reply::Nil);
  EXPECT_EQ(nested.to_string(), "[(integer) 1, [\"a\", []], (nil)]");
  // RESP3 mappings.
  EXPECT_EQ(parse_reply("_\r\n").type, Reply::Nil);
  EXPECT_TRUE(parse_reply("#t\r\n").is_integer(1));
  EXPECT_TRUE(parse_reply(",1.5\r\n").is_bulk("1.5"));
  EXPECT_EQ(parse_reply("%1\r\n+k\r\n:1\r\n").elements.size(), 2u);
  EXPECT_TRUE(parse_reply("!3\r\nERR\r\n").is_error());
}

TEST(SupportResp, ParseRejectsMalformedInput) {
  EXPECT_THROW(parse_reply(""), std::runtime_error);
  EXPECT_THROW(parse_reply("+OK"), std::runtime_error);            // no CRLF
  EXPECT_THROW(parse_reply("$3\r\nab\r\n"), std::runtime_error);   // short payload
  EXPECT_THROW(parse_reply("$2\r\nabc\r\n"), std::runtime_error);  // payload not CRLF-ended
  EXPECT_THROW(parse_reply("*2\r\n:1\r\n"), std::runtime_error);   // missing element
  EXPECT_THROW(parse_reply(":1\r\n:2\r\n"), std::runtime_error);   // trailing reply
  EXPECT_THROW(parse_reply(":12x\r\n"), std::runtime_error);       // bad integer
  EXPECT_THROW(parse_reply("$-2\r\n"), std::runtime_error);        // bad length
  EXPECT_THROW(parse_reply("?x\r\n"), std::runtime_error);         // unknown type
}

TEST(SupportResp, ConnectFailureThrows) {
  RespClient c(free_port());  // nothing listens there
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(c.connect(200ms), std::runtime_error);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms) << "connect did not retry";
  EXPECT_FALSE(c.connected());
  EXPECT_THROW(c.command({"PING"}), std::runtime_error);
}

// ------------------------------------------------------------------------------------------
// RespClient against a real redis-server

class SupportAgainstRedis : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!RedisOracle::available()) return;
    redis_ = new RedisOracle();
    redis_->start();
  }
  static void TearDownTestSuite() {
    delete redis_;
    redis_ = nullptr;
  }
  void SetUp() override {
    if (!RedisOracle::available()) GTEST_SKIP() << RedisOracle::kBinary << " not installed";
    ASSERT_NE(redis_, nullptr);
    ASSERT_TRUE(redis_->running()) << redis_->log_tail();
    c_ = std::make_unique<RespClient>(redis_->client());
    ASSERT_EQ(c_->command_raw({"FLUSHALL"}), "+OK\r\n");
  }

  static RedisOracle* redis_;
  std::unique_ptr<RespClient> c_;
};
RedisOracle* SupportAgainstRedis::redis_ = nullptr;

TEST_F(SupportAgainstRedis, StatusReply) {
  EXPECT_EQ(c_->command_raw({"PING"}), "+PONG\r\n");
  const Reply r = c_->command({"SET", "k", "v"});
  EXPECT_EQ(r.type, Reply::Status);
  EXPECT_EQ(r.str, "OK");
  EXPECT_TRUE(r.is_status("OK"));
  EXPECT_FALSE(r.is_error());
  EXPECT_EQ(r.to_string(), "OK");
  EXPECT_EQ(c_->get_string({"PING"}), "PONG");
}

TEST_F(SupportAgainstRedis, ErrorReply) {
  const std::string raw = c_->command_raw({"NOSUCHCOMMAND", "x"});
  EXPECT_TRUE(raw.starts_with("-ERR unknown command")) << escape_bytes(raw);
  EXPECT_TRUE(raw.ends_with("\r\n"));
  EXPECT_EQ(raw.find("\r\n"), raw.size() - 2);

  ASSERT_TRUE(c_->command({"SET", "s", "str"}).is_status("OK"));
  const Reply r = c_->command({"LPUSH", "s", "x"});
  EXPECT_TRUE(r.is_error());
  EXPECT_EQ(r.type, Reply::Error);
  EXPECT_TRUE(r.str.starts_with("WRONGTYPE ")) << r;
  EXPECT_TRUE(r.to_string().starts_with("(error) WRONGTYPE")) << r;
  EXPECT_THROW(c_->get_string({"LPUSH", "s", "x"}), std::runtime_error);
  // The connection is still usable after an error reply and after a helper threw.
  EXPECT_EQ(c_->command_raw({"PING"}), "+PONG\r\n");
}

TEST_F(SupportAgainstRedis, IntegerReply) {
  EXPECT_EQ(c_->command_raw({"INCR", "n"}), ":1\r\n");
  const Reply r = c_->command({"INCRBY", "n", "-11"});
  EXPECT_EQ(r.type, Reply::Integer);
  EXPECT_EQ(r.integer, -10);
  EXPECT_EQ(c_->get_integer({"INCRBY", "n", "9223372036854775807"}), 9223372036854775807LL - 10);
  EXPECT_EQ(c_->get_integer({"EXISTS", "n", "missing"}), 1);
  EXPECT_THROW(c_->get_integer({"GET", "n"}), std::runtime_error);
}

TEST_F(SupportAgainstRedis, BulkAndNilReplies) {
  const std::string binary = "a\r\nb\0c$-1\r\n*1\r\n"s;  // CRLF, NUL and RESP-looking bytes
  ASSERT_TRUE(c_->command({"SET", "bin", binary}).is_status("OK"));
  ASSERT_EQ(binary.size(), 15u);
  EXPECT_EQ(c_->command_raw({"GET", "bin"}), "$15\r\n" + binary + "\r\n");
  const Reply r = c_->command({"GET", "bin"});
  EXPECT_EQ(r.type, Reply::Bulk);
  EXPECT_EQ(r.str, binary);

  ASSERT_TRUE(c_->command({"SET", "empty", ""}).is_status("OK"));
  EXPECT_EQ(c_->command_raw({"GET", "empty"}), "$0\r\n\r\n");
  EXPECT_TRUE(c_->command({"GET", "empty"}).is_bulk(""));

  EXPECT_EQ(c_->command_raw({"GET", "missing"}), "$-1\r\n");
  const Reply nil = c_->command({"GET", "missing"});
  EXPECT_EQ(nil.type, Reply::Nil);
  EXPECT_TRUE(nil.is_nil());
  EXPECT_EQ(nil.to_string(), "(nil)");
}

TEST_F(SupportAgainstRedis, LargeBulkSpansManyReads) {
  std::string big(3 * 1024 * 1024 + 7, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(c_->command({"SET", "big", big}).is_status("OK"));
  const Reply r = c_->command({"GET", "big"});
  ASSERT_EQ(r.type, Reply::Bulk);
  EXPECT_TRUE(r.str == big) << "large value corrupted (size " << r.str.size() << ")";
}

TEST_F(SupportAgainstRedis, ArrayNilArrayAndEmptyArray) {
  ASSERT_EQ(c_->get_integer({"RPUSH", "l", "a", "", "c"}), 3);
  EXPECT_EQ(c_->command_raw({"LRANGE", "l", "0", "-1"}), "*3\r\n$1\r\na\r\n$0\r\n\r\n$1\r\nc\r\n");
  EXPECT_EQ(c_->get_strings({"LRANGE", "l", "0", "-1"}), (std::vector<std::string>{"a", "", "c"}));
  EXPECT_EQ(c_->command_raw({"LRANGE", "nolist", "0", "-1"}), "*0\r\n");
  const Reply empty = c_->command({"LRANGE", "nolist", "0", "-1"});
  EXPECT_EQ(empty.type, Reply::Array);
  EXPECT_TRUE(empty.elements.empty());
  // MGET mixes bulk and nil elements.
  const Reply mget = c_->command({"MGET", "l2", "missing"});
  ASSERT_EQ(mget.type, Reply::Array);
  ASSERT_EQ(mget.elements.size(), 2u);
  EXPECT_EQ(mget.elements[1].type, Reply::Nil);
  // A RESP2 blocking pop that times out answers with a null array.
  EXPECT_EQ(c_->command_raw({"BLPOP", "nolist", "0.05"}), "*-1\r\n");
  const Reply timed_out = c_->command({"BLPOP", "nolist", "0.05"});
  EXPECT_EQ(timed_out.type, Reply::NilArray);
  EXPECT_TRUE(timed_out.is_nil());
}

TEST_F(SupportAgainstRedis, NestedArrayFromCommandInfo) {
  const std::string raw = c_->command_raw({"COMMAND", "INFO", "get"});
  EXPECT_TRUE(raw.starts_with("*1\r\n*")) << escape_bytes(raw);
  const Reply info = parse_reply(raw);
  ASSERT_EQ(info.type, Reply::Array);
  ASSERT_EQ(info.elements.size(), 1u);
  const Reply& get = info.elements[0];
  ASSERT_EQ(get.type, Reply::Array);
  ASSERT_GE(get.elements.size(), 6u) << get;
  EXPECT_TRUE(get.elements[0].is_bulk("get")) << get;
  EXPECT_TRUE(get.elements[1].is_integer(2)) << get;  // arity
  ASSERT_EQ(get.elements[2].type, Reply::Array);      // flags
  bool readonly = false;
  for (const Reply& f : get.elements[2].elements) readonly |= f.is_status("readonly");
  EXPECT_TRUE(readonly) << get;
  EXPECT_TRUE(get.elements[3].is_integer(1));  // first key
  // Deeper nesting (redis 7: key specs are arrays of arrays); at least 3 levels exist.
  int max_depth = 0;
  auto depth = [&](auto&& self, const Reply& r, int d) -> void {
    max_depth = std::max(max_depth, d);
    for (const Reply& e : r.elements) self(self, e, d + 1);
  };
  depth(depth, info, 1);
  EXPECT_GE(max_depth, 3);
  // Reading it again through command() parses identically, and nothing was left unread.
  EXPECT_EQ(c_->command({"COMMAND", "INFO", "get"}), info);
  EXPECT_EQ(c_->buffered_bytes(), 0u);
  // Two commands' info: a two-element outer array; a missing command gives a nil element.
  const std::string two_raw = c_->command_raw({"COMMAND", "INFO", "get", "no-such-command"});
  EXPECT_TRUE(two_raw.starts_with("*2\r\n*")) << escape_bytes(two_raw);
  EXPECT_TRUE(two_raw.ends_with("\r\n$-1\r\n")) << escape_bytes(two_raw);
  const Reply two = parse_reply(two_raw);
  ASSERT_EQ(two.elements.size(), 2u);
  EXPECT_EQ(two.elements[0], info.elements[0]);
  EXPECT_EQ(two.elements[1].type, Reply::Nil);
}

TEST_F(SupportAgainstRedis, PipelinedRepliesComeBackInOrder) {
  std::string batch;
  batch += encode_command({"SET", "p", "1"});
  batch += encode_command({"INCR", "p"});
  batch += encode_command({"GET", "p"});
  batch += encode_command({"GET", "missing"});
  batch += encode_command({"LPUSH", "p", "x"});
  batch += encode_command({"ECHO", "last"});
  c_->send_raw(batch);
  EXPECT_EQ(c_->read_reply_raw(), "+OK\r\n");
  EXPECT_EQ(c_->read_reply_raw(), ":2\r\n");
  EXPECT_EQ(c_->read_reply(), (Reply{Reply::Bulk, "2", 0, {}}));
  EXPECT_EQ(c_->read_reply().type, Reply::Nil);
  EXPECT_TRUE(c_->read_reply().is_error());
  EXPECT_EQ(c_->read_reply_raw(), "$4\r\nlast\r\n");
  EXPECT_EQ(c_->buffered_bytes(), 0u);

  // Many pipelined commands including arrays, read back one by one.
  for (int i = 0; i < 500; ++i) {
    c_->send_command({"RPUSH", "big", std::to_string(i)});
    c_->send_command({"LRANGE", "big", "-2", "-1"});
  }
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(c_->read_reply().is_integer(i + 1));
    const Reply r = c_->read_reply();
    ASSERT_EQ(r.type, Reply::Array);
    ASSERT_TRUE(r.elements.back().is_bulk(std::to_string(i))) << r;
  }
}

TEST_F(SupportAgainstRedis, CommandSplitAcrossWritesAndInlineCommands) {
  const std::string cmd = encode_command({"ECHO", "split"});
  for (char ch : cmd) {
    c_->send_raw(std::string_view(&ch, 1));
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(c_->read_reply_raw(), "$5\r\nsplit\r\n");
  c_->send_raw("PING\r\nECHO inline\r\n");
  EXPECT_EQ(c_->read_reply_raw(), "+PONG\r\n");
  EXPECT_EQ(c_->read_reply_raw(), "$6\r\ninline\r\n");
}

TEST_F(SupportAgainstRedis, Resp3FramingAfterHello3) {
  const std::string hello = c_->command_raw({"HELLO", "3"});
  EXPECT_TRUE(hello.starts_with("%")) << escape_bytes(hello);
  const Reply h = parse_reply(hello);
  ASSERT_EQ(h.type, Reply::Array);
  ASSERT_EQ(h.elements.size() % 2, 0u);
  EXPECT_TRUE(h.elements[0].is_bulk("server")) << h;
  EXPECT_EQ(c_->command_raw({"GET", "missing"}), "_\r\n");
  EXPECT_EQ(c_->command_raw({"PING"}), "+PONG\r\n");
  ASSERT_EQ(c_->get_integer({"HSET", "h", "f", "v"}), 1);
  EXPECT_EQ(c_->command_raw({"HGETALL", "h"}), "%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
}

TEST_F(SupportAgainstRedis, ReadTimeoutThrows) {
  c_->set_timeout(200ms);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(c_->read_reply(), std::runtime_error);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 5s);
  // A partial reply that never completes also times out, with the bytes in the message.
  c_->send_raw("*2\r\n$4\r\nECHO\r\n$5\r\nab");  // incomplete command: no reply yet
  try {
    c_->read_reply_raw();
    ADD_FAILURE() << "expected a timeout";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  }
  c_->send_raw("cde\r\n");
  EXPECT_EQ(c_->read_reply_raw(), "$5\r\nabcde\r\n");
}

TEST_F(SupportAgainstRedis, ClosedByPeer) {
  // An idle connection stays open.
  EXPECT_FALSE(c_->closed_by_peer(150ms));
  EXPECT_EQ(c_->command_raw({"PING"}), "+PONG\r\n");

  // QUIT: +OK, then the server closes; further reads throw.
  c_->send_command({"QUIT"});
  EXPECT_TRUE(c_->closed_by_peer(5s));
  EXPECT_EQ(c_->read_reply_raw(), "+OK\r\n");
  EXPECT_THROW(c_->read_reply(), std::runtime_error);
  EXPECT_TRUE(c_->closed_by_peer(0ms));

  // Protocol error: the error reply sent just before the close is still readable.
  RespClient bad = redis_->client();
  bad.send_raw("*1\r\n$abc\r\n");
  EXPECT_TRUE(bad.closed_by_peer(5s));
  const Reply r = bad.read_reply();
  EXPECT_TRUE(r.is_error());
  EXPECT_NE(r.str.find("Protocol error"), std::string::npos) << r;

  // Killed from another connection.
  RespClient victim = redis_->client();
  const long long id = victim.get_integer({"CLIENT", "ID"});
  RespClient killer = redis_->client();
  EXPECT_EQ(killer.get_integer({"CLIENT", "KILL", "ID", std::to_string(id)}), 1);
  EXPECT_TRUE(victim.closed_by_peer(5s));
}

TEST_F(SupportAgainstRedis, ClientsAreMovableAndIndependent) {
  RespClient a = redis_->client();
  RespClient b = std::move(a);
  EXPECT_FALSE(a.connected());
  ASSERT_TRUE(b.connected());
  EXPECT_EQ(b.port(), redis_->port());
  EXPECT_TRUE(b.command({"SET", "m", "1"}).is_status("OK"));
  EXPECT_EQ(c_->get_string({"GET", "m"}), "1");
}

// ------------------------------------------------------------------------------------------
// Server lifecycle (RedisOracle; BasaltServer only for its command line)

TEST(SupportServers, BasaltServerCommandLine) {
  BasaltServer s({"--some-flag", "value"});
  const std::vector<std::string> argv = s.command_line();
  const std::vector<std::string> expected = {BasaltServer::binary(),
                                             "--port",
                                             std::to_string(s.port()),
                                             "--bind",
                                             "127.0.0.1",
                                             "--dir",
                                             s.data_dir().string(),
                                             "--enable-debug-command",
                                             "yes",
                                             "--some-flag",
                                             "value"};
  EXPECT_EQ(argv, expected);
  EXPECT_TRUE(fs::is_directory(s.data_dir()));
  EXPECT_EQ(s.data_dir(), s.temp_path() / "data");
  EXPECT_EQ(s.log_path(), s.temp_path() / "basalt.log");
  EXPECT_FALSE(s.running());
}

// A command prefix goes before the binary, and the bind address is both --bind and where the
// helpers connect (start's PING, client(), shutdown()). `env` execs the binary, so pid() stays
// the server's.
TEST(SupportServers, CommandPrefixAndBindAddress) {
  BasaltServer s;
  s.set_command_prefix({"env"});
  s.set_bind_address("127.0.0.2");
  const std::vector<std::string> argv = s.command_line();
  ASSERT_GE(argv.size(), 6u);
  EXPECT_EQ(argv[0], "env");
  EXPECT_EQ(argv[1], BasaltServer::binary());
  EXPECT_EQ(argv[5], "127.0.0.2");
  s.start();
  RespClient c = s.client();
  EXPECT_EQ(c.host(), "127.0.0.2");
  EXPECT_TRUE(c.command({"PING"}).is_status("PONG"));
  EXPECT_EQ(replicaof_args(s),
            (std::vector<std::string>{"--replicaof", "127.0.0.2", std::to_string(s.port())}));
  EXPECT_EQ(s.shutdown(), 0);
}

TEST(SupportServers, RedisOracleLifecycle) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  fs::path tmp;
  {
    RedisOracle r;
    tmp = r.temp_path();
    const std::vector<std::string> argv = r.command_line();
    ASSERT_GE(argv.size(), 13u);
    EXPECT_EQ(std::vector<std::string>(argv.begin() + 7, argv.end()),
              (std::vector<std::string>{"--save", "", "--appendonly", "no", "--daemonize", "no"}));
    r.start();
    ASSERT_TRUE(r.running());
    const int port = r.port();
    RespClient c = r.client();
    EXPECT_EQ(c.get_strings({"CONFIG", "GET", "dir"})[1], fs::canonical(r.data_dir()).string());
    EXPECT_EQ(c.get_strings({"CONFIG", "GET", "bind"})[1], "127.0.0.1");
    EXPECT_EQ(c.get_strings({"CONFIG", "GET", "save"})[1], "");
    EXPECT_NE(r.log().find("Ready to accept connections"), std::string::npos) << r.log_tail();

    // Persist, crash, restart on the same port and dir: the data is loaded back.
    ASSERT_TRUE(c.command({"SET", "survives", "yes"}).is_status("OK"));
    ASSERT_TRUE(c.command({"SAVE"}).is_status("OK"));
    EXPECT_TRUE(fs::exists(r.data_dir() / "dump.rdb"));
    r.kill9();
    EXPECT_FALSE(r.running());
    EXPECT_TRUE(c.closed_by_peer(5s));
    r.start();
    EXPECT_EQ(r.port(), port);
    EXPECT_EQ(r.client().get_string({"GET", "survives"}), "yes");

    // restart() = graceful shutdown + start.
    const pid_t before = r.pid();
    r.restart();
    EXPECT_NE(r.pid(), before);
    EXPECT_EQ(r.client().get_string({"GET", "survives"}), "yes");
    EXPECT_EQ(r.process().exit_status(), std::nullopt);

    EXPECT_EQ(r.shutdown(), 0);
    EXPECT_FALSE(r.running());
    EXPECT_THROW(RespClient(port).connect(100ms), std::runtime_error);
    // The log keeps every run, separated by the markers.
    const std::string log = r.log();
    size_t runs = 0;
    for (size_t pos = 0; (pos = log.find("=== basalt-test: starting", pos)) != std::string::npos;
         ++pos) {
      ++runs;
    }
    EXPECT_EQ(runs, 3u);
    EXPECT_NE(r.log_tail(5).find("ready to exit"), std::string::npos) << r.log_tail(5);
  }
  EXPECT_FALSE(fs::exists(tmp)) << "server temp dir not removed";
}

TEST(SupportServers, DestructorKillsServer) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  pid_t pid;
  int port;
  {
    RedisOracle r;
    r.start();
    pid = r.pid();
    port = r.port();
  }
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_THROW(RespClient(port).connect(100ms), std::runtime_error);
}

TEST(SupportServers, TwoServersGetDistinctPortsAndDirs) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  RedisOracle a;
  RedisOracle b({"--maxmemory", "10mb"});
  EXPECT_NE(a.port(), b.port());
  EXPECT_NE(a.data_dir(), b.data_dir());
  a.start();
  b.start();
  ASSERT_TRUE(a.client().command({"SET", "k", "a"}).is_status("OK"));
  EXPECT_EQ(b.client().command({"GET", "k"}).type, Reply::Nil);
  EXPECT_EQ(b.client().get_strings({"CONFIG", "GET", "maxmemory"})[1], "10485760");
}

TEST(SupportServers, StartFailureReportsLogTail) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  RedisOracle r({"--no-such-directive", "1"});
  r.set_start_timeout(5s);
  try {
    r.start();
    FAIL() << "start() should have thrown";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("exited"), std::string::npos) << msg;
    EXPECT_NE(msg.find("--no-such-directive"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Bad directive"), std::string::npos) << msg;  // from redis' own output
  }
  EXPECT_FALSE(r.running());
}

TEST(SupportServers, ShutdownErrorIsReported) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  RedisOracle r;
  r.start();
  EXPECT_THROW(r.shutdown({"SHUTDOWN", "BOGUS-OPTION"}), std::runtime_error);
  EXPECT_TRUE(r.running());
  EXPECT_EQ(r.shutdown({"SHUTDOWN", "NOSAVE"}), 0);
}

}  // namespace
}  // namespace basalt::test
