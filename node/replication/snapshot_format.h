// node/replication/snapshot_format.h — owns the full-sync payload between basalt nodes: its
// preamble, its frames, and the entry stream the frames carry.
//
// After "+FULLRESYNC <replid> <offset>\r\n" the master sends "$BASALT-SNAPSHOT 2 <db>\r\n",
// then frames: [u32 payload length][u64 XXH64 of payload][payload], each payload at most
// kMaxFramePayload bytes. The payloads, concatenated, are the *entry stream*: entries
// [u8 family][u32 key length][key][u64 value length][value] (family 1 = data, 2 = collection
// elements). Frames cut the entry stream anywhere, so an entry of any size (a 100 MB string)
// travels as continuation frames and the replica holds only that one entry while it
// reassembles it. A frame with length 0 ends the snapshot; it is followed by
// [u64 entry count][u64 XXH64 of all payload checksums] so a truncated stream is detected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::replication {

inline constexpr std::string_view kSnapshotMagic = "$BASALT-SNAPSHOT";
inline constexpr int kSnapshotVersion = 2;
inline constexpr size_t kFrameHeader = 12;
inline constexpr size_t kTrailer = 16;
inline constexpr uint32_t kMaxFramePayload = 8u << 20;
// Entry header bytes: family, key length, value length.
inline constexpr size_t kEntryHeader = 1 + 4 + 8;

enum class Family : uint8_t { Data = 1, Sub = 2 };

// "$BASALT-SNAPSHOT 2 <db>\r\n".
// A fourth field, when `shared_until` >= 0, tells the replica where its history branched from
// ours ("$BASALT-SNAPSHOT 2 <db> <shared_until>"): it keeps its bytes after that offset.
std::string make_preamble(int stream_db, int64_t shared_until = -1);
// Parses the preamble line (without CR LF); false with the reason if it is not one this
// node can load.
bool parse_preamble(std::string_view line, int& stream_db, std::string& error,
                    int64_t* shared_until = nullptr);

// Wraps a payload (at most kMaxFramePayload bytes) into a frame (header + payload).
std::string make_frame(std::string_view payload);
std::string make_end(uint64_t entries, uint64_t checksum_of_checksums);
uint64_t payload_checksum(std::string_view payload);
// Folds a frame checksum into the running checksum.
uint64_t fold_checksum(uint64_t running, uint64_t frame_checksum);
// Reads a frame header; false with the reason if the announced payload is too large.
bool parse_frame_header(std::string_view header, uint32_t& length, uint64_t& checksum,
                        std::string& error);

// Master side: cuts a sequence of entries into payloads of at most `max_payload` bytes.
// begin() an entry, then write_into() until it returns true; the key and value views must
// stay valid until then.
class EntryWriter {
 public:
  explicit EntryWriter(size_t max_payload) : max_(max_payload) {}
  void begin(Family family, std::string_view key, std::string_view value);
  // Appends as much of the current entry as fits into `payload`; true once all of it is in.
  bool write_into(std::string& payload);
  bool active() const { return segment_ < 4; }

 private:
  size_t max_;
  char head_[5] = {};
  char value_len_[8] = {};
  std::string_view segments_[4];
  size_t segment_ = 4;  // 4 = no entry in progress
  size_t offset_ = 0;   // within segments_[segment_]
};

struct Entry {
  Family family;
  std::string_view key;
  std::string_view value;
};

// Replica side: reassembles entries from verified frame payloads. Keys and values larger
// than the limits are refused (with the reason) before any memory is taken for them.
class EntryReader {
 public:
  enum class Result { Entry, NeedMore, Error };

  EntryReader(uint64_t max_key, uint64_t max_value) : max_key_(max_key), max_value_(max_value) {}
  // Appends a payload. Invalidates the views of entries returned before.
  void feed(std::string_view payload);
  // The next complete entry (views valid until the next feed()), NeedMore, or Error (`error`
  // says why; the stream is then unusable).
  Result next(Entry& entry, std::string& error);
  // True if bytes of an unfinished entry are buffered (a stream ending here is truncated).
  bool partial() const { return pos_ < buf_.size(); }

 private:
  // Encoded size of the entry at pos_ once its header is buffered and within limits, else 0.
  uint64_t pending_size() const;

  uint64_t max_key_;
  uint64_t max_value_;
  std::string buf_;
  size_t pos_ = 0;
};

}  // namespace basalt::replication
