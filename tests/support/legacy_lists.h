// tests/support/legacy_lists.h — owns the legacy-list fixtures (tests/fixtures/legacy-lists-*):
// data directories written by basalt from before chunked lists, made by
// tests/fixtures/make_legacy_lists.py. It knows what they hold (the same contents the script
// writes and checks; keep the two in step), unpacks one, and puts a node's directory in place
// of a server's data directory before the server starts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/servers.h"
#include "tests/support/temp_dir.h"

namespace basalt::test::legacy_lists {

// The two fixtures: stopped with SHUTDOWN (a master and a replica of it), or the master
// killed with kill -9 right after a few more acknowledged writes.
enum class Fixture { Shutdown, Kill9 };

// The elements above which a legacy list stays legacy on writes (storage/types/list.cpp).
inline constexpr size_t kConvertMaximum = 4096;
// The absolute expiry (ms) of list:ttl in db 0.
inline constexpr long long kTtlAtMs = 4102444800000;

using Key = std::pair<int, std::string>;  // db, key
using Lists = std::map<Key, std::vector<std::string>>;

// Every list the fixture holds, with its elements in order.
Lists expected(Fixture fixture);

// One unpacked fixture: <tmp>/master, <tmp>/replica (Shutdown only), and the master's
// replication id and offset as the old node last reported them (state.txt).
class Unpacked {
 public:
  // Unpacks tests/fixtures/legacy-lists-{shutdown,kill9}.tar.gz (tar -xzf) into a temp dir.
  // Throws std::runtime_error if that fails.
  explicit Unpacked(Fixture fixture);

  const std::string& replid() const { return replid_; }
  long long offset() const { return offset_; }
  // Replaces server's (not yet started) data directory with a copy of the node's: "master"
  // or "replica".
  void install(const std::string& node, const ServerProcess& server) const;

 private:
  TempDir tmp_;
  std::string replid_;
  long long offset_ = -1;
};

}  // namespace basalt::test::legacy_lists
