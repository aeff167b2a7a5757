// node/util/log.h — the one logger (spdlog), with Redis's level names.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace basalt::log {

// Sets up the process logger: `file` empty means standard output.
bool init(const std::string& file, const std::string& level, std::string& error);
void set_level(const std::string& level);

template <typename... Args>
void debug(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::debug(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void info(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::info(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void warn(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::warn(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void error(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::error(fmt, std::forward<Args>(args)...);
}

}  // namespace basalt::log
