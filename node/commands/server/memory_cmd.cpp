// node/commands/server/memory_cmd.cpp — MEMORY USAGE / HELP. USAGE answers the bytes basalt stores for
// a key in RocksDB (its record, and its elements' entries for a collection), sampled like
// Redis's: SAMPLES n elements (default 5, 0 = all) averaged and multiplied by the element count.
// The other MEMORY subcommands describe Redis's allocator and are refused as unknown.
#include <cstdint>
#include <string>

#include "node/commands/command_table.h"
#include "node/commands/families.h"
#include "node/commands/subcommand.h"
#include "node/protocol/numbers.h"
#include "storage/codec.h"
#include "storage/collection.h"
#include "storage/types/collection.h"

namespace basalt::commands {

namespace {

void memory_usage(Context& c) {
  int64_t samples = 5;
  for (size_t i = 3; i < c.argc(); ++i) {
    if (iequals(c.arg(i), "samples") && i + 1 < c.argc()) {
      if (!protocol::parse_i64(c.arg(i + 1), samples)) return c.not_integer();
      if (samples < 0) return c.syntax_error();
      ++i;
    } else {
      return c.syntax_error();
    }
  }
  core::Lookup l;
  c.ks.lookup(c.db(), c.arg(2), l);
  if (!l.live) return c.reply.null_bulk();
  std::string data_key;
  storage::encode_data_key(data_key, c.db(), c.arg(2));
  uint64_t bytes = data_key.size() + l.raw.size();
  storage::CollectionMeta meta;
  if (l.record.type != storage::ValueType::String &&
      storage::CollectionMeta::decode(l.record.payload, meta) && meta.size > 0) {
    std::string prefix;
    storage::encode_sub_prefix(prefix, c.db(), c.arg(2), meta.version);
    uint64_t seen = 0, seen_bytes = 0;
    storage::types::for_each_element(c.ks, c.db(), c.arg(2), meta.version,
                                     [&](std::string_view part, std::string_view v) {
                                       seen_bytes += prefix.size() + part.size() + v.size();
                                       ++seen;
                                       return samples == 0 || seen < static_cast<uint64_t>(samples);
                                     });
    // Sorted sets keep two entries per member (by member, by score): count both.
    uint64_t entries = l.record.type == storage::ValueType::ZSet ? 2 * meta.size : meta.size;
    if (seen > 0) bytes += seen_bytes * entries / seen;
  }
  c.reply.integer(static_cast<int64_t>(bytes));
}

void memory_help(Context& c) {
  reply_help(c, {
                    "USAGE <key> [SAMPLES <count>]",
                    "    Return memory in bytes used by <key> and its value. Nested values are",
                    "    sampled up to <count> times (default: 5, 0 means sample all).",
                });
}

const Spec kMemorySubcommands[] = {
    row("memory|usage", -3, kReadOnly, memory_usage)
        .keys(2, 2, 1)
        .doc("server", "Estimate the memory usage of a key"),
    row("memory|help", 2, kLoading | kStale, memory_help)
        .doc("server", "Show helpful text about the different subcommands"),
};

}  // namespace

void register_memory_command(Table& t) {
  t.add(row("memory", -2, kReadOnly, run_subcommand)
            .doc("server", "A container for memory diagnostics commands")
            .subcommands(kMemorySubcommands));
}

}  // namespace basalt::commands
