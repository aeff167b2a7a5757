// storage/health.cpp — see health.h.
#include "storage/health.h"

#include <algorithm>

namespace basalt::storage {

namespace {
constexpr uint64_t kFirstBackoffMs = 100;
constexpr uint64_t kMaxBackoffMs = 5000;
}  // namespace

void StorageHealth::record_failure(const std::string& error, uint64_t now_ms) {
  ++write_errors_;
  if (!error_.empty()) return;  // already failing: keep the first cause and its time
  error_ = error.empty() ? "unknown storage error" : error;
  for (char& c : error_) {
    if (c == '\r' || c == '\n') c = ' ';  // it goes into error replies and INFO lines
  }
  failing_since_ms_ = now_ms;
  backoff_ms_ = kFirstBackoffMs;
  next_resume_ms_ = now_ms + backoff_ms_;
}

bool StorageHealth::resume_due(uint64_t now_ms) const {
  return !error_.empty() && now_ms >= next_resume_ms_;
}

void StorageHealth::record_resume_attempt(const std::string& error, uint64_t now_ms) {
  ++resume_attempts_;
  if (error.empty()) {
    if (!error_.empty()) ++recoveries_;
    error_.clear();
    failing_since_ms_ = 0;
    backoff_ms_ = 0;
    return;
  }
  backoff_ms_ = std::min(kMaxBackoffMs, std::max(kFirstBackoffMs, backoff_ms_ * 2));
  next_resume_ms_ = now_ms + backoff_ms_;
}

}  // namespace basalt::storage
