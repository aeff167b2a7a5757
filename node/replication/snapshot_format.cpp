// node/replication/snapshot_format.cpp — see snapshot_format.h.
#include "node/replication/snapshot_format.h"

#include <xxhash.h>

namespace basalt::replication {

namespace {
void put_u32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}
void put_u64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}
uint32_t get_u32(const char* p) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(p[0])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(p[3]));
}
}  // namespace

void append_entry(std::string& payload, Family family, std::string_view key,
                  std::string_view value) {
  payload.push_back(static_cast<char>(family));
  put_u32(payload, static_cast<uint32_t>(key.size()));
  payload.append(key);
  put_u32(payload, static_cast<uint32_t>(value.size()));
  payload.append(value);
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
  put_u32(frame, static_cast<uint32_t>(payload.size()));
  put_u64(frame, payload_checksum(payload));
  frame.append(payload);
  return frame;
}

std::string make_end(uint64_t entries, uint64_t checksum_of_checksums) {
  std::string end;
  put_u32(end, 0);
  put_u64(end, 0);
  put_u64(end, entries);
  put_u64(end, checksum_of_checksums);
  return end;
}

bool parse_payload(std::string_view p, std::vector<Entry>& out) {
  out.clear();
  size_t pos = 0;
  while (pos < p.size()) {
    if (p.size() - pos < 5) return false;
    auto family = static_cast<uint8_t>(p[pos]);
    if (family != 1 && family != 2) return false;
    uint32_t klen = get_u32(p.data() + pos + 1);
    pos += 5;
    if (p.size() - pos < static_cast<size_t>(klen) + 4) return false;
    std::string_view key = p.substr(pos, klen);
    pos += klen;
    uint32_t vlen = get_u32(p.data() + pos);
    pos += 4;
    if (p.size() - pos < vlen) return false;
    out.push_back({static_cast<Family>(family), key, p.substr(pos, vlen)});
    pos += vlen;
  }
  return true;
}

}  // namespace basalt::replication
