// node/commands/server/server.cpp — the server commands: INFO, TIME, LASTSAVE, SAVE, BGSAVE,
// SHUTDOWN and ROLE (CONFIG, DEBUG and COMMAND live in their own files).
#include <sys/time.h>

#include <boost/asio/post.hpp>
#include <string>
#include <vector>

#include "node/commands/command_table.h"
#include "node/commands/families.h"
#include "node/commands/server/info.h"
#include "node/core/node.h"
#include "node/replication/replication.h"
#include "node/util/log.h"

namespace basalt::commands {

namespace {

void info(Context& c) {
  std::vector<std::string_view> sections(c.argv.begin() + 1, c.argv.end());
  c.reply.bulk(build_info(c.node, c.replication, sections));
}

void time_cmd(Context& c) {
  timeval tv;
  gettimeofday(&tv, nullptr);
  c.reply.array(2);
  c.reply.bulk(std::to_string(tv.tv_sec));
  c.reply.bulk(std::to_string(tv.tv_usec));
}

void lastsave(Context& c) {
  c.reply.integer(static_cast<int64_t>(c.node.last_save_unix()));
}

void save(Context& c) {
  if (c.node.bgsave_in_progress()) return c.reply.error("ERR Background save already in progress");
  std::string error;
  if (!c.node.save(error)) return c.reply.error("ERR " + error);
  c.reply.ok();
}

// The flush runs on the blocking pool; its end is reported back on the event loop.
void bgsave(Context& c) {
  bool schedule = false;
  if (c.argc() > 1) {
    if (c.argc() == 2 && iequals(c.arg(1), "SCHEDULE"))
      schedule = true;
    else
      return c.syntax_error();
  }
  core::Node& node = c.node;
  if (node.bgsave_in_progress()) {
    // The running flush covers what "scheduled" would: every write is already in the WAL.
    if (schedule) return c.reply.simple("Background saving scheduled");
    return c.reply.error("ERR Background save already in progress");
  }
  node.set_bgsave_in_progress(true);
  boost::asio::post(node.blocking_pool(), [&node, life = node.lifetime()] {
    rocksdb::Status s = node.engine().flush();
    boost::asio::post(node.io(), [&node, life, ok = s.ok(), why = s.ToString()] {
      if (life.expired()) return;
      node.set_bgsave_in_progress(false);
      if (ok) {
        node.set_last_save_unix(core::unix_time_ms() / 1000);
        log::info("Background saving terminated with success");
      } else {
        log::warn("Background saving failed: {}", why);
      }
    });
  });
  c.reply.simple("Background saving started");
}

void shutdown(Context& c) {
  bool nosave = false, save = false, abort = false, other = false;
  for (size_t i = 1; i < c.argc(); ++i) {
    std::string_view a = c.arg(i);
    if (iequals(a, "NOSAVE"))
      nosave = true;
    else if (iequals(a, "SAVE"))
      save = true;
    else if (iequals(a, "NOW") || iequals(a, "FORCE"))
      other = true;
    else if (iequals(a, "ABORT"))
      abort = true;
    else
      return c.syntax_error();
  }
  if ((abort && (nosave || save || other)) || (nosave && save)) return c.syntax_error();
  // basalt's shutdown never waits for replicas, so there is never one to abort.
  if (abort) return c.reply.error("ERR No shutdown in progress.");
  log::warn("User requested shutdown...");
  // Every write is durable already; the flush (skipped with NOSAVE) only shortens the next
  // start's WAL replay.
  c.client.close_after_reply = true;
  c.node.shutdown(!nosave);
}

void role(Context& c) {
  const auto& repl = c.node.repl();
  const auto& replication = c.replication;
  if (!c.node.is_replica()) {
    c.reply.array(3);
    c.reply.bulk("master");
    c.reply.integer(static_cast<int64_t>(repl.master_repl_offset));
    c.reply.array(replication.master().feeds().size());
    for (const auto* feed : replication.master().feeds()) {
      c.reply.array(3);
      c.reply.bulk(feed->ip);
      c.reply.bulk(std::to_string(feed->listening_port));
      c.reply.bulk(std::to_string(feed->ack_offset));
    }
    return;
  }
  const auto& link = replication.link().info();
  std::string_view state = link.state == "connected"                                 ? "connected"
                           : link.state == "sync"                                    ? "sync"
                           : link.state == "handshake" || link.state == "connecting" ? "connecting"
                                                                                     : "connect";
  c.reply.array(5);
  c.reply.bulk("slave");
  c.reply.bulk(repl.master_host);
  c.reply.integer(repl.master_port);
  c.reply.bulk(state);
  c.reply.integer(link.state == "connected" ? static_cast<int64_t>(repl.master_repl_offset) : -1);
}

}  // namespace

void register_server_commands(Table& t) {
  constexpr std::string_view S = "server";
  t.add(row("info", -1, kLoading | kStale | kSentinel, info)
            .acl(kCatDangerous)
            .doc(S, "Get information and statistics about the server"));
  t.add(
      row("time", 1, kLoading | kStale | kFast, time_cmd).doc(S, "Return the current server time"));
  t.add(row("lastsave", 1, kLoading | kStale | kFast, lastsave)
            .acl(kCatAdmin | kCatDangerous)
            .doc(S, "Get the UNIX time stamp of the last successful save to disk"));
  t.add(
      {"save", 1, kAdmin | kNoScript, save, 0, 0, 0, S, "Synchronously save the dataset to disk"});
  t.add(row("bgsave", -1, kAdmin | kNoScript, bgsave)
            .doc(S, "Asynchronously save the dataset to disk"));
  t.add(row("shutdown", -1, kAdmin | kNoScript | kLoading | kStale | kSentinel, shutdown)
            .doc(S, "Synchronously save the dataset to disk and then shut down the server"));
  t.add(row("role", 1, kNoScript | kLoading | kStale | kFast | kSentinel, role)
            .acl(kCatAdmin | kCatDangerous)
            .doc(S, "Return the role of the instance in the context of replication"));
  register_config_command(t);
  register_debug_command(t);
  register_command_command(t);
  register_latency_and_security_commands(t);
  register_slowlog_command(t);
  register_acl_command(t);
  register_memory_command(t);
  register_monitor_command(t);
}

}  // namespace basalt::commands
