// node/core/heavy_read.cpp — see heavy_read.h.
#include "node/core/heavy_read.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unordered_map>

#include "node/core/acl_categories.h"
#include "node/core/command_runner.h"
#include "node/core/heavy_job.h"
#include "node/core/node.h"
#include "node/protocol/numbers.h"
#include "node/protocol/reply.h"
#include "node/util/ascii.h"
#include "storage/collection.h"
#include "storage/types/collection.h"

namespace basalt::core {

namespace asio = boost::asio;

namespace {

// How a command's cost is estimated.
enum class Cost {
  Whole,       // every element of every key (HGETALL, SMEMBERS, SINTER, ZUNION, LPOS, ...)
  ListRange,   // LRANGE key start stop: the range's length
  RankRange,   // ZRANGE / ZREVRANGE by rank: the walk to the start, then the range
  ScoreRange,  // ZRANGEBYSCORE and friends: the collection, or what LIMIT asks for
  Random,      // SRANDMEMBER / HRANDFIELD / ZRANDMEMBER: the collection, or the picks
  Keys,        // KEYS: the db's keys
};

const std::unordered_map<std::string_view, Cost>& costs() {
  static const std::unordered_map<std::string_view, Cost> table = {
      {"hgetall", Cost::Whole},
      {"hkeys", Cost::Whole},
      {"hvals", Cost::Whole},
      {"smembers", Cost::Whole},
      {"sinter", Cost::Whole},
      {"sunion", Cost::Whole},
      {"sdiff", Cost::Whole},
      {"sintercard", Cost::Whole},
      {"zunion", Cost::Whole},
      {"zinter", Cost::Whole},
      {"zdiff", Cost::Whole},
      {"zintercard", Cost::Whole},
      {"lpos", Cost::Whole},
      {"lrange", Cost::ListRange},
      {"zrange", Cost::RankRange},
      {"zrevrange", Cost::RankRange},
      {"zrangebyscore", Cost::ScoreRange},
      {"zrevrangebyscore", Cost::ScoreRange},
      {"zrangebylex", Cost::ScoreRange},
      {"zrevrangebylex", Cost::ScoreRange},
      {"srandmember", Cost::Random},
      {"hrandfield", Cost::Random},
      {"zrandmember", Cost::Random},
      {"keys", Cost::Keys},
  };
  return table;
}

// The members of the collection at `key` (a string counts 1, a missing key 0).
uint64_t size_of(KeyspaceShared& shared, uint64_t now_ms, uint16_t db, std::string_view key) {
  Keyspace view(shared, now_ms);
  Lookup l;
  view.lookup(db, key, l);
  if (!l.live) return 0;
  storage::CollectionMeta meta;
  if (l.record.type != storage::ValueType::String &&
      storage::CollectionMeta::decode(l.record.payload, meta))
    return meta.size;
  return 1;
}

// Redis's index range [start, stop] over `n` elements, normalized: false if it is empty or
// the bounds are not integers (the handler then answers).
bool index_range(std::string_view start_arg, std::string_view stop_arg, uint64_t n, uint64_t& start,
                 uint64_t& stop) {
  int64_t a = 0, b = 0;
  if (n == 0 || !protocol::parse_i64(start_arg, a) || !protocol::parse_i64(stop_arg, b))
    return false;
  const auto size = static_cast<int64_t>(n);
  if (a < 0) a = std::max<int64_t>(a + size, 0);
  if (b < 0) b += size;
  if (b >= size) b = size - 1;
  if (a > b) return false;
  start = static_cast<uint64_t>(a);
  stop = static_cast<uint64_t>(b);
  return true;
}

uint64_t score_range_cost(std::span<const std::string_view> argv, size_t options_from, uint64_t n) {
  for (size_t i = options_from; i + 2 < argv.size(); ++i) {
    int64_t offset = 0, count = 0;
    if (util::iequals(argv[i], "limit") && protocol::parse_i64(argv[i + 1], offset) &&
        protocol::parse_i64(argv[i + 2], count) && offset >= 0 && count >= 0)
      return std::min(n, static_cast<uint64_t>(offset) + static_cast<uint64_t>(count));
  }
  return n;
}

}  // namespace

bool has_read_cost(std::string_view name) {
  return costs().contains(name);
}

uint64_t read_cost(KeyspaceShared& shared, uint64_t now_ms, uint16_t db, const CommandSpec& spec,
                   std::span<const std::string_view> argv) {
  auto found = costs().find(spec.name);
  if (found == costs().end()) return 0;
  if (found->second == Cost::Keys) return db < shared.key_counts.size() ? shared.key_counts[db] : 0;
  if (found->second == Cost::Whole) return input_elements(shared, now_ms, db, spec, argv);
  if (argv.size() < 2) return 0;
  const uint64_t n = size_of(shared, now_ms, db, argv[1]);
  switch (found->second) {
    case Cost::ListRange:
    case Cost::RankRange: {
      if (argv.size() < 4) return 0;
      if (found->second == Cost::RankRange && spec.name == "zrange") {
        for (size_t i = 4; i < argv.size(); ++i) {
          if (util::iequals(argv[i], "byscore") || util::iequals(argv[i], "bylex"))
            return score_range_cost(argv, 4, n);
        }
      }
      uint64_t start = 0, stop = 0;
      if (!index_range(argv[2], argv[3], n, start, stop)) return 0;
      uint64_t cost = stop - start + 1;
      // A sorted set walks to its first rank from the nearer end.
      if (found->second == Cost::RankRange) cost += std::min(start, n - start);
      return cost;
    }
    case Cost::ScoreRange:
      return score_range_cost(argv, 4, n);
    case Cost::Random: {
      // Picks: one without a count, else as many as asked (a negative count: with repeats,
      // capped). A few picks from a large collection are a few seeks each
      // (storage/types/seek_sampler.h); otherwise the collection is walked once, and picks
      // with repeats cost as many as they are, however small the collection.
      int64_t count = 1;
      if (argv.size() >= 3 && !protocol::parse_i64(argv[2], count)) return 0;
      if (n == 0) return 0;
      bool repeats = count < 0;
      uint64_t picks = !repeats             ? static_cast<uint64_t>(count)
                       : count == INT64_MIN ? storage::types::kMaxRandomPicks
                                            : std::min(static_cast<uint64_t>(-count),
                                                       storage::types::kMaxRandomPicks);
      if (n >= storage::types::kSeekPickMinimum && picks <= n / storage::types::kSeekPickShare)
        return picks;
      return repeats ? std::max(n, picks) : n;
    }
    default:
      return 0;
  }
}

bool heavy_read_candidate(Node& node, const Client& client, const CommandSpec* spec,
                          std::span<const std::string_view> argv) {
  if (!spec || !spec->has(kMayBeHeavyRead) || spec->needs_write_group() || client.in_multi ||
      client.is_master_link)
    return false;
  const auto threshold = node.config().heavy_command_threshold;
  if (threshold <= 0 || argv.empty()) return false;
  // The arity gate runs later (read_cost reads only the arguments that are there).
  return read_cost(node.keyspace(), unix_time_ms(), client.db, *spec, argv) >=
         static_cast<uint64_t>(threshold);
}

asio::awaitable<void> run_heavy_read(Node& node, Client& client, const CommandSpec* spec,
                                     std::span<const std::string_view> argv, std::string& out) {
  // A replica switching to a fully synced dataset closes the gate: the read waits for the
  // switch to end (other clients' reads go on), then runs off the loop on the new dataset.
  co_await node.heavy_reads().wait_open();
  auto& runner = node.command_runner();
  auto& shared = node.keyspace();
  const uint64_t now = unix_time_ms();
  const size_t reply_start = out.size();
  protocol::ReplyBuilder reply(out);
  {
    Keyspace gates(shared, now);
    if (!runner.admit(client, gates, reply, spec, argv)) {
      runner.account(client, reply, reply_start, spec, argv, false, 0);
      co_return;
    }
  }
  ++node.stats().heavy_reads;
  node.heavy_reads().enter();  // left below, on the loop (never, if the node stops first)
  // The private view: the committed counts as they are now, nothing else of the node's (no
  // record cache, no access times, no expiry hook; hits and misses are counted here).
  KeyspaceShared own;
  own.engine = shared.engine;
  own.key_counts = shared.key_counts;
  own.expire_counts = shared.expire_counts;
  own.dataset_bytes = shared.dataset_bytes;
  own.active_expiry = shared.active_expiry;
  own.expire_cycle = shared.expire_cycle;
  rocksdb::DB* db = shared.engine->db();
  // The read's point in the history: the published state (while a write is in flight, the
  // store may hold more), pinned for as long as the read runs.
  std::shared_ptr<const rocksdb::Snapshot> pinned = shared.published_snapshot;
  const rocksdb::Snapshot* snapshot = pinned ? pinned.get() : db->GetSnapshot();
  Keyspace view(own, now);
  view.set_snapshot(snapshot);
  view.set_off_loop(true);
  std::string body;
  uint64_t read_errors = 0, usec = 0;
  co_await asio::co_spawn(
      node.blocking_pool(),
      [&]() -> asio::awaitable<void> {
        // Released here, on the pool: at shutdown the node joins the pool before it closes
        // the store, and this coroutine's caller may never resume.
        struct Release {
          rocksdb::DB* db;
          const rocksdb::Snapshot* snapshot;
          std::shared_ptr<const rocksdb::Snapshot> pinned;
          ~Release() {
            if (!pinned) db->ReleaseSnapshot(snapshot);
          }
        } release{db, snapshot, std::move(pinned)};
        protocol::ReplyBuilder job_reply(body);
        usec = runner.invoke(client, view, job_reply, *spec, argv, read_errors);
        co_return;
      },
      asio::use_awaitable);
  // Back on the loop: publish what the read did.
  node.heavy_reads().leave();
  node.stats().storage_read_errors += read_errors;
  shared.keyspace_hits += own.keyspace_hits;
  shared.keyspace_misses += own.keyspace_misses;
  out.append(body);
  // Its keys were used now (LRU / LFU access times), and an expired one it met is deleted as
  // a read on the loop would have it (a few keys per read).
  Keyspace loop_view(shared, unix_time_ms());
  for (size_t index : acl::key_indexes(*spec, argv)) {
    Lookup l;
    loop_view.open_key(client.db, argv[index], storage::types::Access::Write, l);
  }
  runner.account(client, reply, reply_start, spec, argv, true, usec);
}

}  // namespace basalt::core
