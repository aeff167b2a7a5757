// node/scripting/function_dump.cpp — see function_dump.h.
#include "node/scripting/function_dump.h"

#include <cstdint>

namespace basalt::scripting {

namespace {

constexpr std::string_view kMagic = "BSLTFN";
constexpr char kVersion = 1;

uint32_t crc32(std::string_view data) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int i = 0; i < 8; ++i) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void put_u32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

uint32_t get_u32(std::string_view in) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

}  // namespace

std::string dump_libraries(const std::vector<std::string_view>& codes) {
  std::string out(kMagic);
  out.push_back(kVersion);
  for (std::string_view code : codes) {
    put_u32(out, static_cast<uint32_t>(code.size()));
    out.append(code);
  }
  put_u32(out, crc32(out));
  return out;
}

bool parse_library_dump(std::string_view payload, std::vector<std::string>& codes) {
  if (payload.size() < kMagic.size() + 1 + 4 || !payload.starts_with(kMagic) ||
      payload[kMagic.size()] != kVersion)
    return false;
  std::string_view body = payload.substr(0, payload.size() - 4);
  if (crc32(body) != get_u32(payload.substr(payload.size() - 4))) return false;
  std::vector<std::string> parsed;
  body.remove_prefix(kMagic.size() + 1);
  while (!body.empty()) {
    if (body.size() < 4) return false;
    uint32_t len = get_u32(body);
    body.remove_prefix(4);
    if (body.size() < len) return false;
    parsed.emplace_back(body.substr(0, len));
    body.remove_prefix(len);
  }
  codes = std::move(parsed);
  return true;
}

}  // namespace basalt::scripting
