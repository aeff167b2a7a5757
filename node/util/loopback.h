// node/util/loopback.h — whether a listen address stays on this machine (the admin API may
// run without a token only there).
#pragma once

#include <string_view>

namespace basalt::util {

// True for "localhost", 127.0.0.0/8 and ::1 (also as [::1] and ::ffff:127.x.y.z); false for
// anything else, including 0.0.0.0, :: and names that are not "localhost".
bool is_loopback_host(std::string_view host);

}  // namespace basalt::util
