// node/protocol/request_parser.cpp — see request_parser.h. Error texts follow Redis 7.0.
#include "node/protocol/request_parser.h"

#include <climits>
#include <cstring>

#include "node/protocol/numbers.h"

namespace basalt::protocol {

namespace {
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
// A multibulk or bulk count: the common short, plain decimal is read here; anything else
// (a sign, a leading zero, 10+ digits, a non-digit) goes to parse_i64, whose rules apply.
bool parse_count(const char* p, size_t n, int64_t& out) {
  if (n == 0 || n > 9 || (p[0] == '0' && n > 1)) return parse_i64(std::string_view(p, n), out);
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    auto d = static_cast<unsigned>(static_cast<unsigned char>(p[i])) - '0';
    if (d > 9) return parse_i64(std::string_view(p, n), out);
    v = v * 10 + static_cast<int64_t>(d);
  }
  out = v;
  return true;
}
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool split_inline_args(char* line, size_t len, std::vector<ArgSpan>& out) {
  out.clear();
  // Like a C string: a NUL byte ends the line.
  if (const void* nul = std::memchr(line, '\0', len)) len = static_cast<const char*>(nul) - line;
  size_t p = 0;
  auto at = [&](size_t i) -> char { return i < len ? line[i] : '\0'; };
  while (true) {
    while (p < len && is_space(line[p])) ++p;
    if (p >= len) return true;
    bool in_double = false, in_single = false, done = false;
    size_t start = p, w = p;  // w: write position (unescaped bytes), never ahead of p
    while (!done) {
      char c = at(p);
      if (in_double) {
        if (c == '\\' && at(p + 1) == 'x' && hex_value(at(p + 2)) >= 0 &&
            hex_value(at(p + 3)) >= 0) {
          line[w++] = static_cast<char>(hex_value(at(p + 2)) * 16 + hex_value(at(p + 3)));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          ++p;
          char e = at(p);
          switch (e) {
            case 'n':
              e = '\n';
              break;
            case 'r':
              e = '\r';
              break;
            case 't':
              e = '\t';
              break;
            case 'b':
              e = '\b';
              break;
            case 'a':
              e = '\a';
              break;
            default:
              break;
          }
          line[w++] = e;
        } else if (c == '"') {
          if (at(p + 1) != '\0' && !is_space(at(p + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          line[w++] = c;
        }
      } else if (in_single) {
        if (c == '\\' && at(p + 1) == '\'') {
          ++p;
          line[w++] = '\'';
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !is_space(at(p + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          line[w++] = c;
        }
      } else {
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            in_double = true;
            break;
          case '\'':
            in_single = true;
            break;
          default:
            line[w++] = c;
            break;
        }
      }
      if (p < len) ++p;
    }
    out.push_back({start, w - start});
  }
}

void RequestParser::reset() {
  spans_.clear();
  consumed_ = 0;
  needed_ = 0;
  in_multibulk_ = false;
  remaining_args_ = 0;
  bulk_len_ = -1;
  pos_ = 0;
}

RequestParser::Result RequestParser::fail(std::string message) {
  error_ = std::move(message);
  return Result::Error;
}

RequestParser::Result RequestParser::parse(char* data, size_t size) {
  if (!in_multibulk_) {
    if (size == 0) return Result::Incomplete;
    if (data[0] != '*') return parse_inline(data, size);
  }
  return parse_multibulk(data, size);
}

RequestParser::Result RequestParser::parse_inline(char* data, size_t size) {
  char* nl = static_cast<char*>(std::memchr(data, '\n', size));
  if (!nl) {
    if (size > limits_.max_inline_len) return fail("Protocol error: too big inline request");
    return Result::Incomplete;
  }
  size_t line_len = static_cast<size_t>(nl - data);
  size_t eaten = line_len + 1;
  if (line_len > 0 && data[line_len - 1] == '\r') --line_len;
  if (!split_inline_args(data, line_len, spans_))
    return fail("Protocol error: unbalanced quotes in request");
  consumed_ = eaten;
  return Result::Complete;
}

RequestParser::Result RequestParser::parse_multibulk(char* data, size_t size) {
  if (!in_multibulk_) {
    char* cr = static_cast<char*>(std::memchr(data, '\r', size));
    if (!cr) {
      if (size > limits_.max_inline_len) return fail("Protocol error: too big mbulk count string");
      return Result::Incomplete;
    }
    size_t line_end = static_cast<size_t>(cr - data);
    if (line_end + 2 > size) return Result::Incomplete;  // wait for the '\n'
    int64_t count = 0;
    if (!parse_count(data + 1, line_end - 1, count) || count > INT_MAX)
      return fail("Protocol error: invalid multibulk length");
    if (count > kUnauthMaxMultibulk && limits_.unauthenticated)
      return fail("Protocol error: unauthenticated multibulk length");
    pos_ = line_end + 2;
    if (count <= 0) {  // an empty request: skipped, as Redis does
      consumed_ = pos_;
      return Result::Complete;
    }
    in_multibulk_ = true;
    remaining_args_ = count;
    bulk_len_ = -1;
    spans_.reserve(static_cast<size_t>(count < 1024 ? count : 1024));
  }
  while (remaining_args_ > 0) {
    if (bulk_len_ < 0) {
      if (pos_ >= size) return Result::Incomplete;
      char* cr = static_cast<char*>(std::memchr(data + pos_, '\r', size - pos_));
      if (!cr) {
        if (size - pos_ > limits_.max_inline_len)
          return fail("Protocol error: too big bulk count string");
        return Result::Incomplete;
      }
      size_t line_end = static_cast<size_t>(cr - data);
      if (line_end + 2 > size) return Result::Incomplete;
      if (data[pos_] != '$') {
        return fail(std::string("Protocol error: expected '$', got '") + data[pos_] + "'");
      }
      int64_t len = 0;
      if (!parse_count(data + pos_ + 1, line_end - pos_ - 1, len) || len < 0 ||
          static_cast<uint64_t>(len) > limits_.max_bulk_len)
        return fail("Protocol error: invalid bulk length");
      if (len > kUnauthMaxBulk && limits_.unauthenticated)
        return fail("Protocol error: unauthenticated bulk length");
      bulk_len_ = len;
      pos_ = line_end + 2;
    }
    size_t need = pos_ + static_cast<size_t>(bulk_len_) + 2;
    if (size < need) {
      needed_ = need;
      return Result::Incomplete;
    }
    spans_.push_back({pos_, static_cast<size_t>(bulk_len_)});
    needed_ = 0;  // the next argument's size is not known yet
    pos_ = need;
    bulk_len_ = -1;
    --remaining_args_;
  }
  in_multibulk_ = false;
  needed_ = 0;
  consumed_ = pos_;
  return Result::Complete;
}

}  // namespace basalt::protocol
