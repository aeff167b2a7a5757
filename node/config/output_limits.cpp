// node/config/output_limits.cpp — see output_limits.h.
#include "node/config/output_limits.h"

#include <sstream>
#include <vector>

#include "node/config/config.h"

namespace basalt::config {

bool parse_output_limits(std::string_view value, OutputLimits& limits, std::string& error) {
  std::istringstream in{std::string(value)};
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.empty() || words.size() % 4 != 0) {
    error = "Wrong number of arguments in buffer limit configuration.";
    return false;
  }
  OutputLimits next = limits;
  for (size_t i = 0; i < words.size(); i += 4) {
    std::string cls = words[i];
    for (char& ch : cls) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    OutputLimit* target = cls == "normal"                      ? &next.normal
                          : cls == "replica" || cls == "slave" ? &next.replica
                          : cls == "pubsub"                    ? &next.pubsub
                                                               : nullptr;
    if (!target) {
      error = "Invalid client class specified in buffer limit configuration.";
      return false;
    }
    int64_t hard = 0, soft = 0, seconds = 0;
    if (!parse_memory(words[i + 1], hard) || !parse_memory(words[i + 2], soft) ||
        !parse_memory(words[i + 3], seconds) || hard < 0 || soft < 0 || seconds < 0) {
      error = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
      return false;
    }
    *target = {static_cast<uint64_t>(hard), static_cast<uint64_t>(soft),
               static_cast<uint64_t>(seconds)};
  }
  limits = next;
  return true;
}

std::string format_output_limits(const OutputLimits& limits) {
  auto one = [](const char* name, const OutputLimit& l) {
    return std::string(name) + " " + std::to_string(l.hard) + " " + std::to_string(l.soft) + " " +
           std::to_string(l.soft_seconds);
  };
  return one("normal", limits.normal) + " " + one("slave", limits.replica) + " " +
         one("pubsub", limits.pubsub);
}

}  // namespace basalt::config
