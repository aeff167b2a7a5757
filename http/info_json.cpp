// http/info_json.cpp — see info_json.h.
#include "http/info_json.h"

#include <cctype>
#include <charconv>
#include <string>

namespace basalt::http {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "ip=127.0.0.1,port=6380,state=online" -> nested object, or nullopt if `v` is not a
// list of k=v pairs (a plain value that happens to contain '=' stays a string).
bool parse_pairs(std::string_view v, boost::json::object& out) {
  if (v.find('=') == std::string_view::npos) return false;
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    std::string_view item =
        v.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) return false;
    out[item.substr(0, eq)] = scalar_json(item.substr(eq + 1));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return true;
}

}  // namespace

boost::json::value scalar_json(std::string_view text) {
  if (text.empty()) return boost::json::string(text);
  const char* begin = text.data();
  const char* end = begin + text.size();
  // Integers first (exact, also beyond 2^53); a leading '+' or a lone '-' is no number.
  if (text.find_first_of(".eE") == std::string_view::npos) {
    if (text.front() == '-') {
      int64_t n = 0;
      auto [p, ec] = std::from_chars(begin, end, n);
      if (ec == std::errc() && p == end) return n;
    } else {
      uint64_t n = 0;
      auto [p, ec] = std::from_chars(begin, end, n);
      if (ec == std::errc() && p == end) return n;
    }
    return boost::json::string(text);
  }
  double d = 0;
  auto [p, ec] = std::from_chars(begin, end, d);
  if (ec == std::errc() && p == end && std::isdigit(static_cast<unsigned char>(text.back())))
    return d;
  return boost::json::string(text);
}

boost::json::object info_to_json(std::string_view text) {
  boost::json::object sections;
  boost::json::object* current = nullptr;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.front() == '#') {
      std::string_view name = line.substr(1);
      while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
      current = &sections[lower(name)].emplace_object();
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || current == nullptr) continue;
    std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    boost::json::object nested;
    if (parse_pairs(value, nested)) {
      (*current)[key] = std::move(nested);
    } else {
      (*current)[key] = scalar_json(value);
    }
  }
  return sections;
}

}  // namespace basalt::http
