// node/commands/acl_gate.h — the ACL gate: whether a client's user may run one call (the
// command, its keys, its channels), with Redis's NOPERM errors, the ACL LOG entry and the INFO
// counters of a refusal. The dispatcher asks once per command; ACL DRYRUN asks without logging.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "node/commands/command.h"
#include "node/core/acl_user.h"

namespace basalt::commands {

// The row ACL judges for a call of `spec`: the subcommand's for a container call (null if
// argv names no subcommand it has: the handler answers that), else `spec`.
const Spec* acl_row(const Spec& spec, std::span<const std::string_view> argv);

// Redis's NOPERM error (without '-') for a refused call; `spec` is acl_row's.
std::string noperm_error(core::acl::Denial denial, const Spec& spec);

// The gate: "" if `client`'s user may run the call, else the NOPERM error after logging it
// (ACL LOG, INFO acl_access_denied_*).
std::string acl_refusal(core::Node& node, core::Client& client, const Spec& spec,
                        std::span<const std::string_view> argv);

// Logs one refused AUTH / HELLO AUTH (reason "auth") and counts it.
void log_auth_failure(core::Node& node, core::Client& client, std::string_view username,
                      std::span<const std::string_view> argv);

}  // namespace basalt::commands
