// tests/support/resp_client.cpp — owns the tests' RESP client, encoder and parser (see
// resp_client.h).
#include "tests/support/resp_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace basalt::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr long long kMaxLength = 1LL << 32;  // sanity bound for bulk lengths / element counts
constexpr int kMaxDepth = 1000;

[[noreturn]] void protocol_error(const std::string& what, std::string_view context) {
  throw std::runtime_error("RESP protocol error: " + what + " near \"" + escape_bytes(context, 64) +
                           "\"");
}

// Parses the decimal number of a header line (the whole line body must be the number).
long long parse_number(std::string_view body, std::string_view context) {
  long long value = 0;
  const char* first = body.data();
  const char* last = body.data() + body.size();
  if (!body.empty() && body.front() == '+') ++first;  // from_chars rejects a leading '+'
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (body.empty() || ec != std::errc() || ptr != last) protocol_error("bad number", context);
  return value;
}

// A length / count: -1 (null) or 0..kMaxLength.
long long parse_length(std::string_view body, std::string_view context) {
  const long long n = parse_number(body, context);
  if (n < -1 || n > kMaxLength) protocol_error("bad length", context);
  return n;
}

int poll_fd(int fd, short events, Clock::time_point deadline) {
  while (true) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    const int wait_ms = static_cast<int>(std::max<long long>(0, left.count()));
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, wait_ms);
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}

Reply parse_at(std::string_view s, size_t& pos, int depth) {
  if (depth > kMaxDepth) protocol_error("nesting too deep", s.substr(pos));
  const size_t line_end = s.find("\r\n", pos);
  if (pos >= s.size() || line_end == std::string_view::npos) {
    protocol_error("incomplete reply", s.substr(pos));
  }
  const char type = s[pos];
  const std::string_view body = s.substr(pos + 1, line_end - pos - 1);
  const std::string_view context = s.substr(pos, line_end + 2 - pos);
  pos = line_end + 2;
  Reply r;
  switch (type) {
    case '+':
      r.type = Reply::Status;
      r.str = body;
      return r;
    case '-':
      r.type = Reply::Error;
      r.str = body;
      return r;
    case ':':
      r.type = Reply::Integer;
      r.integer = parse_number(body, context);
      return r;
    case '_':
      if (!body.empty()) protocol_error("bad null", context);
      r.type = Reply::Nil;
      return r;
    case '#':
      if (body != "t" && body != "f") protocol_error("bad boolean", context);
      r.type = Reply::Integer;
      r.integer = body == "t" ? 1 : 0;
      return r;
    case ',':
    case '(':
      r.type = Reply::Bulk;
      r.str = body;
      return r;
    case '$':
    case '!':
    case '=': {
      const long long n = parse_length(body, context);
      if (n == -1) {
        if (type != '$') protocol_error("null blob error/verbatim", context);
        r.type = Reply::Nil;
        return r;
      }
      const size_t len = static_cast<size_t>(n);
      if (s.size() - pos < len + 2) protocol_error("incomplete bulk string", context);
      if (s.substr(pos + len, 2) != "\r\n")
        protocol_error("bulk string not ended by CRLF", context);
      r.type = type == '!' ? Reply::Error : Reply::Bulk;
      r.str = s.substr(pos, len);
      pos += len + 2;
      return r;
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      const long long n = parse_length(body, context);
      if (n == -1) {
        r.type = type == '*' ? Reply::NilArray : Reply::Nil;
        return r;
      }
      const long long count = type == '%' ? 2 * n : n;
      r.type = Reply::Array;
      r.elements.reserve(static_cast<size_t>(std::min<long long>(count, 1 << 16)));
      for (long long i = 0; i < count; ++i) r.elements.push_back(parse_at(s, pos, depth + 1));
      return r;
    }
    default:
      protocol_error(std::string("unknown type byte '") + type + "'", context);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Reply, encoding, parsing

const char* type_name(Reply::Type type) {
  switch (type) {
    case Reply::Status:
      return "Status";
    case Reply::Error:
      return "Error";
    case Reply::Integer:
      return "Integer";
    case Reply::Bulk:
      return "Bulk";
    case Reply::Nil:
      return "Nil";
    case Reply::Array:
      return "Array";
    case Reply::NilArray:
      return "NilArray";
  }
  return "?";
}

std::string Reply::to_string() const {
  switch (type) {
    case Status:
      return escape_bytes(str, std::string::npos);
    case Error:
      return "(error) " + escape_bytes(str, std::string::npos);
    case Integer:
      return "(integer) " + std::to_string(integer);
    case Bulk: {
      std::string out = "\"";  // (not "\"" + ...: GCC 12 -Wrestrict false positive)
      out += escape_bytes(str, 512);
      out += '"';
      return out;
    }
    case Nil:
      return "(nil)";
    case NilArray:
      return "(nil array)";
    case Array: {
      std::string out = "[";
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) out += ", ";
        out += elements[i].to_string();
      }
      return out + "]";
    }
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, const Reply& reply) {
  return os << reply.to_string();
}

std::string escape_bytes(std::string_view bytes, size_t max_len) {
  std::string out;
  const size_t n = std::min(bytes.size(), max_len);
  out.reserve(n + 8);
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        }
    }
  }
  if (n < bytes.size()) out += "...(" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

std::string encode_command(const std::vector<std::string>& args) {
  size_t size = 16;
  for (const std::string& a : args) size += a.size() + 16;
  std::string out;
  out.reserve(size);
  out += '*';
  out += std::to_string(args.size());
  out += "\r\n";
  for (const std::string& a : args) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

Reply parse_reply(std::string_view raw) {
  size_t pos = 0;
  Reply r = parse_at(raw, pos, 0);
  if (pos != raw.size()) protocol_error("trailing bytes after reply", raw.substr(pos));
  return r;
}

// ---------------------------------------------------------------------------------------------
// RespClient

RespClient::RespClient(int port, std::chrono::milliseconds timeout)
    : RespClient("127.0.0.1", port, timeout) {}

RespClient::RespClient(std::string host, int port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

RespClient::~RespClient() {
  close();
}

RespClient::RespClient(RespClient&& other) noexcept
    : host_(other.host_),
      port_(other.port_),
      timeout_(other.timeout_),
      fd_(std::exchange(other.fd_, -1)),
      peer_closed_(std::exchange(other.peer_closed_, false)),
      buf_(std::move(other.buf_)),
      rpos_(std::exchange(other.rpos_, 0)),
      scan_pos_(std::exchange(other.scan_pos_, 0)),
      open_(std::move(other.open_)) {
  other.buf_.clear();
  other.open_.clear();
}

RespClient& RespClient::operator=(RespClient&& other) noexcept {
  if (this != &other) {
    close();
    host_ = other.host_;
    port_ = other.port_;
    timeout_ = other.timeout_;
    fd_ = std::exchange(other.fd_, -1);
    peer_closed_ = std::exchange(other.peer_closed_, false);
    buf_ = std::move(other.buf_);
    rpos_ = std::exchange(other.rpos_, 0);
    scan_pos_ = std::exchange(other.scan_pos_, 0);
    open_ = std::move(other.open_);
    other.buf_.clear();
    other.open_.clear();
  }
  return *this;
}

std::string RespClient::where() const {
  return host_ + ":" + std::to_string(port_);
}

void RespClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  peer_closed_ = false;
  buf_.clear();
  rpos_ = scan_pos_ = 0;
  open_.clear();
}

void RespClient::connect(std::chrono::milliseconds retry_for) {
  close();
  const auto give_up = Clock::now() + retry_for;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) {
    throw std::runtime_error("RespClient: not an IPv4 address: " + host_);
  }
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  int last_err = 0;
  while (true) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw std::runtime_error("RespClient: socket: " + std::string(std::strerror(errno)));
    }
    int err = 0;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        const int r = poll_fd(fd, POLLOUT, Clock::now() + std::max(timeout_, retry_for));
        socklen_t len = sizeof err;
        if (r <= 0) {
          err = r == 0 ? ETIMEDOUT : errno;
        } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
          err = errno;
        }
      }
    }
    if (err == 0) {
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd_ = fd;
      return;
    }
    ::close(fd);
    last_err = err;
    if (Clock::now() + std::chrono::milliseconds(20) > give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("RespClient: cannot connect to " + where() + " within " +
                           std::to_string(retry_for.count()) + " ms: " + std::strerror(last_err));
}

void RespClient::shutdown_write() {
  require_connected("shutdown_write");
  ::shutdown(fd_, SHUT_WR);
}

void RespClient::require_connected(const char* what) const {
  if (fd_ < 0) throw std::runtime_error(std::string("RespClient::") + what + ": not connected");
}

void RespClient::send_raw(std::string_view bytes) {
  require_connected("send_raw");
  const auto deadline = Clock::now() + timeout_;
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (poll_fd(fd_, POLLOUT, deadline) == 0) {
        throw std::runtime_error("RespClient: timed out after " + std::to_string(timeout_.count()) +
                                 " ms sending to " + where() + " (" + std::to_string(done) + "/" +
                                 std::to_string(bytes.size()) + " bytes sent)");
      }
      continue;
    }
    throw std::runtime_error("RespClient: send to " + where() + " failed: " + std::strerror(errno));
  }
}

void RespClient::send_command(const std::vector<std::string>& args) {
  send_raw(encode_command(args));
}

void RespClient::fill(Clock::time_point deadline) {
  if (peer_closed_) {
    throw std::runtime_error("RespClient: connection closed by peer " + where() +
                             "; incomplete reply buffered: \"" +
                             escape_bytes(std::string_view(buf_).substr(rpos_)) + "\"");
  }
  constexpr size_t kChunk = 64 * 1024;
  while (true) {
    const size_t old = buf_.size();
    buf_.resize(old + kChunk);
    const ssize_t n = ::recv(fd_, buf_.data() + old, kChunk, 0);
    const int err = errno;
    buf_.resize(old + static_cast<size_t>(std::max<ssize_t>(n, 0)));
    if (n > 0) return;
    if (n == 0 || err == ECONNRESET) {
      peer_closed_ = true;
      return fill(deadline);  // throws with the message above
    }
    if (err == EINTR) continue;
    if (err != EAGAIN && err != EWOULDBLOCK) {
      throw std::runtime_error("RespClient: recv from " + where() +
                               " failed: " + std::strerror(err));
    }
    if (poll_fd(fd_, POLLIN, deadline) == 0) {
      throw std::runtime_error("RespClient: timed out after " + std::to_string(timeout_.count()) +
                               " ms waiting for a reply from " + where() + "; buffered " +
                               std::to_string(buf_.size() - rpos_) + " bytes: \"" +
                               escape_bytes(std::string_view(buf_).substr(rpos_)) + "\"");
    }
  }
}

bool RespClient::scan_reply() {
  while (true) {
    if (scan_pos_ >= buf_.size()) return false;
    const size_t line_end = buf_.find("\r\n", scan_pos_);
    if (line_end == std::string::npos) return false;
    const std::string_view all(buf_);
    const char type = buf_[scan_pos_];
    const std::string_view body = all.substr(scan_pos_ + 1, line_end - scan_pos_ - 1);
    const std::string_view context = all.substr(scan_pos_, line_end + 2 - scan_pos_);
    size_t next = line_end + 2;
    bool element_done = true;
    switch (type) {
      case '+':
      case '-':
      case ':':
      case '_':
      case '#':
      case ',':
      case '(':
        break;
      case '$':
      case '!':
      case '=': {
        const long long n = parse_length(body, context);
        if (n >= 0) {
          const size_t len = static_cast<size_t>(n);
          if (buf_.size() - next < len + 2) return false;  // payload not complete yet
          if (all.substr(next + len, 2) != "\r\n") {
            protocol_error("bulk string not ended by CRLF", context);
          }
          next += len + 2;
        }
        break;
      }
      case '*':
      case '~':
      case '>':
      case '%': {
        const long long n = parse_length(body, context);
        if (n > 0) {
          open_.push_back(type == '%' ? 2 * n : n);
          element_done = false;
        }
        break;
      }
      default:
        protocol_error(std::string("unknown type byte '") + type + "'", context);
    }
    scan_pos_ = next;
    if (element_done) {
      // A finished element may finish its enclosing aggregates too.
      while (!open_.empty()) {
        if (--open_.back() > 0) break;
        open_.pop_back();
      }
      if (open_.empty()) return true;
    }
  }
}

std::string RespClient::read_reply_raw() {
  require_connected("read_reply_raw");
  const auto deadline = Clock::now() + timeout_;
  while (!scan_reply()) fill(deadline);
  std::string raw = buf_.substr(rpos_, scan_pos_ - rpos_);
  rpos_ = scan_pos_;
  if (rpos_ == buf_.size()) {
    buf_.clear();
    rpos_ = scan_pos_ = 0;
  } else if (rpos_ > (1u << 20)) {
    buf_.erase(0, rpos_);
    scan_pos_ -= rpos_;
    rpos_ = 0;
  }
  return raw;
}

Reply RespClient::read_reply() {
  return parse_reply(read_reply_raw());
}

std::string RespClient::command_raw(const std::vector<std::string>& args) {
  send_command(args);
  return read_reply_raw();
}

Reply RespClient::command(const std::vector<std::string>& args) {
  return parse_reply(command_raw(args));
}

bool RespClient::closed_by_peer(std::chrono::milliseconds timeout) {
  require_connected("closed_by_peer");
  const auto deadline = Clock::now() + timeout;
  char chunk[16 * 1024];
  while (!peer_closed_) {
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buf_.append(chunk, static_cast<size_t>(n));
      continue;
    }
    if (n == 0 || errno == ECONNRESET) {
      peer_closed_ = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      throw std::runtime_error("RespClient: recv from " + where() +
                               " failed: " + std::strerror(errno));
    }
    if (poll_fd(fd_, POLLIN, deadline) == 0) return false;
  }
  return true;
}

std::string RespClient::get_string(const std::vector<std::string>& args) {
  Reply r = command(args);
  if (r.type != Reply::Status && r.type != Reply::Bulk) {
    throw std::runtime_error("RespClient::get_string: " + (args.empty() ? "" : args[0]) +
                             " replied " + r.to_string());
  }
  return std::move(r.str);
}

long long RespClient::get_integer(const std::vector<std::string>& args) {
  const Reply r = command(args);
  if (r.type != Reply::Integer) {
    throw std::runtime_error("RespClient::get_integer: " + (args.empty() ? "" : args[0]) +
                             " replied " + r.to_string());
  }
  return r.integer;
}

std::vector<std::string> RespClient::get_strings(const std::vector<std::string>& args) {
  Reply r = command(args);
  bool ok = r.type == Reply::Array;
  for (const Reply& e : r.elements) ok = ok && (e.type == Reply::Status || e.type == Reply::Bulk);
  if (!ok) {
    throw std::runtime_error("RespClient::get_strings: " + (args.empty() ? "" : args[0]) +
                             " replied " + r.to_string());
  }
  std::vector<std::string> out;
  out.reserve(r.elements.size());
  for (Reply& e : r.elements) out.push_back(std::move(e.str));
  return out;
}

}  // namespace basalt::test
