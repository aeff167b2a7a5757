// node/core/pubsub_registry.cpp — see pubsub_registry.h.
#include "node/core/pubsub_registry.h"

#include <algorithm>
#include <sstream>

#include "node/config/config.h"
#include "node/protocol/reply.h"
#include "node/util/glob.h"

namespace basalt::core {

namespace {
bool erase_one(std::vector<std::string>& v, std::string_view s) {
  auto it = std::find(v.begin(), v.end(), s);
  if (it == v.end()) return false;
  v.erase(it);
  return true;
}
}  // namespace

bool PubSubRegistry::subscribe(Client& c, std::string_view channel) {
  auto& subs = subs_[&c];
  if (std::find(subs.channels.begin(), subs.channels.end(), channel) != subs.channels.end())
    return false;
  subs.channels.emplace_back(channel);
  channels_[std::string(channel)].push_back(&c);
  ++c.subscriptions;
  return true;
}

bool PubSubRegistry::unsubscribe(Client& c, std::string_view channel) {
  auto it = subs_.find(&c);
  if (it == subs_.end() || !erase_one(it->second.channels, channel)) return false;
  auto ch = channels_.find(std::string(channel));
  if (ch != channels_.end()) {
    std::erase(ch->second, &c);
    if (ch->second.empty()) channels_.erase(ch);
  }
  --c.subscriptions;
  return true;
}

bool PubSubRegistry::psubscribe(Client& c, std::string_view pattern) {
  auto& subs = subs_[&c];
  if (std::find(subs.patterns.begin(), subs.patterns.end(), pattern) != subs.patterns.end())
    return false;
  subs.patterns.emplace_back(pattern);
  auto it = std::find_if(patterns_.begin(), patterns_.end(),
                         [&](const auto& p) { return p.first == pattern; });
  if (it == patterns_.end()) {
    patterns_.emplace_back(std::string(pattern), std::vector<Client*>{});
    it = patterns_.end() - 1;
  }
  it->second.push_back(&c);
  ++c.subscriptions;
  ++c.pattern_subscriptions;
  return true;
}

bool PubSubRegistry::punsubscribe(Client& c, std::string_view pattern) {
  auto it = subs_.find(&c);
  if (it == subs_.end() || !erase_one(it->second.patterns, pattern)) return false;
  auto p = std::find_if(patterns_.begin(), patterns_.end(),
                        [&](const auto& e) { return e.first == pattern; });
  if (p != patterns_.end()) {
    std::erase(p->second, &c);
    if (p->second.empty()) patterns_.erase(p);
  }
  --c.subscriptions;
  --c.pattern_subscriptions;
  return true;
}

std::vector<std::string> PubSubRegistry::channels_of(const Client& c) const {
  auto it = subs_.find(&c);
  return it == subs_.end() ? std::vector<std::string>{} : it->second.channels;
}

std::vector<std::string> PubSubRegistry::patterns_of(const Client& c) const {
  auto it = subs_.find(&c);
  return it == subs_.end() ? std::vector<std::string>{} : it->second.patterns;
}

void PubSubRegistry::remove_client(Client& c) {
  auto it = subs_.find(&c);
  if (it == subs_.end()) return;
  Subs subs = std::move(it->second);
  subs_.erase(it);
  for (const auto& ch : subs.channels) {
    auto e = channels_.find(ch);
    if (e == channels_.end()) continue;
    std::erase(e->second, &c);
    if (e->second.empty()) channels_.erase(e);
  }
  for (const auto& pat : subs.patterns) {
    auto p = std::find_if(patterns_.begin(), patterns_.end(),
                          [&](const auto& e) { return e.first == pat; });
    if (p == patterns_.end()) continue;
    std::erase(p->second, &c);
    if (p->second.empty()) patterns_.erase(p);
  }
  c.subscriptions = 0;
  c.pattern_subscriptions = 0;
}

size_t PubSubRegistry::publish(std::string_view channel, std::string_view message,
                               const OutputLimitCheck& check) {
  size_t receivers = 0;
  std::string bytes;
  if (auto it = channels_.find(std::string(channel)); it != channels_.end()) {
    protocol::ReplyBuilder r(bytes);
    r.array(3);
    r.bulk("message");
    r.bulk(channel);
    r.bulk(message);
    // Copy: a disconnect may change the list.
    std::vector<Client*> receivers_list = it->second;
    for (Client* c : receivers_list) {
      push_to_client(*c, bytes, check);
      ++receivers;
    }
  }
  std::vector<std::pair<std::string, std::vector<Client*>>> matched;
  for (const auto& [pattern, clients] : patterns_)
    if (util::glob_match(pattern, channel)) matched.emplace_back(pattern, clients);
  for (const auto& [pattern, clients] : matched) {
    bytes.clear();
    protocol::ReplyBuilder r(bytes);
    r.array(4);
    r.bulk("pmessage");
    r.bulk(pattern);
    r.bulk(channel);
    r.bulk(message);
    for (Client* c : clients) {
      push_to_client(*c, bytes, check);
      ++receivers;
    }
  }
  return receivers;
}

std::vector<std::string> PubSubRegistry::active_channels(std::string_view pattern, bool all) const {
  std::vector<std::string> out;
  for (const auto& [name, clients] : channels_)
    if (all || util::glob_match(pattern, name)) out.push_back(name);
  return out;
}

size_t PubSubRegistry::numsub(std::string_view channel) const {
  auto it = channels_.find(std::string(channel));
  return it == channels_.end() ? 0 : it->second.size();
}

}  // namespace basalt::core
