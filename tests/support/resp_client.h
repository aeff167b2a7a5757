// tests/support/resp_client.h — owns the tests' view of the wire protocol: a blocking RESP client
// over TCP (to 127.0.0.1 unless told another IPv4 address) that returns replies either as exact raw
// bytes (for byte-for-byte differential checks) or parsed into Reply, plus RESP encoding/parsing
// helpers.
#pragma once

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::test {

// One parsed reply. RESP2 types map 1:1; RESP3 types (after HELLO 3) map to the closest RESP2
// type: null `_` -> Nil, boolean `#` -> Integer 1/0, double `,` / big number `(` / verbatim `=`
// -> Bulk (text as sent, verbatim keeps its "txt:" prefix), blob error `!` -> Error,
// map `%` -> Array of key, value, key, value..., set `~` / push `>` -> Array.
struct Reply {
  enum Type { Status, Error, Integer, Bulk, Nil, Array, NilArray };

  Type type = Nil;
  std::string str;              // Status / Error (without the leading '+'/'-'), Bulk payload
  long long integer = 0;        // Integer
  std::vector<Reply> elements;  // Array

  bool is_error() const { return type == Error; }
  bool is_nil() const { return type == Nil || type == NilArray; }
  bool is_status(std::string_view s) const { return type == Status && str == s; }
  bool is_bulk(std::string_view s) const { return type == Bulk && str == s; }
  bool is_integer(long long n) const { return type == Integer && integer == n; }
  // redis-cli-like one-line rendering for messages: OK, (error) ERR x, (integer) 1, "bulk",
  // (nil), (nil array), ["a", (integer) 2].
  std::string to_string() const;

  bool operator==(const Reply&) const = default;
};

const char* type_name(Reply::Type type);
std::ostream& operator<<(std::ostream& os, const Reply& reply);  // to_string(); used by gtest

// The RESP multibulk encoding of a command: *N\r\n$len\r\narg\r\n...
std::string encode_command(const std::vector<std::string>& args);
// Parses exactly one complete reply; throws std::runtime_error if raw is malformed, incomplete
// or has bytes after the reply.
Reply parse_reply(std::string_view raw);
// Escapes bytes for messages: printable ASCII as is, \r \n \t \\ \" and \xHH otherwise.
std::string escape_bytes(std::string_view bytes, size_t max_len = 256);

// Blocking RESP client. Every read waits at most timeout() for a whole reply; timeouts, EOF,
// connection errors and protocol errors throw std::runtime_error. Not thread-safe.
class RespClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{10'000};
  static constexpr std::chrono::milliseconds kDefaultConnectRetry{5'000};

  // Does not connect; call connect(). The server is at 127.0.0.1:port, or host:port (host is
  // an IPv4 address in dotted form, e.g. a network namespace's end of a veth pair).
  explicit RespClient(int port, std::chrono::milliseconds timeout = kDefaultTimeout);
  RespClient(std::string host, int port, std::chrono::milliseconds timeout = kDefaultTimeout);
  ~RespClient();
  RespClient(const RespClient&) = delete;
  RespClient& operator=(const RespClient&) = delete;
  RespClient(RespClient&& other) noexcept;
  RespClient& operator=(RespClient&& other) noexcept;

  // Connects to 127.0.0.1:port, retrying (every 20 ms) until retry_for has passed; at least one
  // attempt is made. Reconnects if already connected (discarding unread data).
  void connect(std::chrono::milliseconds retry_for = kDefaultConnectRetry);
  bool connected() const { return fd_ >= 0; }
  void close();
  // Half-closes the sending side (shutdown(SHUT_WR)): the server sees EOF, replies still arrive.
  void shutdown_write();

  int port() const { return port_; }
  const std::string& host() const { return host_; }
  int fd() const { return fd_; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

  // Sends args as a multibulk command and returns the exact bytes of the next complete reply
  // (an array with all nested elements). Unread earlier replies would be returned first.
  std::string command_raw(const std::vector<std::string>& args);
  // Same, parsed. An error reply is returned as Reply{Error}, not thrown.
  Reply command(const std::vector<std::string>& args);

  // Sends bytes as they are (pipelining, inline commands, malformed input).
  void send_raw(std::string_view bytes);
  // Sends encode_command(args) without reading the reply.
  void send_command(const std::vector<std::string>& args);
  // Reads the next complete reply (exact bytes / parsed).
  std::string read_reply_raw();
  Reply read_reply();

  // Waits up to timeout for the server to close the connection: true on EOF / reset (now or
  // earlier), false if it is still open after timeout. Data that arrives meanwhile is kept and
  // can still be read with read_reply() (e.g. an error sent just before the close).
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::milliseconds(2'000));
  // Number of received bytes not yet returned as replies.
  size_t buffered_bytes() const { return buf_.size() - rpos_; }

  // Convenience: command(args), throwing std::runtime_error unless the reply has the type.
  std::string get_string(const std::vector<std::string>& args);  // Status or Bulk
  long long get_integer(const std::vector<std::string>& args);   // Integer
  // Array whose elements are all Status or Bulk.
  std::vector<std::string> get_strings(const std::vector<std::string>& args);

 private:
  bool scan_reply();  // advances the framing state; true when one whole reply is buffered
  void fill(std::chrono::steady_clock::time_point deadline);
  void require_connected(const char* what) const;
  std::string where() const;

  std::string host_;
  int port_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  bool peer_closed_ = false;
  std::string buf_;              // received bytes; [rpos_, size) not yet returned
  size_t rpos_ = 0;              // start of the next reply
  size_t scan_pos_ = 0;          // where framing resumes (>= rpos_)
  std::vector<long long> open_;  // elements still missing in each open aggregate
};

}  // namespace basalt::test
