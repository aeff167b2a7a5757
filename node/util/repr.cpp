// node/util/repr.cpp — see repr.h.
#include "node/util/repr.h"

#include <cctype>
#include <cstdio>

namespace basalt::util {

void append_repr(std::string& out, std::string_view bytes) {
  out += '"';
  for (char ch : bytes) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (std::isprint(static_cast<unsigned char>(ch))) {
          out += ch;
        } else {
          char hex[5];
          std::snprintf(hex, sizeof(hex), "\\x%02x", static_cast<unsigned char>(ch));
          out += hex;
        }
    }
  }
  out += '"';
}

}  // namespace basalt::util
