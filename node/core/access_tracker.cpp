// node/core/access_tracker.cpp — see access_tracker.h.
#include "node/core/access_tracker.h"

#include <random>

namespace basalt::core {

namespace {
double uniform01() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}
}  // namespace

void AccessTracker::set_mode(Mode mode, uint64_t now_ms) {
  if (mode == mode_) return;
  mode_ = mode;
  since_ms_ = now_ms;
  clear();
}

void AccessTracker::clear() {
  current_.clear();
  previous_.clear();
}

const AccessTracker::Entry* AccessTracker::find(std::string_view encoded) const {
  if (auto it = current_.find(encoded); it != current_.end()) return &it->second;
  if (auto it = previous_.find(encoded); it != previous_.end()) return &it->second;
  return nullptr;
}

uint8_t AccessTracker::decayed(const Entry& e, uint64_t now_ms) const {
  if (decay_minutes_ <= 0 || now_ms <= e.last_ms) return e.counter;
  uint64_t periods = (now_ms - e.last_ms) / 60000 / static_cast<uint64_t>(decay_minutes_);
  return periods >= e.counter ? 0 : static_cast<uint8_t>(e.counter - periods);
}

void AccessTracker::touch(std::string_view encoded, uint64_t now_ms) {
  if (mode_ == Mode::Off) return;
  auto it = current_.find(encoded);
  if (it == current_.end()) {
    Entry e;
    if (auto old = previous_.find(encoded); old != previous_.end()) {
      e = old->second;
      previous_.erase(old);
    } else {
      e.counter = kLfuInitial;
      e.last_ms = now_ms;
    }
    if (current_.size() >= capacity_) {
      previous_ = std::move(current_);
      current_ = Map();
    }
    it = current_.emplace(std::string(encoded), e).first;
  }
  Entry& e = it->second;
  e.tick = ++clock_;
  if (mode_ == Mode::Lru) {
    e.last_ms = now_ms;
    return;
  }
  // LFU (Redis's LFUDecrAndReturn then LFULogIncr).
  uint8_t counter = decayed(e, now_ms);
  if (counter < 255) {
    double base = counter > kLfuInitial ? counter - kLfuInitial : 0;
    if (uniform01() < 1.0 / (base * log_factor_ + 1)) ++counter;
  }
  e.counter = counter;
  e.last_ms = now_ms;
}

void AccessTracker::forget(std::string_view encoded) {
  if (mode_ == Mode::Off) return;
  if (auto it = current_.find(encoded); it != current_.end()) current_.erase(it);
  if (auto it = previous_.find(encoded); it != previous_.end()) previous_.erase(it);
}

uint64_t AccessTracker::idle_ms(std::string_view encoded, uint64_t now_ms, bool* unknown) const {
  const Entry* e = find(encoded);
  if (unknown) *unknown = e == nullptr;
  uint64_t since = e ? e->last_ms : since_ms_;
  return now_ms > since ? now_ms - since : 0;
}

uint64_t AccessTracker::touches_since(std::string_view encoded) const {
  const Entry* e = find(encoded);
  return e ? clock_ - e->tick : UINT64_MAX;
}

uint8_t AccessTracker::frequency(std::string_view encoded, uint64_t now_ms) const {
  const Entry* e = find(encoded);
  return e ? decayed(*e, now_ms) : 0;
}

}  // namespace basalt::core
