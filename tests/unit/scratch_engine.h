// tests/unit/scratch_engine.h — a small storage::Engine for unit tests (8 MB block cache, 4 MB
// write buffers) opened on a directory, typically a ScratchDir; a failure to open is a test
// failure with RocksDB's reason, and a null result.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "storage/engine.h"

namespace basalt::unit {

inline std::unique_ptr<storage::Engine> open_scratch_engine(const std::string& dir) {
  storage::EngineOptions options;
  options.dir = dir;
  options.block_cache_bytes = 8 << 20;
  options.write_buffer_bytes = 4 << 20;
  std::string error;
  auto engine = storage::Engine::open(options, error);
  EXPECT_TRUE(engine) << error;
  return engine;
}

}  // namespace basalt::unit
