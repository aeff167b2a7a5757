// node/core/blocking.h — the keys blocked clients wait on (BLPOP, BZPOPMIN, BLMOVE, ...): per
// db and key a FIFO of waiters. Write commands call signal_key() for a key they may have made
// servable (an element was added, the key was created); every waiter on it wakes, in FIFO
// order, and retries its command through the write pipeline. A waiter that finds nothing
// waits on and keeps its place in every queue, so the oldest waiter is served first.
//
// A blocking command whose keys are empty hands its wait to the connection with
// block_until_served() (below); the write commands that add elements call
// node.blocking().signal_key(db, key).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace basalt::core {

class BlockingRegistry;
class Node;
struct Client;

// One blocked client's registration on its keys. Keep it alive for the whole wait, also
// across retries; destroying it leaves every queue.
class KeyWait {
 public:
  ~KeyWait();
  KeyWait(const KeyWait&) = delete;
  KeyWait& operator=(const KeyWait&) = delete;

  // Suspends until one of the keys is signalled (returns its index in `keys()`; keys
  // signalled meanwhile are returned by the next calls, in signal order), or until the
  // deadline passes or the wait is ended (returns nullopt). A signal that arrived while the
  // waiter was not suspended (it was retrying) is not lost: the next wait() returns at once.
  boost::asio::awaitable<std::optional<size_t>> wait();

  uint16_t db() const { return db_; }
  uint64_t client_id() const { return client_id_; }
  const std::vector<std::string>& keys() const { return keys_; }
  // Whether unblock() ended the wait with an error request (CLIENT UNBLOCK ... ERROR).
  bool unblocked_with_error() const { return unblock_error_; }

 private:
  friend class BlockingRegistry;
  KeyWait(BlockingRegistry& registry, uint16_t db, std::vector<std::string> keys,
          uint64_t timeout_ms, uint64_t client_id);

  BlockingRegistry* registry_;
  std::weak_ptr<int> registry_alive_;
  uint16_t db_;
  std::vector<std::string> keys_;
  uint64_t client_id_;
  bool has_deadline_;
  std::chrono::steady_clock::time_point deadline_;
  boost::asio::steady_timer timer_;
  std::deque<size_t> signalled_;  // signalled keys not yet returned by wait(), in order
  bool ended_ = false;            // unblocked from outside: wait() returns nullopt
  bool unblock_error_ = false;
};

class BlockingRegistry {
 public:
  explicit BlockingRegistry(boost::asio::any_io_executor executor);
  ~BlockingRegistry();

  // Registers a wait on `keys` of `db`, at the back of each key's FIFO. timeout_ms == 0
  // waits forever. client_id lets unblock_client() find it (0: not findable).
  std::unique_ptr<KeyWait> wait_for_keys(uint16_t db, std::vector<std::string> keys,
                                         uint64_t timeout_ms, uint64_t client_id = 0);

  // Wakes every waiter on `key` of `db`, in FIFO order. Cheap when nobody waits.
  void signal_key(uint16_t db, std::string_view key);

  // Ends a client's wait as a timeout would (error = true: CLIENT UNBLOCK ... ERROR).
  // False if that client is not blocked here.
  bool unblock_client(uint64_t client_id, bool error = false);

  // INFO clients: blocked_clients, and the number of keys somebody waits on.
  size_t blocked_clients() const { return waits_.size(); }
  size_t blocked_keys() const { return queues_.size(); }
  bool is_blocked(uint64_t client_id) const;

 private:
  friend class KeyWait;
  void remove(KeyWait* wait);

  boost::asio::any_io_executor executor_;
  static std::string queue_name(uint16_t db, std::string_view key);
  // 2-byte db + key -> waiters in arrival order.
  std::unordered_map<std::string, std::deque<KeyWait*>> queues_;
  std::vector<KeyWait*> waits_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// What a blocking command hands to the connection (client.pending_block), written once for
// every blocking command. Waits on `keys` of the client's db; each time key i is signalled,
// runs the non-blocking command `retry(i)` (e.g. {"LPOP", key}, {"ZPOPMIN", key}) for the
// client through the write pipeline, so it is one write in the total order and is
// propagated as that command propagates. `served(i, reply)` says whether the retry's reply
// serves the client (e.g. not an empty array, nil or WRONGTYPE error) and may rewrite it
// into the blocking command's reply (BZPOPMIN adds the key). When served, the reply goes to
// `out`; on timeout `timeout_reply` does (RESP2 "*-1\r\n" for BLPOP / BZPOPMIN).
// A client whose connection is gone is never served (nothing is popped for it).
using RetryCommand = std::function<std::vector<std::string>(size_t key_index)>;
using ServedCheck = std::function<bool(size_t key_index, std::string& reply)>;
std::function<boost::asio::awaitable<void>(std::string& out)> block_until_served(
    Node& node, Client& client, std::vector<std::string> keys, uint64_t timeout_ms,
    RetryCommand retry, ServedCheck served, std::string timeout_reply);

}  // namespace basalt::core
