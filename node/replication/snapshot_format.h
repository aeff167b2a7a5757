// node/replication/snapshot_format.h — the full-sync payload between basalt nodes.
//
// After "+FULLRESYNC <replid> <offset>\r\n" the master sends "$BASALT-SNAPSHOT 1\r\n", then
// frames: [u32 payload length][u64 XXH64 of payload][payload]. A payload is a run of
// entries [u8 family][u32 key length][key][u32 value length][value] (family 1 = data,
// 2 = collection elements). A frame with length 0 ends the snapshot; it is followed by
// [u64 entry count][u64 XXH64 of all payload checksums] so a truncated stream is detected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::replication {

inline constexpr std::string_view kSnapshotPreamble = "$BASALT-SNAPSHOT 1\r\n";
inline constexpr size_t kFrameHeader = 12;
inline constexpr size_t kTrailer = 16;
inline constexpr uint32_t kMaxFramePayload = 8u << 20;

enum class Family : uint8_t { Data = 1, Sub = 2 };

// Appends one entry to a frame payload being built.
void append_entry(std::string& payload, Family family, std::string_view key,
                  std::string_view value);
// Wraps a payload into a frame (header + payload).
std::string make_frame(std::string_view payload);
std::string make_end(uint64_t entries, uint64_t checksum_of_checksums);
uint64_t payload_checksum(std::string_view payload);
// Folds a frame checksum into the running checksum.
uint64_t fold_checksum(uint64_t running, uint64_t frame_checksum);

struct Entry {
  Family family;
  std::string_view key;
  std::string_view value;
};

// Splits a verified payload into entries; false if malformed.
bool parse_payload(std::string_view payload, std::vector<Entry>& out);

}  // namespace basalt::replication
