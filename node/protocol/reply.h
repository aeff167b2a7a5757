// node/protocol/reply.h — builds RESP2 replies into one output buffer per connection, so a
// read that carried many commands is answered with a single socket write.
#pragma once

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

// Appends a RESP multibulk encoding of `args` (used for the replication stream).
template <typename Range>
void append_multibulk(std::string& out, const Range& args) {
  out.push_back('*');
  out.append(std::to_string(std::size(args)));
  out.append("\r\n");
  for (const auto& a : args) {
    std::string_view v(a);
    out.push_back('$');
    out.append(std::to_string(v.size()));
    out.append("\r\n");
    out.append(v);
    out.append("\r\n");
  }
}

// One command as a RESP multibulk (what a replica sends its master: PING, REPLCONF, PSYNC).
inline std::string multibulk(std::initializer_list<std::string_view> args) {
  std::string out;
  append_multibulk(out, args);
  return out;
}

}  // namespace basalt::protocol
