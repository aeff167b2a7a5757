// node/scripting/shebang.cpp — see shebang.h.
#include "node/scripting/shebang.h"

namespace basalt::scripting {

namespace {
uint32_t flag_named(std::string_view name) {
  if (name == "no-writes") return kNoWrites;
  if (name == "allow-oom") return kAllowOom;
  if (name == "allow-stale") return kAllowStale;
  if (name == "no-cluster") return kNoCluster;
  if (name == "allow-cross-slot-keys") return kAllowCrossSlot;
  return 0;
}
}  // namespace

Shebang parse_shebang(std::string_view body) {
  Shebang out;
  if (!body.starts_with("#!")) return out;
  out.flags = kHasShebang;
  std::string_view line = body.substr(0, body.find('\n'));
  size_t space = line.find(' ');
  std::string_view engine = line.substr(0, space);
  if (engine != "#!lua") {
    out.error = "ERR Unexpected engine in script shebang: " + std::string(engine);
    return out;
  }
  std::string_view rest = space == std::string_view::npos ? "" : line.substr(space + 1);
  while (!rest.empty()) {
    size_t end = rest.find(' ');
    std::string_view part = rest.substr(0, end);
    rest = end == std::string_view::npos ? "" : rest.substr(end + 1);
    if (part.empty()) continue;
    if (!part.starts_with("flags=")) {
      out.error = "ERR Unknown lua shebang option: " + std::string(part);
      return out;
    }
    std::string_view list = part.substr(6);
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view name = list.substr(0, comma);
      list = comma == std::string_view::npos ? "" : list.substr(comma + 1);
      uint32_t flag = flag_named(name);
      if (!flag) {
        out.error = "ERR Unexpected flag in script shebang: " + std::string(name);
        return out;
      }
      out.flags |= flag;
    }
  }
  return out;
}

std::string compilable_body(std::string_view body) {
  std::string out(body);
  if (out.starts_with("#!")) out.replace(0, 2, "--");
  return out;
}

}  // namespace basalt::scripting
