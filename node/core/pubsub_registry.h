// node/core/pubsub_registry.h — Pub/Sub: which clients subscribe to which channels and
// patterns, and delivery of PUBLISHed messages into each receiver's outbox (the connection's
// writer sends it). A receiver whose outbox grows past the pubsub hard limit
// (client-output-buffer-limit pubsub <hard> ...) is disconnected, as Redis does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "node/core/client.h"
#include "node/core/output_limits.h"

namespace basalt::core {

class PubSubRegistry {
 public:
  // Each returns whether the subscription changed (false: already subscribed / not subscribed).
  bool subscribe(Client& c, std::string_view channel);
  bool unsubscribe(Client& c, std::string_view channel);
  bool psubscribe(Client& c, std::string_view pattern);
  bool punsubscribe(Client& c, std::string_view pattern);
  // The client's channels / patterns, in subscription order.
  std::vector<std::string> channels_of(const Client& c) const;
  std::vector<std::string> patterns_of(const Client& c) const;
  void remove_client(Client& c);

  // Delivers `message` to every subscriber of `channel` (then to the pattern subscribers);
  // returns the number of receivers. A receiver the message puts over its output limit is
  // closed (`check`).
  size_t publish(std::string_view channel, std::string_view message, const OutputLimitCheck& check);

  // PUBSUB CHANNELS / NUMSUB / NUMPAT.
  std::vector<std::string> active_channels(std::string_view pattern, bool all) const;
  size_t numsub(std::string_view channel) const;
  size_t numpat() const { return patterns_.size(); }

 private:
  struct Subs {
    std::vector<std::string> channels, patterns;
  };

  std::unordered_map<std::string, std::vector<Client*>> channels_;
  std::vector<std::pair<std::string, std::vector<Client*>>> patterns_;  // in creation order
  std::unordered_map<const Client*, Subs> subs_;
};

}  // namespace basalt::core
