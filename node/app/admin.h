// node/app/admin.h — the narrow interface through which the HTTP admin API reads and steers
// the node (it never touches RocksDB or the command table directly).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace basalt::app {

class NodeApp;

// What /health reports: cheap (no disk walk), so it can be polled often.
struct AdminHealth {
  bool stopping = false;  // SHUTDOWN is under way
  // The store: "ok" or "failing" (writes refused), the error, since when (unix ms).
  std::string storage_status;
  std::string storage_error;
  uint64_t storage_failing_since_ms = 0;
};

struct AdminStatus : AdminHealth {
  std::string role;
  std::string replid;
  std::string replid2;
  uint64_t master_repl_offset = 0;
  std::string master_link_status;      // replicas: "up" or "down"; empty on a master
  std::string sync_refused_reason;     // replicas: why the master is refused (empty: it is not)
  std::string master_link_last_error;  // replicas: why the link last went down ("" if never)
  uint64_t stream_apply_failures = 0;  // replicas: times applying the stream stopped
  std::string divergent_writes_file;   // the last file divergent writes were kept in
  uint64_t connected_clients = 0;
  std::vector<uint64_t> keys_per_db;
  uint64_t uptime_seconds = 0;
  uint64_t total_commands_processed = 0;
  uint64_t write_groups = 0;
  uint64_t expired_keys = 0;
  uint64_t block_cache_bytes = 0;
  uint64_t memtable_bytes = 0;
  uint64_t disk_bytes = 0;
};

AdminHealth admin_health(NodeApp& app);
AdminStatus admin_status(NodeApp& app);
// Where the admin API listens (http-bind, http-port) and the event loop it runs on.
struct AdminEndpoint {
  std::string bind;
  int port = 0;
};
AdminEndpoint admin_endpoint(NodeApp& app);
boost::asio::io_context& admin_io(NodeApp& app);
// Same text as the INFO command (all default sections).
std::string admin_info(NodeApp& app, const std::string& section);

}  // namespace basalt::app
