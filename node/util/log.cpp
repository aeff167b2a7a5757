// node/util/log.cpp — see log.h.
#include "node/util/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace basalt::log {

namespace {
spdlog::level::level_enum to_level(const std::string& level) {
  if (level == "debug") return spdlog::level::debug;
  if (level == "verbose") return spdlog::level::debug;
  if (level == "warning") return spdlog::level::warn;
  return spdlog::level::info;  // notice
}
}  // namespace

bool init(const std::string& file, const std::string& level, std::string& error) {
  try {
    std::shared_ptr<spdlog::logger> logger;
    if (file.empty()) {
      logger = spdlog::stdout_logger_mt("basalt");
    } else {
      logger = spdlog::basic_logger_mt("basalt", file);
    }
    logger->set_pattern("%P:%t %d %b %Y %H:%M:%S.%e %^%l%$ %v");
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
    set_level(level);
  } catch (const std::exception& e) {
    error = std::string("can't open the log file: ") + e.what();
    return false;
  }
  return true;
}

void set_level(const std::string& level) {
  spdlog::set_level(to_level(level));
}

}  // namespace basalt::log
