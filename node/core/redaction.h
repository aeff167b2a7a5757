// node/core/redaction.h — which arguments of a command are secrets that Redis keeps out of
// the slow log and the MONITOR feed (shown as "(redacted)"): AUTH's arguments, HELLO's AUTH
// user and password, the values of CONFIG SET requirepass / masterauth / masteruser / http-token /
// tls-key-file-pass / tls-client-key-file-pass.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace basalt::core {

bool is_secret_argument(std::span<const std::string_view> argv, size_t i);

}  // namespace basalt::core
