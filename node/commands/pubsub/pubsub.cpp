// node/commands/pubsub/pubsub.cpp — SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH and
// PUBSUB CHANNELS / NUMSUB / NUMPAT, with Redis's RESP2 reply shapes. The subscriptions live
// in core::PubSubRegistry; delivery goes through each receiver's outbox, written by its
// connection (node/server/connection.cpp). The subscribed-mode check is in dispatch.
// PUBLISH runs in the write group (kExecGroup) and is propagated, as Redis 7.0 does, so the
// subscribers of replicas receive it too.
#include <string>
#include <string_view>
#include <vector>

#include "node/commands/command_table.h"
#include "node/commands/subcommand.h"
#include "node/core/node.h"

namespace basalt::commands {

namespace {

// One confirmation: [kind, name, subscription count].
void confirm(Context& c, std::string_view kind, std::string_view name) {
  c.reply.array(3);
  c.reply.bulk(kind);
  c.reply.bulk(name);
  c.reply.integer(static_cast<int64_t>(c.client.subscriptions));
}

void confirm_none(Context& c, std::string_view kind) {
  c.reply.array(3);
  c.reply.bulk(kind);
  c.reply.null_bulk();
  c.reply.integer(static_cast<int64_t>(c.client.subscriptions));
}

void subscribe(Context& c) {
  for (size_t i = 1; i < c.argc(); ++i) {
    c.node.pubsub().subscribe(c.client, c.arg(i));
    confirm(c, "subscribe", c.arg(i));
  }
}

void psubscribe(Context& c) {
  for (size_t i = 1; i < c.argc(); ++i) {
    c.node.pubsub().psubscribe(c.client, c.arg(i));
    confirm(c, "psubscribe", c.arg(i));
  }
}

void unsubscribe(Context& c) {
  auto& reg = c.node.pubsub();
  if (c.argc() == 1) {
    auto channels = reg.channels_of(c.client);
    if (channels.empty()) return confirm_none(c, "unsubscribe");
    for (const auto& ch : channels) {
      reg.unsubscribe(c.client, ch);
      confirm(c, "unsubscribe", ch);
    }
    return;
  }
  for (size_t i = 1; i < c.argc(); ++i) {
    reg.unsubscribe(c.client, c.arg(i));
    confirm(c, "unsubscribe", c.arg(i));
  }
}

void punsubscribe(Context& c) {
  auto& reg = c.node.pubsub();
  if (c.argc() == 1) {
    auto patterns = reg.patterns_of(c.client);
    if (patterns.empty()) return confirm_none(c, "punsubscribe");
    for (const auto& p : patterns) {
      reg.punsubscribe(c.client, p);
      confirm(c, "punsubscribe", p);
    }
    return;
  }
  for (size_t i = 1; i < c.argc(); ++i) {
    reg.punsubscribe(c.client, c.arg(i));
    confirm(c, "punsubscribe", c.arg(i));
  }
}

void publish(Context& c) {
  core::OutputLimitCheck check{c.node.config().client_output_buffer_limit, core::unix_time_ms(),
                               c.node.stats().client_output_buffer_limit_disconnections};
  size_t n = c.node.pubsub().publish(c.arg(1), c.arg(2), check);
  // Redis replicates PUBLISH. Sentinel's hello messages are the exception here: sentinels
  // send them to every node directly, and logging them would move the offset of a restarted
  // old master before Sentinel demotes it, turning its rejoin into a full resync.
  if (!c.arg(1).starts_with("__sentinel__:")) c.propagate_as_is();
  c.reply.integer(static_cast<int64_t>(n));
}

void pubsub_channels(Context& c) {
  if (c.argc() > 3) return c.wrong_arity();
  auto channels = c.node.pubsub().active_channels(c.argc() == 3 ? c.arg(2) : "", c.argc() == 2);
  c.reply.array(channels.size());
  for (const auto& ch : channels) c.reply.bulk(ch);
}

void pubsub_numsub(Context& c) {
  c.reply.array((c.argc() - 2) * 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    c.reply.bulk(c.arg(i));
    c.reply.integer(static_cast<int64_t>(c.node.pubsub().numsub(c.arg(i))));
  }
}

void pubsub_numpat(Context& c) {
  c.reply.integer(static_cast<int64_t>(c.node.pubsub().numpat()));
}

void pubsub_help(Context& c) {
  reply_help(
      c, {"CHANNELS [<pattern>]",
          "    Return the currently active channels matching a <pattern> (default: '*').", "NUMPAT",
          "    Return number of subscriptions to patterns.", "NUMSUB [<channel> ...]",
          "    Return the number of subscribers for the specified channels, excluding",
          "    pattern subscriptions(default: no channels)."});
}

constexpr std::string_view kGroup = "pubsub";
constexpr uint32_t kPs = kPubSub | kLoading | kStale;

const Spec kPubsubSubcommands[] = {
    row("pubsub|channels", -2, kPs, pubsub_channels).doc(kGroup, "List active channels"),
    row("pubsub|numsub", -2, kPs, pubsub_numsub)
        .doc(kGroup, "Get the count of subscribers for channels"),
    row("pubsub|numpat", 2, kPs, pubsub_numpat)
        .doc(kGroup, "Get the count of unique patterns pattern subscriptions"),
    row("pubsub|help", 2, kLoading | kStale, pubsub_help)
        .acl(kNoFamilyCategory)
        .doc(kGroup, "Show helpful text about the different subcommands"),
};

}  // namespace

void register_pubsub_commands(Table& t) {
  t.add(row("subscribe", -2, kPs | kNoScript | kSubscribedOk, subscribe)
            .doc(kGroup, "Listen for messages published to the given channels"));
  t.add(row("unsubscribe", -1, kPs | kNoScript | kSubscribedOk, unsubscribe)
            .doc(kGroup, "Stop listening for messages posted to the given channels"));
  t.add(row("psubscribe", -2, kPs | kNoScript | kSubscribedOk, psubscribe)
            .doc(kGroup, "Listen for messages published to channels matching the given patterns"));
  t.add(row("punsubscribe", -1, kPs | kNoScript | kSubscribedOk, punsubscribe)
            .doc(kGroup,
                 "Stop listening for messages posted to channels matching the given patterns"));
  t.add(row("publish", 3, kPs | kFast | kSentinel | kExecGroup, publish)
            .doc(kGroup, "Post a message to a channel"));
  t.add(row("pubsub", -2, kPs, run_subcommand)
            .doc(kGroup, "A container for Pub/Sub commands")
            .subcommands(kPubsubSubcommands));
}

}  // namespace basalt::commands
