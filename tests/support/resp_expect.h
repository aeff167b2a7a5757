// tests/support/resp_expect.h — expected replies as RESP2 bytes, for tests that compare a
// server's raw reply (RespClient::command_raw) with what Redis sends.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace basalt::test {

inline std::string ok() {
  return "+OK\r\n";
}
inline std::string nil() {
  return "$-1\r\n";
}
inline std::string nil_array() {
  return "*-1\r\n";
}
inline std::string integer(long long n) {
  return ":" + std::to_string(n) + "\r\n";
}
inline std::string err(std::string_view message) {
  return "-" + std::string(message) + "\r\n";
}
inline std::string bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
inline std::string empty() {  // an empty array
  return "*0\r\n";
}

// The errors every command family shares, as Redis words them.
inline std::string syntax_error() {
  return err("ERR syntax error");
}
inline std::string not_integer() {
  return err("ERR value is not an integer or out of range");
}
inline std::string not_float() {
  return err("ERR value is not a valid float");
}
inline std::string wrong_type() {
  return err("WRONGTYPE Operation against a key holding the wrong kind of value");
}
inline std::string wrong_args(std::string_view cmd) {
  return err("ERR wrong number of arguments for '" + std::string(cmd) + "' command");
}

// An array of already encoded replies.
inline std::string array(const std::vector<std::string>& encoded) {
  std::string out = "*" + std::to_string(encoded.size()) + "\r\n";
  for (const auto& e : encoded) out += e;
  return out;
}
// An array of bulk strings / of integers.
inline std::string bulks(const std::vector<std::string>& items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (const auto& s : items) out += bulk(s);
  return out;
}
inline std::string integers(const std::vector<long long>& items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (long long n : items) out += integer(n);
  return out;
}

}  // namespace basalt::test
