// node/commands/keys/object_encoding.cpp — see object_encoding.h.
#include "node/commands/keys/object_encoding.h"

#include <cstdint>
#include <functional>

#include "node/core/node.h"
#include "storage/collection.h"
#include "storage/types/collection.h"
#include "storage/types/zset_encoding.h"

namespace basalt::commands {

using storage::ValueType;

bool is_canonical_int(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  if (s == "0") return true;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size() || s[i] < '1' || s[i] > '9') return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    auto digit = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  return s[0] == '-' ? v <= uint64_t{1} << 63 : v <= static_cast<uint64_t>(INT64_MAX);
}

std::string_view string_encoding(std::string_view value) {
  if (is_canonical_int(value)) return "int";
  return value.size() <= 44 ? "embstr" : "raw";
}

namespace {

// True if every element (parts starting with `prefix`, the prefix stripped) passes `ok`.
// Called only for collections at most a threshold long, so the walk is bounded by it.
bool all_elements(Context& c, std::string_view key, uint64_t version, std::string_view prefix,
                  const std::function<bool(std::string_view, std::string_view)>& ok) {
  bool all = true;
  storage::types::for_each_element(
      c.ks, c.db(), key, version,
      [&](std::string_view part, std::string_view value) {
        all = ok(part, value);
        return all;
      },
      prefix);
  return all;
}

}  // namespace

std::string_view object_encoding(Context& c, std::string_view key, const core::Lookup& l) {
  const auto& config = c.node.config();
  if (l.record.type == ValueType::String) return string_encoding(l.record.payload);
  // Redis 7.0 keeps every list in a quicklist (of listpack nodes).
  if (l.record.type == ValueType::List) return "quicklist";
  storage::CollectionMeta meta;
  if (!storage::CollectionMeta::decode(l.record.payload, meta)) return "hashtable";
  auto size = static_cast<int64_t>(meta.size);
  switch (l.record.type) {
    case ValueType::Hash: {
      auto limit = static_cast<size_t>(config.hash_max_listpack_value);
      bool small =
          size <= config.hash_max_listpack_entries &&
          all_elements(c, key, meta.version, {}, [&](std::string_view field, std::string_view v) {
            return field.size() <= limit && v.size() <= limit;
          });
      return small ? "listpack" : "hashtable";
    }
    case ValueType::Set: {
      bool ints = size <= config.set_max_intset_entries &&
                  all_elements(c, key, meta.version, {}, [](std::string_view member, auto) {
                    return is_canonical_int(member);
                  });
      return ints ? "intset" : "hashtable";
    }
    case ValueType::ZSet: {
      auto limit = static_cast<size_t>(config.zset_max_listpack_value);
      char tag = storage::types::zset::kMemberTag;
      bool small =
          size <= config.zset_max_listpack_entries &&
          all_elements(c, key, meta.version, std::string_view(&tag, 1),
                       [&](std::string_view member, auto) { return member.size() <= limit; });
      return small ? "listpack" : "skiplist";
    }
    default:
      return "hashtable";
  }
}

}  // namespace basalt::commands
