// node/commands/server/acl_cmd.cpp — ACL and its subcommands (SETUSER, GETUSER, DELUSER, LIST,
// USERS, WHOAMI, CAT, LOG, SAVE, LOAD, GENPASS, DRYRUN, HELP) in Redis 7.0's reply shapes. The
// users and their rules are the core's (node/core/acl.h); this file only parses and replies.
#include <openssl/rand.h>

#include <string>
#include <vector>

#include "node/commands/acl_gate.h"
#include "node/commands/families.h"
#include "node/commands/subcommand.h"
#include "node/core/acl_categories.h"
#include "node/core/node.h"
#include "node/protocol/numbers.h"
#include "node/util/log.h"

namespace basalt::commands {

namespace {

using core::acl::User;

// Redis 7.0's ACLKillPubsubClientsIfNeeded: a client of `user` subscribed to a channel or
// pattern the user may no longer use is disconnected (the one asking, after its reply).
void drop_revoked_subscribers(Context& c, const User& user) {
  for (const auto& [id, client] : c.node.clients()) {
    if (client->user != &user || client->subscriptions == 0) continue;
    bool revoked = false;
    for (const auto& ch : c.node.pubsub().channels_of(*client))
      revoked = revoked || !user.may_use_channel(ch, false);
    for (const auto& pattern : c.node.pubsub().patterns_of(*client))
      revoked = revoked || !user.may_use_channel(pattern, true);
    if (!revoked) continue;
    if (client.get() == &c.client)
      client->close_after_reply = true;
    else if (client->kill)
      client->kill();
  }
}

void acl_setuser(Context& c) {
  std::vector<std::string_view> rules(c.argv.begin() + 3, c.argv.end());
  std::string error = c.node.acl().set_user(c.arg(2), rules);
  if (!error.empty()) return c.reply.error("ERR " + error);
  drop_revoked_subscribers(c, *c.node.acl().find(c.arg(2)));
  c.reply.ok();
}

// Redis's aclAddReplySelectorDescription: commands, keys, channels (3 fields).
void reply_selector(Context& c, const core::acl::Selector& s) {
  c.reply.bulk("commands");
  c.reply.bulk(s.command_rules(c.node.acl().commands()));
  c.reply.bulk("keys");
  c.reply.bulk(s.key_rules());
  c.reply.bulk("channels");
  c.reply.bulk(s.channel_rules());
}

void acl_getuser(Context& c) {
  const User* user = c.node.acl().find(c.arg(2));
  if (!user) return c.reply.null_bulk();
  c.reply.array(12);
  c.reply.bulk("flags");
  auto flags = user->flags();
  c.reply.array(flags.size());
  for (const auto& f : flags) c.reply.bulk(f);
  c.reply.bulk("passwords");
  c.reply.array(user->password_hashes().size());
  for (const auto& h : user->password_hashes()) c.reply.bulk(h);
  // The root selector at the top level, then the others, as Redis 7.0.
  reply_selector(c, user->root());
  c.reply.bulk("selectors");
  c.reply.array(user->selectors().size());
  for (const auto& s : user->selectors()) {
    c.reply.array(6);
    reply_selector(c, s);
  }
}

void acl_deluser(Context& c) {
  auto& acl = c.node.acl();
  int64_t deleted = 0;
  for (size_t i = 2; i < c.argc(); ++i) {
    if (c.arg(i) == "default") return c.reply.error("ERR The 'default' user cannot be removed");
  }
  for (size_t i = 2; i < c.argc(); ++i) {
    const User* user = acl.find(c.arg(i));
    if (!user) continue;
    // Its clients go first: they must not run another command as a user that is gone.
    c.node.disconnect_user_clients(user, &c.client);
    acl.delete_user(c.arg(i));
    ++deleted;
  }
  c.reply.integer(deleted);
}

void acl_list(Context& c) {
  auto lines = c.node.acl().user_lines();
  c.reply.array(lines.size());
  for (const auto& l : lines) c.reply.bulk(l);
}

void acl_users(Context& c) {
  const auto& users = c.node.acl().users();
  c.reply.array(users.size());
  for (const auto& [name, user] : users) c.reply.bulk(name);
}

void acl_whoami(Context& c) {
  c.reply.bulk(c.client.user ? c.client.user->name() : std::string("default"));
}

void acl_cat(Context& c) {
  if (c.argc() > 3) return subcommand_syntax_error(c);
  if (c.argc() == 2) {
    c.reply.array(core::acl::kCategoryCount);
    for (auto name : core::acl::kCategoryNames) c.reply.bulk(name);
    return;
  }
  uint32_t bit = core::acl::category_bit(c.arg(2));
  if (!bit) return c.reply.error("ERR Unknown category '" + std::string(c.arg(2)) + "'");
  std::vector<std::string_view> names;
  for (const Spec& spec : table().all()) {
    if (core::acl::categories_of(spec) & bit) names.push_back(spec.name);
    for (const Spec& sub : spec.subs())
      if (core::acl::categories_of(sub) & bit) names.push_back(sub.name);
  }
  c.reply.array(names.size());
  for (auto n : names) c.reply.bulk(n);
}

void acl_log(Context& c) {
  if (c.argc() > 3) return subcommand_syntax_error(c);
  auto& acl = c.node.acl();
  int64_t count = 10;
  if (c.argc() == 3) {
    if (iequals(c.arg(2), "reset")) {
      acl.reset_log();
      return c.reply.ok();
    }
    if (!protocol::parse_i64(c.arg(2), count)) return c.not_integer();
  }
  const auto& entries = acl.log_entries();
  size_t n = count <= 0 ? 0 : std::min(entries.size(), static_cast<size_t>(count));
  uint64_t now = core::unix_time_ms();
  c.reply.array(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& e = entries[i];
    c.reply.array(14);
    c.reply.bulk("count");
    c.reply.integer(static_cast<int64_t>(e.count));
    c.reply.bulk("reason");
    c.reply.bulk(e.reason);
    c.reply.bulk("context");
    c.reply.bulk(e.context);
    c.reply.bulk("object");
    c.reply.bulk(e.object);
    c.reply.bulk("username");
    c.reply.bulk(e.username);
    c.reply.bulk("age-seconds");
    c.reply.double_bulk(static_cast<double>(now - std::min(now, e.created_ms)) / 1000.0);
    c.reply.bulk("client-info");
    c.reply.bulk(e.client_info);
  }
}

constexpr std::string_view kNoAclFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify "
    "users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a "
    "Redis configuration file set) in order to store users in the Redis configuration.";

void acl_save(Context& c) {
  const std::string& path = c.node.config().aclfile;
  if (path.empty()) return c.reply.error(kNoAclFile);
  std::string error = c.node.acl().save_file(path);
  if (!error.empty()) {
    log::warn("ACL SAVE to '{}' failed: {}", path, error);
    return c.reply.error(
        "ERR There was an error trying to save the ACLs. Please check the server logs for more "
        "information");
  }
  c.reply.ok();
}

void acl_load(Context& c) {
  const std::string& path = c.node.config().aclfile;
  if (path.empty()) return c.reply.error(kNoAclFile);
  auto& acl = c.node.acl();
  std::map<std::string, std::unique_ptr<User>, std::less<>> loaded;
  std::string error = acl.read_file(path, loaded);
  if (!error.empty()) return c.reply.error("ERR " + error);
  // Every user but the default one is replaced: their clients are disconnected, as Redis.
  for (const auto& [name, user] : acl.users())
    if (name != "default") c.node.disconnect_user_clients(user.get(), &c.client);
  acl.replace_users(std::move(loaded));
  c.reply.ok();
}

void acl_genpass(Context& c) {
  if (c.argc() > 3) return subcommand_syntax_error(c);
  int64_t bits = 256;
  if (c.argc() == 3 && !protocol::parse_i64(c.arg(2), bits)) return c.not_integer();
  if (bits <= 0 || bits > 4096) {
    return c.reply.error(
        "ERR ACL GENPASS argument must be the number of bits for the output password, a "
        "positive number up to 4096");
  }
  size_t chars = static_cast<size_t>((bits + 3) / 4);
  std::vector<unsigned char> random((chars + 1) / 2);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
    return c.reply.error("ERR the random generator failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : random) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  out.resize(chars);
  c.reply.bulk(out);
}

void acl_dryrun(Context& c) {
  const User* user = c.node.acl().find(c.arg(2));
  if (!user) return c.reply.error("ERR User '" + std::string(c.arg(2)) + "' not found");
  auto argv = c.argv.subspan(3);
  const Spec* spec = table().find(argv[0]);
  const Spec* row = spec ? acl_row(*spec, argv) : nullptr;
  if (spec && !row && argv.size() >= 2) spec = nullptr;  // an unknown subcommand
  if (!spec) return c.reply.error("ERR Command '" + std::string(argv[0]) + "' not found");
  if (!row) row = spec;
  int argc = static_cast<int>(argv.size());
  if ((row->arity > 0 && row->arity != argc) || argc < -row->arity) {
    return c.reply.error("ERR wrong number of arguments for '" + std::string(row->name) +
                         "' command");
  }
  auto verdict = user->check(*row, row == spec ? nullptr : spec, argv);
  using core::acl::Denial;
  switch (verdict.denial) {
    case Denial::None:
      return c.reply.ok();
    case Denial::Command:
      return c.reply.bulk("This user has no permissions to run the '" + std::string(row->name) +
                          "' command");
    case Denial::Key:
      return c.reply.bulk("This user has no permissions to access the '" +
                          std::string(argv[verdict.arg]) + "' key");
    case Denial::Channel:
      return c.reply.bulk("This user has no permissions to access the '" +
                          std::string(argv[verdict.arg]) + "' channel");
  }
}

void acl_help(Context& c) {
  reply_help(c, {
                    "CAT [<category>]",
                    "    List all commands that belong to <category>, or all command categories",
                    "    when no category is specified.",
                    "DELUSER <username> [<username> ...]",
                    "    Delete a list of users.",
                    "DRYRUN <username> <command> [<arg> ...]",
                    "    Returns whether the user can execute the given command without executing "
                    "the command.",
                    "GETUSER <username>",
                    "    Get the user's details.",
                    "GENPASS [<bits>]",
                    "    Generate a secure 256-bit user password. The optional `bits` argument can",
                    "    be used to specify a different size.",
                    "LIST",
                    "    Show users details in config file format.",
                    "LOAD",
                    "    Reload users from the ACL file.",
                    "LOG [<count> | RESET]",
                    "    Show the ACL log entries.",
                    "SAVE",
                    "    Save the current config to the ACL file.",
                    "SETUSER <username> <attribute> [<attribute> ...]",
                    "    Create or modify a user with the specified attributes.",
                    "USERS",
                    "    List all the registered usernames.",
                    "WHOAMI",
                    "    Return the current connection username.",
                });
}

constexpr std::string_view kServer = "server";
constexpr uint32_t kAclAdmin = kAdmin | kNoScript | kLoading | kStale;
constexpr uint32_t kAclPlain = kNoScript | kLoading | kStale;

const Spec kAclSubcommands[] = {
    row("acl|cat", -2, kAclPlain, acl_cat)
        .doc(kServer, "List the ACL categories or the commands inside a category"),
    row("acl|deluser", -3, kAclAdmin, acl_deluser)
        .doc(kServer, "Remove the specified ACL users and the associated rules"),
    row("acl|dryrun", -4, kAclAdmin, acl_dryrun)
        .doc(kServer,
             "Returns whether the user can execute the given command without executing "
             "the command."),
    row("acl|genpass", -2, kAclPlain, acl_genpass)
        .doc(kServer, "Generate a pseudorandom secure password to use for ACL users"),
    row("acl|getuser", 3, kAclAdmin, acl_getuser)
        .doc(kServer, "Get the rules for a specific ACL user"),
    row("acl|help", 2, kLoading | kStale, acl_help)
        .doc(kServer, "Show helpful text about the different subcommands"),
    row("acl|list", 2, kAclAdmin, acl_list)
        .doc(kServer, "List the current ACL rules in ACL config file format"),
    row("acl|load", 2, kAclAdmin, acl_load)
        .doc(kServer, "Reload the ACLs from the configured ACL file"),
    row("acl|log", -2, kAclAdmin, acl_log)
        .doc(kServer, "List latest events denied because of ACLs in place"),
    row("acl|save", 2, kAclAdmin, acl_save)
        .doc(kServer, "Save the current ACL rules in the configured ACL file"),
    row("acl|setuser", -3, kAclAdmin, acl_setuser)
        .doc(kServer, "Modify or create the rules for a specific ACL user"),
    row("acl|users", 2, kAclAdmin, acl_users)
        .doc(kServer, "List the username of all the configured ACL rules"),
    row("acl|whoami", 2, kAclPlain, acl_whoami)
        .doc(kServer, "Return the name of the user associated to the current connection"),
};

}  // namespace

void register_acl_command(Table& t) {
  t.add(row("acl", -2, kSentinel, run_subcommand)
            .doc(kServer, "A container for Access List Control commands")
            .subcommands(kAclSubcommands));
}

}  // namespace basalt::commands
