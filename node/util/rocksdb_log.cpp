// node/util/rocksdb_log.cpp — see rocksdb_log.h.
#include "node/util/rocksdb_log.h"

#include <cstdarg>
#include <cstdio>
#include <string>

#include "node/util/log.h"

namespace basalt::log {

namespace {

class SpdlogBridge : public rocksdb::Logger {
 public:
  explicit SpdlogBridge(rocksdb::InfoLogLevel level) : rocksdb::Logger(level) {}

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char buf[1024];
    va_list copy;
    va_copy(copy, ap);
    int n = std::vsnprintf(buf, sizeof buf, format, copy);
    va_end(copy);
    if (n < 0) return;
    std::string line(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
    switch (level) {
      case rocksdb::InfoLogLevel::DEBUG_LEVEL:
        return debug("rocksdb: {}", line);
      case rocksdb::InfoLogLevel::INFO_LEVEL:
      case rocksdb::InfoLogLevel::HEADER_LEVEL:
        return info("rocksdb: {}", line);
      case rocksdb::InfoLogLevel::WARN_LEVEL:
        return warn("rocksdb: {}", line);
      default:
        return error("rocksdb: {}", line);
    }
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> rocksdb_logger(rocksdb::InfoLogLevel level) {
  return std::make_shared<SpdlogBridge>(level);
}

}  // namespace basalt::log
