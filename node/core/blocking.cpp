// node/core/blocking.cpp — the registry of blocked keys: FIFO queues per (db, key), waking
// by signal, deadlines by timer.
#include "node/core/blocking.h"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>

#include "node/core/client.h"
#include "node/core/command_batch.h"
#include "node/core/node.h"
#include "node/core/write_pipeline.h"

namespace asio = boost::asio;

namespace basalt::core {

KeyWait::KeyWait(BlockingRegistry& registry, uint16_t db, std::vector<std::string> keys,
                 uint64_t timeout_ms, uint64_t client_id)
    : registry_(&registry),
      registry_alive_(registry.alive_),
      db_(db),
      keys_(std::move(keys)),
      client_id_(client_id),
      has_deadline_(timeout_ms > 0),
      deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms)),
      timer_(registry.executor_) {}

KeyWait::~KeyWait() {
  if (!registry_alive_.expired()) registry_->remove(this);
}

asio::awaitable<std::optional<size_t>> KeyWait::wait() {
  for (;;) {
    if (ended_) co_return std::nullopt;
    if (!signalled_.empty()) {
      size_t index = signalled_.front();
      signalled_.pop_front();
      co_return index;
    }
    if (has_deadline_ && std::chrono::steady_clock::now() >= deadline_) co_return std::nullopt;
    if (has_deadline_) {
      timer_.expires_at(deadline_);
    } else {
      timer_.expires_at(std::chrono::steady_clock::time_point::max());
    }
    // Woken by the deadline or by a cancel (signal or unblock); the loop sorts out which.
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

BlockingRegistry::BlockingRegistry(asio::any_io_executor executor)
    : executor_(std::move(executor)) {}

BlockingRegistry::~BlockingRegistry() = default;

std::string BlockingRegistry::queue_name(uint16_t db, std::string_view key) {
  std::string name;
  name.reserve(2 + key.size());
  name.push_back(static_cast<char>(db >> 8));
  name.push_back(static_cast<char>(db & 0xff));
  name.append(key);
  return name;
}

std::unique_ptr<KeyWait> BlockingRegistry::wait_for_keys(uint16_t db, std::vector<std::string> keys,
                                                         uint64_t timeout_ms, uint64_t client_id) {
  std::unique_ptr<KeyWait> wait(new KeyWait(*this, db, std::move(keys), timeout_ms, client_id));
  for (const auto& key : wait->keys_) {
    auto& queue = queues_[queue_name(db, key)];
    // A key named twice (BLPOP k k 0) queues the waiter once.
    if (std::find(queue.begin(), queue.end(), wait.get()) == queue.end())
      queue.push_back(wait.get());
  }
  waits_.push_back(wait.get());
  return wait;
}

void BlockingRegistry::signal_key(uint16_t db, std::string_view key) {
  if (queues_.empty()) return;
  auto it = queues_.find(queue_name(db, key));
  if (it == queues_.end()) return;
  for (KeyWait* wait : it->second) {
    auto index = static_cast<size_t>(std::find(wait->keys_.begin(), wait->keys_.end(), key) -
                                     wait->keys_.begin());
    auto& pending = wait->signalled_;
    if (std::find(pending.begin(), pending.end(), index) != pending.end()) continue;
    pending.push_back(index);
    wait->timer_.cancel();  // completions run in this (FIFO) order
  }
}

bool BlockingRegistry::unblock_client(uint64_t client_id, bool error) {
  for (KeyWait* wait : waits_) {
    if (wait->client_id_ != client_id || client_id == 0) continue;
    wait->ended_ = true;
    wait->unblock_error_ = error;
    wait->signalled_.clear();
    wait->timer_.cancel();
    return true;
  }
  return false;
}

bool BlockingRegistry::is_blocked(uint64_t client_id) const {
  return std::any_of(waits_.begin(), waits_.end(),
                     [&](const KeyWait* w) { return w->client_id_ == client_id; });
}

void BlockingRegistry::remove(KeyWait* wait) {
  for (const auto& key : wait->keys_) {
    auto it = queues_.find(queue_name(wait->db_, key));
    if (it == queues_.end()) continue;
    auto& queue = it->second;
    queue.erase(std::remove(queue.begin(), queue.end(), wait), queue.end());
    if (queue.empty()) queues_.erase(it);
  }
  waits_.erase(std::remove(waits_.begin(), waits_.end(), wait), waits_.end());
}

}  // namespace basalt::core

namespace basalt::core {

namespace {

// Whether the peer closed the connection (a blocked client reads nothing meanwhile, so its
// coroutine cannot notice by itself).
bool peer_gone(const Client& client) {
  if (client.fd < 0) return false;
  char byte;
  ssize_t n = ::recv(client.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;
  return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

}  // namespace

std::function<asio::awaitable<void>(std::string& out)> block_until_served(
    Node& node, Client& client, std::vector<std::string> keys, uint64_t timeout_ms,
    RetryCommand retry, ServedCheck served, std::string timeout_reply) {
  // Registered now, while the blocking command runs in its write group: a push in the next
  // group (which may run before this connection resumes to await the wait) then signals it
  // instead of nobody. Dropping the returned function (EXEC) ends the wait.
  std::shared_ptr<KeyWait> wait =
      node.blocking().wait_for_keys(client.db, std::move(keys), timeout_ms, client.id);
  return [&node, &client, wait, retry = std::move(retry), served = std::move(served),
          timeout_reply = std::move(timeout_reply)](std::string& out) -> asio::awaitable<void> {
    CommandBatch batch;
    std::string reply;
    for (;;) {
      std::optional<size_t> index = co_await wait->wait();
      if (!index) break;
      if (peer_gone(client)) co_return;
      std::vector<std::string> argv = retry(*index);
      batch.clear();
      for (const auto& a : argv) batch.args.emplace_back(a);
      batch.add_command(static_cast<uint32_t>(argv.size()),
                        node.command_runner().find(batch.args[0]));
      reply.clear();
      co_await node.pipeline().execute(client, batch, reply);
      if (served(*index, reply)) {
        out += reply;
        co_return;
      }
    }
    if (wait->unblocked_with_error()) {
      out += "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n";
    } else {
      out += timeout_reply;
    }
  };
}

}  // namespace basalt::core
