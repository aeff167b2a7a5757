// node/commands/server/slowlog_cmd.cpp — SLOWLOG GET [count] / LEN / RESET / HELP over the node's
// slow log (node/core/slowlog.h), with Redis 7.0's reply shapes.
#include <algorithm>
#include <cstdint>

#include "node/commands/command_table.h"
#include "node/commands/families.h"
#include "node/commands/subcommand.h"
#include "node/core/node.h"
#include "node/protocol/numbers.h"

namespace basalt::commands {

namespace {

// Each entry: id, unix time, microseconds, the arguments, the client's address and name.
void slowlog_get(Context& c) {
  const auto& entries = c.node.slowlog().entries();
  size_t count = 10;
  if (c.argc() == 3) {
    int64_t n;
    if (!protocol::parse_i64(c.arg(2), n) || n < -1)
      return c.reply.error("ERR count should be greater than or equal to -1");
    count = n == -1 ? entries.size() : static_cast<size_t>(n);
  }
  count = std::min(count, entries.size());
  c.reply.array(count);
  for (size_t i = 0; i < count; ++i) {
    const auto& e = entries[i];
    c.reply.array(6);
    c.reply.integer(static_cast<int64_t>(e.id));
    c.reply.integer(e.unix_time_s);
    c.reply.integer(static_cast<int64_t>(e.duration_us));
    c.reply.array(e.args.size());
    for (const auto& a : e.args) c.reply.bulk(a);
    c.reply.bulk(e.client_addr);
    c.reply.bulk(e.client_name);
  }
}

void slowlog_len(Context& c) {
  c.reply.integer(static_cast<int64_t>(c.node.slowlog().entries().size()));
}

void slowlog_reset(Context& c) {
  c.node.slowlog().reset();
  c.reply.ok();
}

void slowlog_help(Context& c) {
  reply_help(c, {
                    "GET [<count>]",
                    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                    "    Entries are made of:",
                    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                    "    client name",
                    "LEN",
                    "    Return the length of the slowlog.",
                    "RESET",
                    "    Reset the slowlog.",
                });
}

constexpr std::string_view kServer = "server";

const Spec kSlowlogSubcommands[] = {
    row("slowlog|get", -2, kAdmin | kLoading | kStale, slowlog_get)
        .doc(kServer, "Get the slow log's entries"),
    row("slowlog|len", 2, kAdmin | kLoading | kStale, slowlog_len)
        .doc(kServer, "Get the slow log's length"),
    row("slowlog|reset", 2, kAdmin | kLoading | kStale, slowlog_reset)
        .doc(kServer, "Clear all entries from the slow log"),
    row("slowlog|help", 2, kLoading | kStale, slowlog_help)
        .doc(kServer, "Show helpful text about the different subcommands"),
};

}  // namespace

void register_slowlog_command(Table& t) {
  t.add(row("slowlog", -2, kAdmin | kLoading | kStale, run_subcommand)
            .doc(kServer, "A container for slow log commands")
            .subcommands(kSlowlogSubcommands));
}

}  // namespace basalt::commands
