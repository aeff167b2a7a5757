// node/commands/connection/connection.cpp — the connection commands: PING, ECHO, SELECT, QUIT,
// HELLO, AUTH and RESET (CLIENT is in client_cmd.cpp). basalt speaks RESP2 only: HELLO 3 is
// refused.
#include <climits>
#include <string>

#include "node/commands/acl_gate.h"
#include "node/commands/command_table.h"
#include "node/commands/families.h"
#include "node/core/node.h"
#include "node/protocol/numbers.h"

namespace basalt::commands {

namespace {

constexpr std::string_view kServerVersion = "7.0.15";  // what clients check for features

void ping(Context& c) {
  if (c.argc() > 2) return c.wrong_arity();
  if (c.client.subscriptions > 0 && c.client.protocol_version == 2) {
    // Subscribed mode (RESP2): a pong shaped like a message.
    c.reply.array(2);
    c.reply.bulk("pong");
    return c.reply.bulk(c.argc() == 2 ? c.arg(1) : "");
  }
  if (c.argc() == 1) return c.reply.simple("PONG");
  c.reply.bulk(c.arg(1));
}

void echo(Context& c) {
  c.reply.bulk(c.arg(1));
}

void select(Context& c) {
  uint16_t db;
  if (!c.db_index_or_reply(c.arg(1), db)) return;
  c.client.db = db;
  c.reply.ok();
}

void quit(Context& c) {
  c.reply.ok();
  c.client.close_after_reply = true;
}

// The check behind AUTH and HELLO ... AUTH: the user exists, is on, and the password opens
// it (nopass, or its SHA-256 equals one of the user's, compared in constant time). On success
// the client runs as that user.
bool authenticate(Context& c, std::string_view username, std::string_view password) {
  core::acl::User* user = c.node.acl().find(username);
  if (!user || !user->accepts(password)) {
    log_auth_failure(c.node, c.client, username, c.argv);
    return false;
  }
  c.client.user = user;
  c.client.authenticated = true;
  return true;
}

void wrongpass(Context& c) {
  c.reply.error("WRONGPASS invalid username-password pair or user is disabled.");
}

void auth(Context& c) {
  if (c.argc() > 3) return c.syntax_error();
  std::string_view user = "default";
  std::string_view password;
  if (c.argc() == 2) {
    // Redis: AUTH <password> with a default user that has nopass.
    if (c.node.acl().default_user().nopass()) {
      return c.reply.error(
          "ERR AUTH <password> called without any password configured for the default user. "
          "Are you sure your configuration is correct?");
    }
    password = c.arg(1);
  } else {
    user = c.arg(1);
    password = c.arg(2);
  }
  if (!authenticate(c, user, password)) return wrongpass(c);
  c.reply.ok();
}

void hello(Context& c) {
  size_t next = 1;
  if (c.argc() >= 2) {
    int64_t ver;
    if (!protocol::parse_i64(c.arg(next++), ver)) {
      return c.reply.error("ERR Protocol version is not an integer or out of range");
    }
    // RESP3 is not implemented: clients fall back to RESP2 on this error.
    if (ver != 2) return c.reply.error("NOPROTO unsupported protocol version");
  }
  std::string_view user, password, name;
  bool has_auth = false, has_name = false;
  for (size_t j = next; j < c.argc(); ++j) {
    size_t more = c.argc() - 1 - j;
    if (iequals(c.arg(j), "AUTH") && more >= 2) {
      user = c.arg(j + 1);
      password = c.arg(j + 2);
      has_auth = true;
      j += 2;
    } else if (iequals(c.arg(j), "SETNAME") && more >= 1) {
      name = c.arg(j + 1);
      if (!valid_client_name(name)) {
        return c.reply.error(
            "ERR Client names cannot contain spaces, newlines or special characters.");
      }
      has_name = true;
      ++j;
    } else {
      return c.reply.error("ERR Syntax error in HELLO option '" + std::string(c.arg(j)) + "'");
    }
  }
  if (has_auth && !authenticate(c, user, password)) return wrongpass(c);
  if (!c.client.authenticated) {
    return c.reply.error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO AUTH <user> <pass> option can be used to authenticate the client and "
        "select the RESP protocol version at the same time");
  }
  if (has_name) c.client.name = name;
  // A RESP2 map is a flat array of key, value pairs.
  c.reply.array(14);
  c.reply.bulk("server");
  c.reply.bulk("redis");
  c.reply.bulk("version");
  c.reply.bulk(kServerVersion);
  c.reply.bulk("proto");
  c.reply.integer(c.client.protocol_version);
  c.reply.bulk("id");
  c.reply.integer(static_cast<int64_t>(c.client.id));
  c.reply.bulk("mode");
  c.reply.bulk("standalone");
  c.reply.bulk("role");
  c.reply.bulk(c.node.is_replica() ? "replica" : "master");
  c.reply.bulk("modules");
  c.reply.array(0);
}

// RESET: the connection as it was when it connected (Redis clearClientConnectionState):
// no transaction or watched keys, no subscriptions, db 0, RESP2, no name, and
// the default user, authenticated only if it is on and needs no password.
void reset(Context& c) {
  if (c.client.is_replica || c.client.is_master_link)
    return c.reply.error("ERR can only reset normal client connections");
  end_transaction(c);
  c.node.pubsub().remove_client(c.client);
  c.node.monitors().remove(c.client);
  c.client.db = 0;
  c.client.protocol_version = 2;
  c.client.name.clear();
  c.client.user = &c.node.acl().default_user();
  c.client.authenticated = c.node.default_user_open();
  c.reply.simple("RESET");
}

}  // namespace

void register_connection_commands(Table& t) {
  constexpr auto kConn = kNoScript | kLoading | kStale | kFast;
  t.add(row("ping", -1, kFast | kSentinel | kStale | kSubscribedOk, ping)
            .doc("connection", "Ping the server"));
  t.add(row("echo", 2, kLoading | kStale | kFast, echo).doc("connection", "Echo the given string"));
  t.add(row("select", 2, kLoading | kStale | kFast | kInGroup, select)
            .doc("connection", "Change the selected database for the current connection"));
  t.add(row("quit", -1, kConn | kNoAuth | kRunsInMulti | kSubscribedOk, quit)
            .doc("connection", "Close the connection"));
  t.add(row("hello", -1, kConn | kNoAuth | kSentinel, hello)
            .doc("connection", "Handshake with Redis"));
  t.add(row("auth", -2, kConn | kNoAuth | kSentinel, auth)
            .doc("connection", "Authenticate to the server"));
  t.add(row("reset", 1, kConn | kNoAuth | kRunsInMulti | kSubscribedOk, reset)
            .doc("connection", "Reset the connection"));
  register_client_command(t);
}

}  // namespace basalt::commands
