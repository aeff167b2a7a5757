// node/server/connection.cpp — see connection.h.
#include "node/server/connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <vector>

#include "node/core/command_batch.h"
#include "node/core/command_runner.h"
#include "node/core/heavy_read.h"
#include "node/core/node.h"
#include "node/core/output_limits.h"
#include "node/core/write_pipeline.h"
#include "node/protocol/resp_reader.h"
#include "node/util/ascii.h"
#include "node/util/log.h"

namespace basalt::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr size_t kReadChunk = 16 * 1024;

std::string endpoint_text(const tcp::endpoint& e) {
  return e.address().to_string() + ":" + std::to_string(e.port());
}

// Removes the client from the node when the coroutine ends, unless the node is gone.
struct ClientGuard {
  std::weak_ptr<int> lifetime;
  core::Node* node;
  uint64_t id;
  ~ClientGuard() {
    if (!lifetime.expired()) node->remove_client(id);
  }
};

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// tcp-keepalive as Redis's anetKeepAlive: probes after `interval` s idle, every interval/3 s,
// the peer is dead after 3 unanswered ones.
void set_keepalive(tcp::socket& socket, int interval) {
  int fd = socket.native_handle();
  int yes = 1, idle = interval, probe_every = std::max(interval / 3, 1), probes = 3;
  if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof(yes)) != 0 ||
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) != 0 ||
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &probe_every, sizeof(probe_every)) != 0 ||
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof(probes)) != 0)
    log::warn("tcp-keepalive: setsockopt failed: {}", std::strerror(errno));
}

// Sends what others put in the client's outbox (Pub/Sub messages) whenever woken, unless the
// reader is writing its replies (then the reader wakes us when it is done). Never ends by
// itself: when a write fails it closes the socket, so the reader ends and cancels us.
asio::awaitable<void> push_loop(core::Client& client, util::Stream& stream,
                                asio::steady_timer& wake, core::Stats& stats) {
  std::string sending;
  for (;;) {
    auto cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none) co_return;
    while (!client.outbox.empty() && !client.writing) {
      sending.swap(client.outbox);
      client.outbox.clear();
      client.writing = true;
      client.output_in_flight = sending.size();
      auto [wec, written] = co_await asio::async_write(stream, asio::buffer(sending), kNoThrow);
      client.writing = false;
      client.output_in_flight = 0;
      stats.total_net_output_bytes += written;
      sending.clear();
      if (wec) {
        client.outbox.clear();
        if (client.kill) client.kill();
        break;
      }
    }
    co_await wake.async_wait(kNoThrow);
  }
}

// Waits until the running script ends or busy-reply-threshold has passed since it started.
asio::awaitable<void> wait_out_script(core::Node& node) {
  auto& busy = node.script_busy();
  auto executor = co_await asio::this_coro::executor;
  const auto deadline =
      busy.since() + std::chrono::milliseconds(node.config().busy_reply_threshold);
  while (busy.running() && core::ScriptBusy::Clock::now() < deadline)
    co_await busy.wait(executor, deadline);
}

// What Redis 7.0 still runs while a script is busy (its allow-busy commands, kept to the few
// a client needs): SCRIPT KILL, FUNCTION KILL | STATS, SHUTDOWN NOSAVE, AUTH, HELLO.
bool allowed_while_busy(std::span<const std::string_view> argv) {
  if (argv.empty()) return false;
  if (util::iequals(argv[0], "auth") || util::iequals(argv[0], "hello")) return true;
  if (util::iequals(argv[0], "script")) return argv.size() == 2 && util::iequals(argv[1], "kill");
  if (util::iequals(argv[0], "function"))
    return argv.size() == 2 && (util::iequals(argv[1], "kill") || util::iequals(argv[1], "stats"));
  if (util::iequals(argv[0], "shutdown")) {
    for (size_t i = 1; i < argv.size(); ++i)
      if (util::iequals(argv[i], "nosave")) return true;
  }
  return false;
}

// Past busy-reply-threshold: the allowed commands run (they never write), the others are
// answered -BUSY, none goes through the write pipeline.
void answer_while_busy(core::Node& node, core::Client& client, const core::CommandBatch& batch,
                       size_t first, size_t last, std::string& out) {
  core::Keyspace ks(node.keyspace(), core::unix_time_ms());
  protocol::ReplyBuilder reply(out);
  for (size_t k = first; k < last && !client.close_after_reply; ++k) {
    if (allowed_while_busy(batch.command(k))) {
      node.command_runner().run(client, ks, reply, batch.spec(k), batch.command(k));
    } else {
      const std::string_view kBusy =
          node.script_busy().function()
              ? "BUSY Redis is busy running a script. You can only call FUNCTION KILL or "
                "SHUTDOWN NOSAVE."
              : "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
                "NOSAVE.";
      ++node.stats().total_commands_processed;
      node.stats().count_error(kBusy);
      reply.error(kBusy);
    }
  }
}

asio::awaitable<void> read_loop(core::Node& node, core::Client& client, util::Stream& stream) {
  protocol::RespReader reader(kReadChunk);
  std::string out;
  core::CommandBatch batch;
  auto& stats = node.stats();
  auto& runner = node.command_runner();

  bool parse_buffered = false;  // complete commands may wait in the buffer: parse before reading
  while (!client.close_after_reply) {
    if (!parse_buffered) {
      // The unconsumed bytes are one unfinished command: past the limit, the client goes.
      if (reader.pending() > static_cast<size_t>(node.config().client_query_buffer_limit)) {
        log::warn("closing client {}: query buffer over client-query-buffer-limit", client.addr);
        break;
      }
      reader.make_room();
      auto space = reader.space();
      auto [rec, n] =
          co_await stream.async_read_some(asio::buffer(space.data(), space.size()), kNoThrow);
      if (rec || n == 0) break;
      reader.commit(n);
      stats.total_net_input_bytes += n;
      client.last_interaction_ms = core::unix_time_ms();
    }
    parse_buffered = false;

    protocol::ParserLimits limits;
    limits.max_bulk_len = static_cast<size_t>(node.config().proto_max_bulk_len);
    limits.unauthenticated = !client.authenticated;
    reader.set_limits(limits);
    batch.clear();
    bool protocol_error = false;
    for (;;) {
      auto result = reader.next();
      if (result == protocol::RespReader::Result::Incomplete) break;
      if (result == protocol::RespReader::Result::Error) {
        protocol_error = true;
        break;
      }
      auto args = reader.args();
      if (!args.empty()) {
        batch.args.insert(batch.args.end(), args.begin(), args.end());
        // The row is looked up here, once: every later step reads it.
        batch.add_command(static_cast<uint32_t>(args.size()), runner.find(args[0]));
      }
      // Until it authenticates, a client's commands run one at a time (as in Redis), so an
      // AUTH lifts the unauthenticated limits for the commands pipelined after it.
      if (limits.unauthenticated && !batch.commands.empty()) {
        parse_buffered = reader.pending() > 0;
        break;
      }
    }
    client.query_buffer_bytes = reader.pending();

    // Run the commands in segments: a command that may wait (WAIT, PSYNC) ends one, and
    // its wait completes before the next command runs, so replies stay in order. A heavy
    // read (node/core/heavy_read.h) is a segment of its own, run off the event loop.
    for (size_t i = 0; i < batch.size() && !client.close_after_reply;) {
      size_t j = i;
      bool segment_writes = false;
      bool heavy_read = false;
      while (j < batch.size()) {
        const core::CommandSpec* spec = batch.spec(j);
        if (spec && spec->has(core::kMayBeHeavyRead) &&
            core::heavy_read_candidate(node, client, spec, batch.command(j))) {
          // Decided again when its turn comes (the commands before it may change the answer).
          heavy_read = j == i;
          if (heavy_read) ++j;
          break;
        }
        ++j;
        if (!spec) continue;
        if (spec->needs_write_group()) segment_writes = true;
        if (spec->has(core::kMayBlock)) break;
      }
      // A script runs (on its thread, inside a write group): atomicity holds these commands
      // until it ends; past busy-reply-threshold they are answered -BUSY instead.
      if (node.script_busy().running()) co_await wait_out_script(node);
      if (node.script_busy().running()) {
        answer_while_busy(node, client, batch, i, j, out);
        i = j;
        continue;
      }
      if (heavy_read) {
        co_await core::run_heavy_read(node, client, batch.spec(i), batch.command(i), out);
      } else if (segment_writes) {
        co_await node.pipeline().execute(client, batch, out, i, j);
      } else {
        core::Keyspace ks(node.keyspace(), core::unix_time_ms());
        protocol::ReplyBuilder reply(out);
        for (size_t k = i; k < j && !client.close_after_reply; ++k)
          runner.run(client, ks, reply, batch.spec(k), batch.command(k));
      }
      if (client.pending_block) {
        auto wait = std::move(client.pending_block);
        client.pending_block = nullptr;
        co_await wait(out);
      }
      if (client.take_connection) break;
      i = j;
    }
    if (protocol_error) {
      protocol::ReplyBuilder(out).error("ERR " + reader.error());
      log::info("protocol error from client {}: {}", client.addr, reader.error());
      client.close_after_reply = true;
    }
    if (client.take_connection) {
      // From here on the connection belongs to whoever took it (PSYNC: a replica's feed).
      if (!out.empty()) {
        auto [wec, written] = co_await asio::async_write(stream, asio::buffer(out), kNoThrow);
        if (wec) break;
        out.clear();
      }
      auto take = std::move(client.take_connection);
      client.take_connection = nullptr;
      co_await take(stream);
      break;
    }
    if (!out.empty()) {
      // Replies count against the client's output limit with what is already unsent.
      core::OutputLimitCheck check{node.config().client_output_buffer_limit, core::unix_time_ms(),
                                   stats.client_output_buffer_limit_disconnections};
      if (check.over(client, core::unsent_output(client, out.size()))) break;
    }
    if (!out.empty() && client.writing) {
      // The pusher is sending messages: our replies follow them.
      client.outbox += out;
      out.clear();
      if (client.wake_writer) client.wake_writer();
    }
    if (!out.empty()) {
      client.output_buffer_bytes = out.size();
      client.writing = true;
      client.output_in_flight = out.size();
      auto [wec, written] = co_await asio::async_write(stream, asio::buffer(out), kNoThrow);
      client.output_in_flight = 0;
      client.writing = false;
      stats.total_net_output_bytes += written;
      client.output_buffer_bytes = 0;
      if (!client.outbox.empty() && client.wake_writer) client.wake_writer();
      if (wec) break;
      if (out.capacity() > 1024 * 1024) {
        std::string().swap(out);  // don't keep a huge reply's buffer around
      } else {
        out.clear();
      }
    }
  }
}
}  // namespace

asio::awaitable<void> serve_connection(core::Node& node, util::Stream stream) {
  using namespace asio::experimental::awaitable_operators;
  core::Client& client = node.add_client();
  ClientGuard guard{node.lifetime(), &node, client.id};
  tcp::socket& socket = stream.socket();
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  if (node.config().tcp_keepalive > 0) set_keepalive(socket, node.config().tcp_keepalive);
  if (auto remote = socket.remote_endpoint(ec); !ec) client.addr = endpoint_text(remote);
  if (auto local = socket.local_endpoint(ec); !ec) client.laddr = endpoint_text(local);
  client.fd = socket.native_handle();
  client.kill = [&stream] { stream.close(); };
  asio::steady_timer wake(stream.get_executor(), asio::steady_timer::time_point::max());
  client.wake_writer = [&wake] { wake.cancel(); };
  co_await (read_loop(node, client, stream) || push_loop(client, stream, wake, node.stats()));
  client.wake_writer = nullptr;
  socket.close(ec);
}

}  // namespace basalt::server
