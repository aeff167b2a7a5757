// node/commands/server/digest.cpp — see digest.h. Each live key contributes a 20-byte hash of
// (key, type, value, expiry) XORed into its database's digest; databases are then mixed in
// order. XOR makes the result independent of write and iteration order.
#include "node/commands/server/digest.h"

#include <xxhash.h>

#include <cstring>

#include "storage/codec.h"
#include "storage/collection.h"
#include "storage/types/list_encoding.h"

namespace basalt::commands {

namespace {

using Digest = std::array<uint8_t, 20>;

Digest hash_bytes(const std::string& bytes) {
  Digest d{};
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  uint64_t extra = XXH3_64bits_withSeed(bytes.data(), bytes.size(), 0x9e3779b97f4a7c15ull);
  std::memcpy(d.data(), &h.low64, 8);
  std::memcpy(d.data() + 8, &h.high64, 8);
  std::memcpy(d.data() + 16, &extra, 4);
  return d;
}

void xor_into(Digest& into, const Digest& d) {
  for (size_t i = 0; i < into.size(); ++i) into[i] ^= d[i];
}

// A chunked list's elements (storage/types/list_encoding.h), hashed as elements_digest
// hashes those of a list stored one entry per element: the same content digests the same.
Digest chunked_list_digest(core::Keyspace& ks, uint16_t db, std::string_view key,
                           const storage::CollectionMeta& meta) {
  namespace list = storage::types::list;
  Digest all{};
  std::string prefix, buf, big;
  std::vector<list::ChunkSlot> slots;
  std::vector<std::pair<uint64_t, std::string>> chunks;  // read first: sub_get below
  {
    auto it = ks.sub_iterate(db, key, meta.version, prefix);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      std::string_view part(it->key().data() + prefix.size(), it->key().size() - prefix.size());
      uint64_t number = 0;
      if (!list::index_of(part, number)) break;  // the out-of-line elements follow the chunks
      chunks.emplace_back(number, it->value().ToString());
    }
  }
  for (const auto& [number, raw] : chunks) {
    uint64_t first = 0;
    if (!list::decode_chunk(raw, first, slots)) continue;
    uint64_t index = list::chunk_start(number) + first;
    for (const auto& slot : slots) {
      buf.clear();
      storage::put_u64_be(buf, index - meta.head);
      if (slot.big) {
        big.clear();
        ks.sub_get(db, key, meta.version, list::big_part(index), big);
        buf.append(big);
      } else {
        buf.append(slot.value);
      }
      xor_into(all, hash_bytes(buf));
      ++index;
    }
  }
  return all;
}

// The XOR of the element hashes of a collection: independent of element order where the
// type has none (hash, set, sorted set), position-aware for lists (position counted from
// the head, so the same list built by LPUSH or RPUSH digests the same).
Digest elements_digest(core::Keyspace& ks, uint16_t db, std::string_view key,
                       const storage::RecordView& rec) {
  Digest all{};
  storage::CollectionMeta meta;
  if (!storage::CollectionMeta::decode(rec.payload, meta)) return all;
  std::string prefix, buf;
  if (rec.type == storage::ValueType::List && meta.chunked)
    return chunked_list_digest(ks, db, key, meta);
  auto it = ks.sub_iterate(db, key, meta.version, prefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view part(it->key().data() + prefix.size(), it->key().size() - prefix.size());
    std::string_view value(it->value().data(), it->value().size());
    buf.clear();
    switch (rec.type) {
      case storage::ValueType::List: {
        if (part.size() != 8) continue;
        storage::put_u64_be(buf, storage::get_u64_be(part.data()) - meta.head);
        break;
      }
      case storage::ValueType::ZSet:
        if (part.empty() || part[0] != 'm') continue;  // the score index repeats the data
        [[fallthrough]];
      default:
        storage::put_u64_be(buf, part.size());
        buf.append(part);
        break;
    }
    buf.append(value);
    xor_into(all, hash_bytes(buf));
  }
  return all;
}

// The digest of one key: name (unless `with_name` is false: DEBUG DIGEST-VALUE digests the
// value alone, as Redis's does, so a COPY digests the same), type, expiry and value (strings:
// the bytes; collections: their elements).
Digest key_digest(core::Keyspace& ks, uint16_t db, std::string_view key,
                  const storage::RecordView& rec, bool with_name = true) {
  std::string buf;
  buf.reserve(key.size() + 64);
  if (with_name) {
    storage::put_u64_be(buf, key.size());
    buf.append(key);
  }
  buf.push_back(static_cast<char>(rec.type));
  storage::put_u64_be(buf, rec.expire_at_ms);
  if (rec.type == storage::ValueType::String) {
    buf.append(rec.payload);
  } else {
    Digest elements = elements_digest(ks, db, key, rec);
    buf.append(elements.begin(), elements.end());
  }
  return hash_bytes(buf);
}

std::string hex(const Digest& d) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(40);
  for (uint8_t b : d) {
    s.push_back(digits[b >> 4]);
    s.push_back(digits[b & 15]);
  }
  return s;
}

}  // namespace

std::string dataset_digest(core::Keyspace& ks) {
  Digest final_digest{};
  bool any = false;
  storage::RecordView rec;
  for (size_t db = 0; db < ks.databases(); ++db) {
    auto id = static_cast<uint16_t>(db);
    std::string prefix = storage::data_prefix(id);
    auto it = ks.iterate(id);
    Digest db_digest{};
    bool db_any = false;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (!storage::decode_record(std::string_view(it->value().data(), it->value().size()), rec))
        continue;
      if (!rec.live_at(ks.now_ms())) continue;
      std::string_view key(it->key().data() + 2, it->key().size() - 2);
      xor_into(db_digest, key_digest(ks, id, key, rec));
      db_any = true;
    }
    if (!db_any) continue;
    any = true;
    // Mix: digest = H(digest || db id || db digest), so the same keys in another db differ.
    std::string mix(final_digest.begin(), final_digest.end());
    storage::put_u16_be(mix, id);
    mix.append(db_digest.begin(), db_digest.end());
    final_digest = hash_bytes(mix);
  }
  return any ? hex(final_digest) : std::string(40, '0');
}

// Redis answers both as status replies.
void debug_digest(Context& c) {
  c.reply.simple(dataset_digest(c.ks));
}

void debug_digest_value(Context& c) {
  c.reply.array(c.argc() - 2);
  core::Lookup l;
  for (size_t i = 2; i < c.argc(); ++i) {
    c.ks.lookup(c.db(), c.arg(i), l);
    c.reply.simple(l.live ? hex(key_digest(c.ks, c.db(), c.arg(i), l.record, false))
                          : std::string(40, '0'));
  }
}

}  // namespace basalt::commands
