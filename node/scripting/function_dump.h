// node/scripting/function_dump.h — FUNCTION DUMP / RESTORE's payload. Redis's is an RDB
// fragment; basalt's is its own: "BSLTFN", a format version byte, then each library's code
// (u32 big-endian length + bytes; the name is in the code's header), then a CRC-32 of all
// that (u32 big-endian). A payload of another version or with a wrong checksum is refused.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace basalt::scripting {

std::string dump_libraries(const std::vector<std::string_view>& codes);
// False (codes untouched) unless `payload` is a whole, intact payload of this version.
bool parse_library_dump(std::string_view payload, std::vector<std::string>& codes);

}  // namespace basalt::scripting
