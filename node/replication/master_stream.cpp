// node/replication/master_stream.cpp — the replica side once linked: apply the master's
// stream through the write pipeline (a transaction from the master is applied whole), and send
// REPLCONF ACK <offset> every second or when the master asks (GETACK).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "node/core/command_batch.h"
#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/protocol/reply.h"
#include "node/protocol/resp_reader.h"
#include "node/replication/replica_link.h"
#include "node/util/ascii.h"
#include "node/util/log.h"

namespace basalt::replication {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
using std::chrono::milliseconds;

using protocol::multibulk;

asio::awaitable<void> ReplicaLink::apply_stream(util::Stream& socket, std::string first_bytes) {
  node_.stats().total_net_input_bytes += first_bytes.size();
  node_.stats().total_net_repl_input_bytes += first_bytes.size();
  protocol::RespReader reader(64 * 1024);
  auto last_data = std::chrono::steady_clock::now();
  reader.append(first_bytes);
  info_.received_offset = node_.repl().master_repl_offset + first_bytes.size();
  protocol::ParserLimits limits;
  limits.max_bulk_len = SIZE_MAX / 4;  // the master is trusted (Redis skips the limit too)
  reader.set_limits(limits);
  core::CommandBatch batch;
  const auto& runner = node_.command_runner();
  std::string out;
  for (;;) {
    batch.clear();
    // A transaction from the master is applied whole: if a read ends between MULTI and
    // EXEC, the transaction waits in the buffer for the rest (readers never see half of it).
    size_t open_multi = SIZE_MAX, open_multi_mark = 0;
    for (;;) {
      size_t mark = reader.mark();
      auto r = reader.next();
      if (r == protocol::RespReader::Result::Incomplete) break;
      if (r == protocol::RespReader::Result::Error) {
        log::warn("protocol error in the master's stream: {}", reader.error());
        co_return;
      }
      auto args = reader.args();
      if (args.empty()) continue;  // a bare newline is not a command (basalt masters never send it)
      batch.args.insert(batch.args.end(), args.begin(), args.end());
      batch.add_command(static_cast<uint32_t>(args.size()), runner.find(args[0]));
      batch.raw.push_back(reader.raw());
      if (util::iequals(args[0], "multi")) {
        open_multi = batch.size() - 1;
        open_multi_mark = mark;
      } else if (util::iequals(args[0], "exec") || util::iequals(args[0], "discard")) {
        open_multi = SIZE_MAX;
      }
    }
    if (open_multi != SIZE_MAX) {
      batch.commands.resize(open_multi);
      batch.specs.resize(open_multi);
      batch.raw.resize(open_multi);
      reader.rewind(open_multi_mark);
    }
    if (!batch.empty()) {
      std::string failed = co_await node_.pipeline().execute(*master_client_, batch, out);
      out.clear();
      if (!failed.empty()) {
        // Not applied: drop the link; it resumes from the last committed offset once the
        // cause is gone (a PSYNC continues exactly there).
        ++info_.apply_failures;
        info_.last_error = "applying the master's stream stopped at offset " +
                           std::to_string(node_.repl().master_repl_offset) + ": " + failed;
        log::error("{}", info_.last_error);
        co_return;
      }
      info_.read_repl_offset = node_.repl().master_repl_offset;
      if (ack_due_ && ack_waker_) ack_waker_->cancel();
    }
    reader.make_room();
    // repl-timeout is read at every check (at least once a second), so a CONFIG SET reaches a
    // running link, as in Redis.
    milliseconds timeout(static_cast<int64_t>(node_.config().repl_timeout) * 1000);
    auto silent =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - last_data);
    if (silent >= timeout) {
      log::warn("MASTER timeout: no data nor PING received for {} ms", silent.count());
      co_return;
    }
    asio::steady_timer timer(node_.io());
    timer.expires_after(std::min(timeout - silent, milliseconds(1000)));
    auto result =
        co_await (socket.async_read_some(asio::buffer(reader.space().data(), reader.space().size()),
                                         kNoThrow) ||
                  timer.async_wait(kNoThrow));
    if (result.index() != 0) continue;  // check the (maybe changed) timeout again
    auto [ec, n] = std::get<0>(result);
    if (ec || n == 0) co_return;
    reader.commit(n);
    info_.received_offset += n;
    node_.stats().total_net_input_bytes += n;
    node_.stats().total_net_repl_input_bytes += n;
    info_.last_io_ms = core::unix_time_ms();
    last_data = std::chrono::steady_clock::now();
  }
}

asio::awaitable<void> ReplicaLink::send_acks(util::Stream& socket) {
  asio::steady_timer timer(node_.io());
  ack_waker_ = &timer;
  struct Clear {
    boost::asio::steady_timer*& slot;
    std::weak_ptr<int> alive;
    ~Clear() {
      if (!alive.expired()) slot = nullptr;
    }
  } clear{ack_waker_, node_.lifetime()};
  for (;;) {
    ack_due_ = false;
    std::string ack =
        multibulk({"REPLCONF", "ACK", std::to_string(node_.repl().master_repl_offset)});
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(ack), kNoThrow);
    if (ec) co_return;
    timer.expires_after(std::chrono::seconds(1));
    co_await timer.async_wait(kNoThrow);
    auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) co_return;
  }
}

}  // namespace basalt::replication
