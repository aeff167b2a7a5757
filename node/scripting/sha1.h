// node/scripting/sha1.h — the SHA1 hex digest scripts are named by (EVAL's cache key,
// redis.sha1hex), via OpenSSL's libcrypto.
#pragma once

#include <string>
#include <string_view>

namespace basalt::scripting {

// 40 lowercase hex digits.
std::string sha1_hex(std::string_view data);

}  // namespace basalt::scripting
