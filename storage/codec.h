// storage/codec.h — byte-order helpers and the key layouts of every column family.
//
// Layouts (all integers big-endian so that RocksDB's bytewise order is numeric order):
//   data   : [db u16][user key]                      -> record (see record.h)
//   expiry : [expire_at_ms u64][db u16][user key]    -> ""
//   log    : [first byte offset u64]                 -> RESP bytes of one write group
//   meta   : ascii name                              -> value (see meta.h)
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace basalt::storage {

// One load or store and a byte swap (GCC 12 does not merge the byte-by-byte loop into one:
// 24 instructions per read, and every key and metadata record holds a few).
inline uint64_t to_big_endian(uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap64(v);
  return v;
}

inline void put_u64_be(std::string& out, uint64_t v) {
  char b[8];
  v = to_big_endian(v);
  std::memcpy(b, &v, 8);
  out.append(b, 8);
}

inline uint64_t get_u64_be(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return to_big_endian(v);
}

// One append each, not a push_back per byte (not inlined: callgrind counts 1.4% of a GET's,
// 2.5% of an RPUSH's and 4.2% of an HSET's instructions in those calls).
inline void put_u16_be(std::string& out, uint16_t v) {
  const char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)};
  out.append(b, 2);
}

inline uint16_t get_u16_be(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}

inline void put_u32_be(std::string& out, uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>((v >> 16) & 0xff),
                     static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
  out.append(b, 4);
}

inline uint32_t get_u32_be(const char* p) {
  return (uint32_t{get_u16_be(p)} << 16) | get_u16_be(p + 2);
}

// data CF key
inline void encode_data_key(std::string& out, uint16_t db, std::string_view key) {
  out.clear();
  put_u16_be(out, db);
  out.append(key);
}
inline std::string data_key(uint16_t db, std::string_view key) {
  std::string s;
  encode_data_key(s, db, key);
  return s;
}
inline std::string data_prefix(uint16_t db) {
  std::string s;
  put_u16_be(s, db);
  return s;
}
// Splits a data CF key; false if it is too short to be one.
inline bool decode_data_key(std::string_view raw, uint16_t& db, std::string_view& key) {
  if (raw.size() < 2) return false;
  db = get_u16_be(raw.data());
  key = raw.substr(2);
  return true;
}

// expiry CF key
inline std::string expiry_key(uint64_t expire_at_ms, uint16_t db, std::string_view key) {
  std::string s;
  s.reserve(10 + key.size());
  put_u64_be(s, expire_at_ms);
  put_u16_be(s, db);
  s.append(key);
  return s;
}
inline bool decode_expiry_key(std::string_view raw, uint64_t& expire_at_ms, uint16_t& db,
                              std::string_view& key) {
  if (raw.size() < 10) return false;
  expire_at_ms = get_u64_be(raw.data());
  db = get_u16_be(raw.data() + 8);
  key = raw.substr(10);
  return true;
}

// log CF key
inline std::string log_key(uint64_t offset) {
  std::string s;
  put_u64_be(s, offset);
  return s;
}

}  // namespace basalt::storage

namespace basalt::storage {

// sub CF key (elements of hashes, lists, sets, sorted sets):
//   [db u16][key length u32][key][version u64][element part]
// The version comes from the key's metadata record; a deleted or overwritten collection's
// elements are dropped with one range deletion over its (key, version) prefix.
inline constexpr size_t kSubPrefixFixed = 2 + 4 + 8;  // db, key length, version

inline void encode_sub_prefix(std::string& out, uint16_t db, std::string_view key,
                              uint64_t version) {
  out.clear();
  out.reserve(kSubPrefixFixed + key.size());
  put_u16_be(out, db);
  put_u32_be(out, static_cast<uint32_t>(key.size()));
  out.append(key);
  put_u64_be(out, version);
}

// The size of the (db, key, version) prefix a sub CF key `raw` begins with, as its key length
// field gives it; 0 if `raw` is too short to hold that prefix.
inline size_t sub_prefix_size(std::string_view raw) {
  if (raw.size() < kSubPrefixFixed) return 0;
  const size_t prefix = kSubPrefixFixed + get_u32_be(raw.data() + 2);
  return raw.size() >= prefix ? prefix : 0;
}

}  // namespace basalt::storage
