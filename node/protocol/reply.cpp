// node/protocol/reply.cpp — see reply.h.
#include "node/protocol/reply.h"

#include <charconv>
#include <cstring>

#include "node/protocol/numbers.h"

namespace basalt::protocol {

void ReplyBuilder::line(char prefix, std::string_view s) {
  out_->push_back(prefix);
  // Status and error lines can't hold CR/LF: replace them as Redis does.
  size_t start = out_->size();
  out_->append(s);
  for (size_t i = start; i < out_->size(); ++i) {
    char& c = (*out_)[i];
    if (c == '\r' || c == '\n') c = ' ';
  }
  out_->append("\r\n", 2);
}

void ReplyBuilder::error(std::string_view message) {
  line('-', message);
}

void ReplyBuilder::header(char prefix, uint64_t n) {
  append_header(*out_, prefix, static_cast<size_t>(n));
}

void ReplyBuilder::integer(int64_t v) {
  char buf[32];
  buf[0] = ':';
  auto r = std::to_chars(buf + 1, buf + sizeof(buf) - 2, v);
  r.ptr[0] = '\r';
  r.ptr[1] = '\n';
  out_->append(buf, static_cast<size_t>(r.ptr + 2 - buf));
}

void ReplyBuilder::bulk(std::string_view s) {
  // A small element (LRANGE's, HGETALL's, a GET of a short value) is written in one step: the
  // buffer grows once, then header, bytes and CRLF are copied in. A large one is appended, so
  // that its bytes are not first zero-filled by the resize.
  constexpr size_t kSmallBulk = 256;
  if (s.size() > kSmallBulk) {
    header('$', s.size());
    out_->append(s);
    out_->append("\r\n", 2);
    return;
  }
  char head[24];
  const size_t head_size = format_header(head, '$', s.size());
  const size_t at = out_->size();
  out_->resize(at + head_size + s.size() + 2);
  char* p = out_->data() + at;
  std::memcpy(p, head, head_size);
  p += head_size;
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  p += s.size();
  p[0] = '\r';
  p[1] = '\n';
}

void ReplyBuilder::double_bulk(double v) {
  bulk(format_double(v));
}

}  // namespace basalt::protocol
