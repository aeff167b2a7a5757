// node/replication/snapshot_format.cpp — see snapshot_format.h.
#include "node/replication/snapshot_format.h"

#include <xxhash.h>

#include <algorithm>
#include <charconv>

namespace basalt::replication {

namespace {
void put_be(char* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
}
uint64_t get_be(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
void append_be(std::string& out, uint64_t v, int bytes) {
  char b[8];
  put_be(b, v, bytes);
  out.append(b, static_cast<size_t>(bytes));
}
}  // namespace

std::string make_preamble(int stream_db, int64_t shared_until) {
  std::string out = std::string(kSnapshotMagic) + " " + std::to_string(kSnapshotVersion) + " " +
                    std::to_string(stream_db);
  if (shared_until >= 0) out += " " + std::to_string(shared_until);
  return out + "\r\n";
}

bool parse_preamble(std::string_view line, int& stream_db, std::string& error,
                    int64_t* shared_until) {
  if (line.substr(0, kSnapshotMagic.size()) != kSnapshotMagic ||
      line.size() == kSnapshotMagic.size() || line[kSnapshotMagic.size()] != ' ') {
    error = "the master sent a payload basalt can't load (is it a basalt node?)";
    return false;
  }
  std::string_view rest = line.substr(kSnapshotMagic.size() + 1);
  int version = 0;
  auto [vend, vec] = std::from_chars(rest.data(), rest.data() + rest.size(), version);
  if (vec != std::errc() || version != kSnapshotVersion) {
    error = "the master sent snapshot format '" + std::string(rest.substr(0, 16)) +
            "'; this node loads version " + std::to_string(kSnapshotVersion);
    return false;
  }
  stream_db = 0;
  if (shared_until) *shared_until = -1;
  const char* end = rest.data() + rest.size();
  auto bad = [&] {
    error = "bad snapshot preamble: " + std::string(line.substr(0, 64));
    return false;
  };
  if (vend != end) {
    if (*vend != ' ') return bad();
    auto [dend, dec] = std::from_chars(vend + 1, end, stream_db);
    if (dec != std::errc()) return bad();
    if (dend != end) {
      int64_t shared = -1;
      if (*dend != ' ') return bad();
      auto [send, sec] = std::from_chars(dend + 1, end, shared);
      if (sec != std::errc() || send != end) return bad();
      if (shared_until) *shared_until = shared;
    }
  }
  return true;
}

uint64_t payload_checksum(std::string_view payload) {
  return XXH64(payload.data(), payload.size(), 0);
}

uint64_t fold_checksum(uint64_t running, uint64_t frame_checksum) {
  uint64_t both[2] = {running, frame_checksum};
  return XXH64(both, sizeof(both), 0);
}

std::string make_frame(std::string_view payload) {
  std::string frame;
  frame.reserve(kFrameHeader + payload.size());
  append_be(frame, payload.size(), 4);
  append_be(frame, payload_checksum(payload), 8);
  frame.append(payload);
  return frame;
}

std::string make_end(uint64_t entries, uint64_t checksum_of_checksums) {
  std::string end;
  append_be(end, 0, 4);
  append_be(end, 0, 8);
  append_be(end, entries, 8);
  append_be(end, checksum_of_checksums, 8);
  return end;
}

bool parse_frame_header(std::string_view header, uint32_t& length, uint64_t& checksum,
                        std::string& error) {
  if (header.size() != kFrameHeader) {
    error = "short snapshot frame header";
    return false;
  }
  length = static_cast<uint32_t>(get_be(header.data(), 4));
  checksum = get_be(header.data() + 4, 8);
  if (length > kMaxFramePayload) {
    error = "snapshot frame of " + std::to_string(length) + " bytes exceeds the limit of " +
            std::to_string(kMaxFramePayload);
    return false;
  }
  return true;
}

void EntryWriter::begin(Family family, std::string_view key, std::string_view value) {
  head_[0] = static_cast<char>(family);
  put_be(head_ + 1, key.size(), 4);
  put_be(value_len_, value.size(), 8);
  segments_[0] = std::string_view(head_, sizeof(head_));
  segments_[1] = key;
  segments_[2] = std::string_view(value_len_, sizeof(value_len_));
  segments_[3] = value;
  segment_ = 0;
  offset_ = 0;
}

bool EntryWriter::write_into(std::string& payload) {
  while (segment_ < 4) {
    std::string_view s = segments_[segment_];
    size_t room = payload.size() < max_ ? max_ - payload.size() : 0;
    size_t take = std::min(room, s.size() - offset_);
    payload.append(s.data() + offset_, take);
    offset_ += take;
    if (offset_ < s.size()) return false;  // the payload is full
    ++segment_;
    offset_ = 0;
  }
  return true;
}

void EntryReader::feed(std::string_view payload) {
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  // A large entry under way: take its memory once (bounded by the limits).
  size_t want = std::max<size_t>(pending_size(), buf_.size() + payload.size());
  if (buf_.capacity() < want) buf_.reserve(want);
  buf_.append(payload);
}

uint64_t EntryReader::pending_size() const {
  std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
  if (rest.size() < 5) return 0;
  uint64_t klen = get_be(rest.data() + 1, 4);
  if (klen > max_key_ || rest.size() < 5 + klen + 8) return 0;
  uint64_t vlen = get_be(rest.data() + 5 + klen, 8);
  return vlen > max_value_ ? 0 : kEntryHeader + klen + vlen;
}

EntryReader::Result EntryReader::next(Entry& entry, std::string& error) {
  std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
  if (rest.size() < 5) return Result::NeedMore;
  auto family = static_cast<uint8_t>(rest[0]);
  if (family != static_cast<uint8_t>(Family::Data) && family != static_cast<uint8_t>(Family::Sub)) {
    error = "malformed snapshot entry (family " + std::to_string(family) + ")";
    return Result::Error;
  }
  uint64_t klen = get_be(rest.data() + 1, 4);
  if (klen > max_key_) {
    error = "snapshot entry key of " + std::to_string(klen) + " bytes exceeds the limit of " +
            std::to_string(max_key_) + " (proto-max-bulk-len)";
    return Result::Error;
  }
  if (rest.size() < 5 + klen + 8) return Result::NeedMore;
  uint64_t vlen = get_be(rest.data() + 5 + klen, 8);
  if (vlen > max_value_) {
    error = "snapshot entry value of " + std::to_string(vlen) + " bytes exceeds the limit of " +
            std::to_string(max_value_) + " (proto-max-bulk-len)";
    return Result::Error;
  }
  uint64_t total = kEntryHeader + klen + vlen;
  if (rest.size() < total) return Result::NeedMore;
  entry.family = static_cast<Family>(family);
  entry.key = rest.substr(5, klen);
  entry.value = rest.substr(5 + klen + 8, vlen);
  pos_ += total;
  return Result::Entry;
}

}  // namespace basalt::replication
