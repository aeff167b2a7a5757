// node/commands/acl_gate.cpp — see acl_gate.h.
#include "node/commands/acl_gate.h"

#include "node/commands/families.h"
#include "node/commands/subcommand.h"
#include "node/core/node.h"

namespace basalt::commands {

const Spec* acl_row(const Spec& spec, std::span<const std::string_view> argv) {
  if (spec.subcommand_count == 0) return &spec;
  return argv.size() >= 2 ? find_subcommand(spec, argv[1]) : nullptr;
}

std::string noperm_error(core::acl::Denial denial, const Spec& spec) {
  using core::acl::Denial;
  switch (denial) {
    case Denial::Command:
      return "NOPERM this user has no permissions to run the '" + std::string(spec.name) +
             "' command";
    case Denial::Key:
      return "NOPERM this user has no permissions to access one of the keys used as arguments";
    case Denial::Channel:
      return "NOPERM this user has no permissions to access one of the channels used as "
             "arguments";
    case Denial::None:
      break;
  }
  return {};
}

namespace {
std::string_view context_of(const core::Client& client) {
  return client.in_multi || client.in_exec ? "multi" : "toplevel";
}
}  // namespace

std::string acl_refusal(core::Node& node, core::Client& client, const Spec& spec,
                        std::span<const std::string_view> argv) {
  using core::acl::Denial;
  const Spec* row = acl_row(spec, argv);
  // The master's stream runs as Redis's superuser (no user); so do internal clients.
  if (!row || !client.user || client.is_master_link) return {};
  core::acl::Verdict verdict = client.user->check(*row, row == &spec ? nullptr : &spec, argv);
  if (verdict.denial == Denial::None) return {};
  auto& stats = node.stats();
  std::string reason, object;
  switch (verdict.denial) {
    case Denial::Command:
      ++stats.acl_access_denied_cmd;
      reason = "command";
      object = row->name;
      break;
    case Denial::Key:
      ++stats.acl_access_denied_key;
      reason = "key";
      object = argv[verdict.arg];
      break;
    case Denial::Channel:
      ++stats.acl_access_denied_channel;
      reason = "channel";
      object = argv[verdict.arg];
      break;
    case Denial::None:
      break;
  }
  // CLIENT LIST's cmd= names the refused command, as Redis (its lastcmd is set on lookup).
  client.last_command = row->name;
  node.acl().log(reason, std::string(context_of(client)), object, client.user->name(),
                 client_info_line(client, argv), core::unix_time_ms(),
                 node.config().acllog_max_len);
  return noperm_error(verdict.denial, *row);
}

void log_auth_failure(core::Node& node, core::Client& client, std::string_view username,
                      std::span<const std::string_view> argv) {
  ++node.stats().acl_access_denied_auth;
  node.acl().log("auth", std::string(context_of(client)), std::string(argv[0]),
                 std::string(username), client_info_line(client, argv), core::unix_time_ms(),
                 node.config().acllog_max_len);
}

}  // namespace basalt::commands
