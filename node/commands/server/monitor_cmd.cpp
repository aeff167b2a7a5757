// node/commands/server/monitor_cmd.cpp — MONITOR: the connection then receives a line for every
// command the node runs (node/core/monitors.h) until it closes or sends RESET.
#include "node/commands/command_table.h"
#include "node/commands/families.h"
#include "node/core/node.h"

namespace basalt::commands {

namespace {

void monitor(Context& c) {
  // As Redis: a replica link cannot, and a monitor asking again gets no reply at all.
  if (c.client.is_replica || c.client.is_master_link || c.client.is_monitor) return;
  c.node.monitors().add(c.client);
  c.reply.ok();
}

}  // namespace

void register_monitor_command(Table& t) {
  t.add(row("monitor", 1, kAdmin | kNoScript | kLoading | kStale, monitor)
            .doc("server", "Listen for all requests received by the server in real time"));
}

}  // namespace basalt::commands
