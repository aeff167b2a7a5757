// tests/fuzz/record_fuzz.cpp — fuzzes the decoding of what storage/ reads back from RocksDB:
// records (storage/record.h), collection metadata (storage/collection.h), data / expiry /
// sub-key encodings (storage/codec.h), list indexes (storage/types/list_encoding.h) and sorted
// set index parts and score/lex ranges (storage/types/zset_encoding.h).
// Invariants: whatever decodes re-encodes to the same bytes (records with the canonical flag
// byte, metadata, keys, list parts, zset index parts); score bits round trip.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "storage/codec.h"
#include "storage/collection.h"
#include "storage/record.h"
#include "storage/types/list_encoding.h"
#include "storage/types/zset_encoding.h"
#include "tests/fuzz/fuzz_check.h"

using namespace basalt::storage;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const int which = in.ConsumeIntegralInRange<int>(0, 6);
  const std::string raw = in.ConsumeRemainingBytesAsString();
  switch (which) {
    case 0: {
      RecordView r;
      if (!decode_record(raw, r)) break;
      FUZZ_CHECK(type_name(r.type) != nullptr, "every decoded type has a name");
      std::string again;
      encode_record(again, r.type, r.expire_at_ms, r.payload);
      // Equal unless the input used a non-canonical flags byte (unknown bits, or an expiry
      // flag with a zero time).
      const uint8_t flags = static_cast<uint8_t>(raw[1]);
      if (flags == (r.expire_at_ms ? kFlagHasExpire : 0)) {
        FUZZ_CHECK(again == raw, "record round trip");
      }
      break;
    }
    case 1: {
      CollectionMeta m;
      if (!CollectionMeta::decode(raw, m)) break;
      // Records from before the element bytes were kept have 32 bytes; newer ones 40, and
      // more when a sorted set's bounds or a count of tombstones follow (none: 40 again).
      if (m.bytes_known) {
        const bool extended = m.dead != 0 || !m.floor.empty() || !m.ceiling.empty() || m.chunked;
        FUZZ_CHECK(m.encode() == (extended ? raw : raw.substr(0, 40)), "metadata round trip");
      } else {
        FUZZ_CHECK(m.encode().substr(0, 32) == raw.substr(0, 32), "old metadata round trip");
      }
      break;
    }
    case 2: {
      uint16_t db = 0;
      std::string_view key;
      if (decode_data_key(raw, db, key)) FUZZ_CHECK(data_key(db, key) == raw, "data key");
      uint64_t at = 0;
      if (decode_expiry_key(raw, at, db, key))
        FUZZ_CHECK(expiry_key(at, db, key) == raw, "expiry key");
      break;
    }
    case 3: {
      uint64_t index = 0;
      if (types::list::index_of(raw, index)) {
        FUZZ_CHECK(types::list::part(index) == raw, "list part round trip");
      }
      // A chunk that decodes re-encodes to the same bytes when its varints are minimal.
      uint64_t first = 0;
      std::vector<types::list::ChunkSlot> slots;
      if (types::list::decode_chunk(raw, first, slots)) {
        std::string again(1, raw[0]);
        for (const auto& slot : slots)
          types::list::encode_slot(again, slot.value, slot.size, slot.big);
        FUZZ_CHECK(first + slots.size() <= types::list::kSlots, "chunk slots in range");
        FUZZ_CHECK(again.size() <= raw.size(), "chunk re-encodes no longer");
      }
      break;
    }
    case 4: {
      double score = 0;
      std::string_view member;
      if (types::zset::parse_index_part(raw, score, member)) {
        // Bits no score encodes (NaN, -0.0) can only come from corruption; the rest round trip.
        if (!std::isnan(score) && !(score == 0 && std::signbit(score))) {
          FUZZ_CHECK(types::zset::index_part(score, member) == raw, "zset index part round trip");
        }
      }
      if (raw.size() == 8) {
        const double s = types::zset::read_score(raw);
        std::string out;
        types::zset::append_score(out, s);
        if (!std::isnan(s)) FUZZ_CHECK(types::zset::read_score(out) == s, "score round trip");
      }
      break;
    }
    case 5: {
      const size_t cut = raw.find('\0');
      if (cut == std::string::npos) break;
      types::zset::ScoreRange range;
      (void)types::zset::parse_score_range(raw.substr(0, cut), raw.substr(cut + 1), range);
      types::zset::LexRange lex;
      if (types::zset::parse_lex_range(raw.substr(0, cut), raw.substr(cut + 1), lex)) {
        (void)types::zset::compare_lex("member", lex.min);
        (void)types::zset::compare_lex("member", lex.max);
      }
      break;
    }
    default: {
      if (raw.size() < 16) break;
      uint64_t bits;
      std::memcpy(&bits, raw.data(), 8);
      const double score = types::zset::score_from_bits(bits);
      if (!std::isnan(score)) {
        FUZZ_CHECK(types::zset::score_from_bits(types::zset::score_bits(score)) == score,
                   "score bits round trip");
      }
      break;
    }
  }
  return 0;
}
