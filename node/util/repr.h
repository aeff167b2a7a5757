// node/util/repr.h — Redis's sdscatrepr: a byte string as a double-quoted literal with
// \\ \" \n \r \t \a \b escapes and \xHH for other non-printable bytes. MONITOR lines and
// CONFIG REWRITE values use it (the inline-command parser reads the same escapes back).
#pragma once

#include <string>
#include <string_view>

namespace basalt::util {

void append_repr(std::string& out, std::string_view bytes);

}  // namespace basalt::util
