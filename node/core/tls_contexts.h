// node/core/tls_contexts.h — the node's TLS setup, built from the tls-* directives (Redis 7.0
// names): the server context (clients on tls-port, the admin API with http-tls) and the
// client context (the replica's link to its master with tls-replication, and FAILOVER's
// connection to its target). A reload (CONFIG SET tls-*) builds new contexts that new
// connections use; connections already open keep the one they started with.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "node/config/config.h"

namespace basalt::core {

class TlsContexts {
 public:
  using Context = boost::asio::ssl::context;

  // Whether the settings ask for TLS anywhere (tls-port, tls-replication, http-tls).
  static bool wanted(const config::Config& config);
  // Builds both contexts from `config` without keeping them: "" or why they can't be built
  // (a directive missing, a file that does not load, a key that does not match the
  // certificate, a bad protocol or cipher list). CONFIG SET and the start check this.
  static std::string check(const config::Config& config);
  // Builds and keeps them; on failure the old ones stay and the reason is returned.
  std::string load(const config::Config& config);

  // Null until loaded.
  std::shared_ptr<Context> server() const { return server_; }
  std::shared_ptr<Context> client() const { return client_; }
  // The OpenSSL verify mode for a connection accepted under tls-auth-clients yes|no|optional.
  static int client_verify_mode(const std::string& auth_clients);

 private:
  static std::string build(const config::Config& config, std::shared_ptr<Context>& server,
                           std::shared_ptr<Context>& client);
  std::shared_ptr<Context> server_;
  std::shared_ptr<Context> client_;
};

}  // namespace basalt::core
