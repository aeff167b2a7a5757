// tests/unit/codec_record_test.cpp — storage key layouts and the value record: big-endian
// helpers, data / expiry / log key round trips and their RocksDB (bytewise) order, and the
// record encoding with and without expiry, including rejection of corrupt records.
#include <gtest/gtest.h>
#include <rocksdb/comparator.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "storage/codec.h"
#include "storage/record.h"

namespace {

using namespace basalt::storage;
using namespace std::string_literals;

// The order RocksDB keeps keys in (the column families use the default bytewise comparator).
bool before(const std::string& a, const std::string& b) {
  return rocksdb::BytewiseComparator()->Compare(a, b) < 0;
}

// ---------------------------------------------------------------------------------------------
// Big-endian helpers

TEST(Codec, U64BigEndian) {
  std::string s;
  put_u64_be(s, 0x0102030405060708ull);
  EXPECT_EQ(s, "\x01\x02\x03\x04\x05\x06\x07\x08"s);
  EXPECT_EQ(get_u64_be(s.data()), 0x0102030405060708ull);
  for (uint64_t v : {0ull, 1ull, 255ull, 256ull, 0x8000000000000000ull, ~0ull}) {
    std::string t = "x";  // appends, doesn't overwrite
    put_u64_be(t, v);
    ASSERT_EQ(t.size(), 9u);
    EXPECT_EQ(get_u64_be(t.data() + 1), v);
  }
}

TEST(Codec, U16BigEndian) {
  std::string s;
  put_u16_be(s, 0xabcd);
  EXPECT_EQ(s, "\xab\xcd"s);
  EXPECT_EQ(get_u16_be(s.data()), 0xabcd);
  for (uint16_t v : {0, 1, 255, 256, 0x7fff, 0x8000, 0xffff}) {
    std::string t;
    put_u16_be(t, v);
    EXPECT_EQ(get_u16_be(t.data()), v);
  }
}

TEST(Codec, U32BigEndian) {
  std::string s;
  put_u32_be(s, 0xa1b2c3d4u);
  EXPECT_EQ(s, "\xa1\xb2\xc3\xd4"s);
  EXPECT_EQ(get_u32_be(s.data()), 0xa1b2c3d4u);
  for (uint32_t v :
       {0u, 1u, 255u, 256u, 0xffffu, 0x10000u, 0x7fffffffu, 0x80000000u, 0xffffffffu}) {
    std::string t;
    put_u32_be(t, v);
    EXPECT_EQ(get_u32_be(t.data()), v);
  }
  // The sub key's length field: a key of 70000 bytes (above 16 bits) gives its prefix size.
  std::string prefix;
  encode_sub_prefix(prefix, 3, std::string(70000, 'k'), 9);
  EXPECT_EQ(sub_prefix_size(prefix + "part"), kSubPrefixFixed + 70000);
}

TEST(Codec, BigEndianOrderIsNumericOrder) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 2000; ++i) {
    uint64_t a = rng() >> (rng() % 64), b = rng() >> (rng() % 64);
    std::string sa, sb;
    put_u64_be(sa, a);
    put_u64_be(sb, b);
    EXPECT_EQ(before(sa, sb), a < b) << a << " vs " << b;
  }
}

// ---------------------------------------------------------------------------------------------
// data keys

TEST(Codec, DataKeyRoundTrip) {
  for (uint16_t db : {0, 1, 15, 255, 256, 65535}) {
    for (std::string key : {""s, "k"s, "a\0b"s, std::string(1000, '\xff')}) {
      std::string raw = data_key(db, key);
      EXPECT_EQ(raw.size(), 2 + key.size());
      uint16_t got_db = 0;
      std::string_view got_key;
      ASSERT_TRUE(decode_data_key(raw, got_db, got_key));
      EXPECT_EQ(got_db, db);
      EXPECT_EQ(got_key, key);
      EXPECT_EQ(raw.substr(0, 2), data_prefix(db));
    }
  }
}

TEST(Codec, EncodeDataKeyReplacesTheBuffer) {
  std::string buf = "old contents";
  encode_data_key(buf, 3, "key");
  EXPECT_EQ(buf, "\x00\x03key"s);
}

TEST(Codec, DecodeDataKeyRejectsShortKeys) {
  uint16_t db;
  std::string_view key;
  EXPECT_FALSE(decode_data_key("", db, key));
  EXPECT_FALSE(decode_data_key("\x01", db, key));
  EXPECT_TRUE(decode_data_key("\x00\x01"s, db, key));
  EXPECT_EQ(db, 1);
  EXPECT_TRUE(key.empty());
}

TEST(Codec, DataKeysSortByDbThenKey) {
  std::vector<std::pair<uint16_t, std::string>> logical = {
      {0, ""}, {0, "a"},     {0, "a\0"s}, {0, "ab"},  {0, "b"},   {0, "\xff\xff"},
      {1, ""}, {1, "\x00"s}, {1, "a"},    {255, "z"}, {256, "a"}, {65535, "a"}};
  for (size_t i = 0; i + 1 < logical.size(); ++i) {
    std::string a = data_key(logical[i].first, logical[i].second);
    std::string b = data_key(logical[i + 1].first, logical[i + 1].second);
    EXPECT_TRUE(before(a, b)) << i;
  }
  // Every key of db d lies in [data_prefix(d), data_prefix(d + 1)).
  EXPECT_FALSE(before(data_key(7, ""), data_prefix(7)));
  EXPECT_TRUE(before(data_key(7, std::string(100, '\xff')), data_prefix(8)));
}

// ---------------------------------------------------------------------------------------------
// expiry keys

TEST(Codec, ExpiryKeyRoundTrip) {
  for (uint64_t at : {0ull, 1ull, 1700000000000ull, ~0ull}) {
    for (uint16_t db : {0, 9, 65535}) {
      std::string key = "user:\0:1"s;
      std::string raw = expiry_key(at, db, key);
      EXPECT_EQ(raw.size(), 10 + key.size());
      uint64_t got_at = 0;
      uint16_t got_db = 0;
      std::string_view got_key;
      ASSERT_TRUE(decode_expiry_key(raw, got_at, got_db, got_key));
      EXPECT_EQ(got_at, at);
      EXPECT_EQ(got_db, db);
      EXPECT_EQ(got_key, key);
    }
  }
}

TEST(Codec, DecodeExpiryKeyRejectsShortKeys) {
  uint64_t at;
  uint16_t db;
  std::string_view key;
  EXPECT_FALSE(decode_expiry_key("", at, db, key));
  EXPECT_FALSE(decode_expiry_key(std::string(9, '\0'), at, db, key));
  EXPECT_TRUE(decode_expiry_key(std::string(10, '\0'), at, db, key));
  EXPECT_TRUE(key.empty());
}

TEST(Codec, ExpiryKeysSortByTimeFirst) {
  // Time dominates db and key, so the expiry cycle can scan from the start up to "now".
  EXPECT_TRUE(before(expiry_key(100, 65535, "zzz"), expiry_key(101, 0, "")));
  EXPECT_TRUE(before(expiry_key(255, 0, "a"), expiry_key(256, 0, "a")));
  EXPECT_TRUE(before(expiry_key(1, 0, "a"), expiry_key(1ull << 40, 0, "a")));
  EXPECT_TRUE(before(expiry_key(1700000000000ull, 0, "a"), expiry_key(1700000000001ull, 0, "a")));
  // Same time: then db, then key.
  EXPECT_TRUE(before(expiry_key(5, 0, "b"), expiry_key(5, 1, "a")));
  EXPECT_TRUE(before(expiry_key(5, 1, "a"), expiry_key(5, 1, "b")));
  // A scan bound of "time t+1" (8 bytes) sorts after every entry of time t.
  std::string bound;
  put_u64_be(bound, 6);
  EXPECT_TRUE(before(expiry_key(5, 65535, std::string(50, '\xff')), bound));
  EXPECT_FALSE(before(expiry_key(6, 0, ""), bound));
}

TEST(Codec, ExpiryKeysSortByTimeRandomized) {
  std::mt19937_64 rng(2);
  std::vector<uint64_t> times;
  std::vector<std::string> keys;
  for (int i = 0; i < 500; ++i) {
    uint64_t t = rng() % 10000000000000ull;
    times.push_back(t);
    keys.push_back(expiry_key(t, static_cast<uint16_t>(rng()), std::to_string(rng())));
  }
  std::sort(keys.begin(), keys.end(), before);
  std::sort(times.begin(), times.end());
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(get_u64_be(keys[i].data()), times[i]);
}

// ---------------------------------------------------------------------------------------------
// log keys

TEST(Codec, LogKeysSortByOffset) {
  EXPECT_EQ(log_key(1), "\0\0\0\0\0\0\0\x01"s);
  EXPECT_EQ(get_u64_be(log_key(123456789).data()), 123456789u);
  EXPECT_TRUE(before(log_key(9), log_key(10)));
  EXPECT_TRUE(before(log_key(255), log_key(256)));
  EXPECT_TRUE(before(log_key(1), log_key(1ull << 33)));
}

// ---------------------------------------------------------------------------------------------
// records

TEST(Record, RoundTripWithoutExpiry) {
  std::string raw;
  encode_record(raw, ValueType::String, 0, "hello");
  EXPECT_EQ(raw, "\x00\x00hello"s);
  RecordView v;
  v.expire_at_ms = 99;  // must be reset by decode
  ASSERT_TRUE(decode_record(raw, v));
  EXPECT_EQ(v.type, ValueType::String);
  EXPECT_EQ(v.expire_at_ms, 0u);
  EXPECT_EQ(v.payload, "hello");
}

TEST(Record, RoundTripWithExpiry) {
  std::string raw;
  encode_record(raw, ValueType::Hash, 1700000000123ull, "\0meta\r\n"s);
  EXPECT_EQ(raw.size(), 2u + 8u + 7u);
  EXPECT_EQ(static_cast<uint8_t>(raw[1]), kFlagHasExpire);
  RecordView v;
  ASSERT_TRUE(decode_record(raw, v));
  EXPECT_EQ(v.type, ValueType::Hash);
  EXPECT_EQ(v.expire_at_ms, 1700000000123ull);
  EXPECT_EQ(v.payload, "\0meta\r\n"s);
}

TEST(Record, EveryTypeAndEmptyPayload) {
  for (ValueType t :
       {ValueType::String, ValueType::Hash, ValueType::List, ValueType::Set, ValueType::ZSet}) {
    for (uint64_t exp : {0ull, 1ull, ~0ull}) {
      std::string raw;
      encode_record(raw, t, exp, "");
      RecordView v;
      ASSERT_TRUE(decode_record(raw, v));
      EXPECT_EQ(v.type, t);
      EXPECT_EQ(v.expire_at_ms, exp);
      EXPECT_TRUE(v.payload.empty());
    }
  }
}

TEST(Record, EncodeReplacesTheBuffer) {
  std::string raw = "leftover bytes";
  encode_record(raw, ValueType::String, 0, "v");
  EXPECT_EQ(raw, "\x00\x00v"s);
}

TEST(Record, DecodeRejectsCorruptInput) {
  RecordView v;
  EXPECT_FALSE(decode_record("", v));
  EXPECT_FALSE(decode_record("\x00"s, v));
  EXPECT_FALSE(decode_record("\x05\x00"s, v));  // unknown type
  EXPECT_FALSE(decode_record("\xff\x00payload"s, v));
  EXPECT_FALSE(decode_record("\x00\x01"s, v));  // expiry flag, no timestamp
  EXPECT_FALSE(decode_record("\x00\x01\x00\x00\x00\x00\x00\x00\x01"s, v));  // 7 of 8 bytes
  EXPECT_TRUE(decode_record("\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01"s, v));
  EXPECT_EQ(v.expire_at_ms, 1u);
}

TEST(Record, TypeNames) {
  EXPECT_STREQ(type_name(ValueType::String), "string");
  EXPECT_STREQ(type_name(ValueType::Hash), "hash");
  EXPECT_STREQ(type_name(ValueType::List), "list");
  EXPECT_STREQ(type_name(ValueType::Set), "set");
  EXPECT_STREQ(type_name(ValueType::ZSet), "zset");
}

}  // namespace
