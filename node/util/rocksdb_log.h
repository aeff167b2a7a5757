// node/util/rocksdb_log.h — owns the bridge from RocksDB's info log to basalt's one logger.
// RocksDB's own LOG file lives in the data directory: on a full disk its writer fails, and
// Debian's RocksDB 7.8 (built with assertions) aborts on the next line it logs. Routing
// RocksDB's messages through spdlog keeps them in basalt's log and off the data disk.
#pragma once

#include <rocksdb/env.h>

#include <memory>

namespace basalt::log {

// A RocksDB logger that writes through basalt's logger at `level` and above.
std::shared_ptr<rocksdb::Logger> rocksdb_logger(rocksdb::InfoLogLevel level);

}  // namespace basalt::log
