// tests/support/http_get.h — a minimal HTTP/1.0 GET against a node's admin API on loopback.
#pragma once

#include <string>

namespace basalt::test {

// The whole response, headers included ("" on failure).
std::string http_get(int port, const std::string& path);

}  // namespace basalt::test
