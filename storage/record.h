// storage/record.h — the value stored for every key in the data column family.
//
// Encoding (version 1): [type u8][flags u8][expire_at_ms u64 if flags&1][payload]
// For strings the payload is the value itself; collection types (later) keep their
// metadata (size, version) in the payload and their elements in a sub-key family.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/codec.h"

namespace basalt::storage {

inline constexpr uint32_t kEncodingVersion = 1;

enum class ValueType : uint8_t { String = 0, Hash = 1, List = 2, Set = 3, ZSet = 4 };

const char* type_name(ValueType t);

struct RecordView {
  ValueType type = ValueType::String;
  uint64_t expire_at_ms = 0;  // 0 = no expiry
  std::string_view payload;

  // Logically present at `now_ms`: no expiry, or an expiry still in the future.
  bool live_at(uint64_t now_ms) const { return expire_at_ms == 0 || expire_at_ms > now_ms; }
};

inline constexpr uint8_t kFlagHasExpire = 1;

inline void encode_record(std::string& out, ValueType type, uint64_t expire_at_ms,
                          std::string_view payload) {
  out.clear();
  out.reserve(10 + payload.size());
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(expire_at_ms ? kFlagHasExpire : 0));
  if (expire_at_ms) put_u64_be(out, expire_at_ms);
  out.append(payload);
}

// False when `raw` is not a valid record (corruption); callers treat it as an error.
inline bool decode_record(std::string_view raw, RecordView& out) {
  if (raw.size() < 2) return false;
  uint8_t type = static_cast<uint8_t>(raw[0]);
  if (type > static_cast<uint8_t>(ValueType::ZSet)) return false;
  out.type = static_cast<ValueType>(type);
  uint8_t flags = static_cast<uint8_t>(raw[1]);
  size_t pos = 2;
  out.expire_at_ms = 0;
  if (flags & kFlagHasExpire) {
    if (raw.size() < 10) return false;
    out.expire_at_ms = get_u64_be(raw.data() + 2);
    pos = 10;
  }
  out.payload = raw.substr(pos);
  return true;
}

}  // namespace basalt::storage
