// node/protocol/reply.h — builds RESP2 replies into one output buffer per connection, so a
// read that carried many commands is answered with a single socket write.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace basalt::protocol {

class ReplyBuilder {
 public:
  explicit ReplyBuilder(std::string& out) : out_(&out) {}

  void simple(std::string_view s) { line('+', s); }
  void ok() { out_->append("+OK\r\n", 5); }
  // `message` without the leading '-', e.g. "ERR syntax error".
  void error(std::string_view message);
  void integer(int64_t v);
  void bulk(std::string_view s);
  void null_bulk() { out_->append("$-1\r\n", 5); }
  void null_array() { out_->append("*-1\r\n", 5); }
  void array(size_t n) { header('*', n); }
  void double_bulk(double v);
  void raw(std::string_view bytes) { out_->append(bytes); }

  size_t size() const { return out_->size(); }
  std::string& buffer() { return *out_; }

 private:
  void line(char prefix, std::string_view s);
  void header(char prefix, uint64_t n);
  std::string* out_;
};

// Appends `prefix`, `n` in decimal and CRLF (a multibulk or bulk header).
// Writes `prefix`, n in decimal and CRLF into `buf`; returns how many bytes.
inline size_t format_header(char (&buf)[24], char prefix, size_t n) {
  buf[0] = prefix;
  auto r = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n);
  r.ptr[0] = '\r';
  r.ptr[1] = '\n';
  return static_cast<size_t>(r.ptr + 2 - buf);
}

inline void append_header(std::string& out, char prefix, size_t n) {
  char buf[24];
  out.append(buf, format_header(buf, prefix, n));
}

// Appends a RESP multibulk encoding of `args` (used for the replication stream).
template <typename Range>
void append_multibulk(std::string& out, const Range& args) {
  append_header(out, '*', std::size(args));
  for (const auto& a : args) {
    std::string_view v(a);
    append_header(out, '$', v.size());
    out.append(v);
    out.append("\r\n", 2);
  }
}

// One command as a RESP multibulk (what a replica sends its master: PING, REPLCONF, PSYNC).
inline std::string multibulk(std::initializer_list<std::string_view> args) {
  std::string out;
  append_multibulk(out, args);
  return out;
}

}  // namespace basalt::protocol
