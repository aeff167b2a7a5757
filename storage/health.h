// storage/health.h — owns the storage engine's health as the node reports it: whether the
// store accepts writes, the error that stopped it, since when, and how many write failures
// and recoveries there have been. It decides nothing about RESP or replication: the write
// pipeline records failures here, the recovery timer asks when to try `DB::Resume()` next,
// and every reporter (INFO, the admin API, the write gate) reads the same state.
#pragma once

#include <cstdint>
#include <string>

namespace basalt::storage {

class StorageHealth {
 public:
  // True while the store accepts writes.
  bool writable() const { return error_.empty(); }
  // The error that stopped writes ("" while writable).
  const std::string& error() const { return error_; }
  uint64_t failing_since_ms() const { return failing_since_ms_; }
  uint64_t write_errors() const { return write_errors_; }
  uint64_t recoveries() const { return recoveries_; }
  uint64_t resume_attempts() const { return resume_attempts_; }

  // A write (or WAL sync) failed with `error` at `now_ms`: writes stop until a recovery.
  void record_failure(const std::string& error, uint64_t now_ms);

  // Whether a recovery attempt is due at `now_ms` (exponential backoff from 100 ms to 5 s
  // between attempts while the store keeps failing).
  bool resume_due(uint64_t now_ms) const;
  // The outcome of one recovery attempt: "" if the store writes again, else why not.
  void record_resume_attempt(const std::string& error, uint64_t now_ms);

 private:
  std::string error_;
  uint64_t failing_since_ms_ = 0;
  uint64_t write_errors_ = 0;
  uint64_t recoveries_ = 0;
  uint64_t resume_attempts_ = 0;
  uint64_t next_resume_ms_ = 0;
  uint64_t backoff_ms_ = 0;
};

}  // namespace basalt::storage
