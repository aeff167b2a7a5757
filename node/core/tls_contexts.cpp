// node/core/tls_contexts.cpp — see tls_contexts.h. Follows Redis 7.0's tls.c
// (createSSLContext / tlsConfigure): the same checks, in the same order, with its messages.
#include "node/core/tls_contexts.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <sstream>

namespace basalt::core {

namespace {

using Context = TlsContexts::Context;

// OpenSSL's queued errors as text, oldest first (the queue is emptied).
std::string openssl_error() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char one[256];
    ERR_error_string_n(code, one, sizeof(one));
    if (!text.empty()) text += "; ";
    text += one;
  }
  return text.empty() ? "unknown error" : text;
}

// tls-protocols as SSL_OP_NO_* options for the versions left out; false on an unknown name.
bool protocol_options(const std::string& protocols, uint64_t& options) {
  bool v1 = false, v11 = false, v12 = false, v13 = false;
  if (protocols.empty()) {
    v12 = v13 = true;  // Redis's default: TLSv1.2 and TLSv1.3
  } else {
    std::istringstream words(protocols);
    std::string word;
    while (words >> word) {
      std::transform(word.begin(), word.end(), word.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (word == "tlsv1")
        v1 = true;
      else if (word == "tlsv1.1")
        v11 = true;
      else if (word == "tlsv1.2")
        v12 = true;
      else if (word == "tlsv1.3")
        v13 = true;
      else
        return false;
    }
  }
  options = (v1 ? 0 : SSL_OP_NO_TLSv1) | (v11 ? 0 : SSL_OP_NO_TLSv1_1) |
            (v12 ? 0 : SSL_OP_NO_TLSv1_2) | (v13 ? 0 : SSL_OP_NO_TLSv1_3);
  return v1 || v11 || v12 || v13;
}

int password_callback(char* buf, int size, int, void* userdata) {
  const auto* pass = static_cast<const std::string*>(userdata);
  if (!pass || size <= 0) return 0;
  int n = std::min(size, static_cast<int>(pass->size()));
  std::memcpy(buf, pass->data(), static_cast<size_t>(n));
  return n;
}

// One context (as Redis's createSSLContext): protocols, options, certificate and key, CAs,
// ciphers. `server_side` adds session caching and server cipher preference.
std::string make_context(const config::Config& c, bool server_side, const std::string& cert,
                         const std::string& key, const std::string& pass,
                         std::shared_ptr<Context>& out) {
  uint64_t protocols = 0;
  if (!protocol_options(c.tls_protocols, protocols)) {
    return "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', "
           "'TLSv1.2' and 'TLSv1.3'.";
  }
  auto context = std::make_shared<Context>(server_side ? Context::tls_server : Context::tls_client);
  SSL_CTX* ctx = context->native_handle();
  // (OpenSSL 3 refuses client-initiated renegotiation unless allowed.)
  uint64_t options = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION | protocols;
  if (server_side && c.tls_prefer_server_ciphers) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  SSL_CTX_set_options(ctx, options);
  if (server_side && c.tls_session_caching) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, c.tls_session_cache_size);
    SSL_CTX_set_timeout(ctx, c.tls_session_cache_timeout);
    static const unsigned char kSessionIdContext[] = "basalt";
    SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof(kSessionIdContext) - 1);
  } else {
    // No resumption at all: neither the server cache nor stateless session tickets.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (server_side) SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  }
  // Peers are verified against the CAs; a server connection relaxes this per
  // tls-auth-clients when it is accepted.
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);

  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) <= 0) {
    return "Failed to load certificate: " + cert + ": " + openssl_error();
  }
  SSL_CTX_set_default_passwd_cb(ctx, password_callback);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<std::string*>(&pass));
  int key_ok = SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
  SSL_CTX_set_default_passwd_cb(ctx, nullptr);
  if (key_ok <= 0) return "Failed to load private key: " + key + ": " + openssl_error();
  if (SSL_CTX_check_private_key(ctx) <= 0) {
    return "The private key " + key + " does not match the certificate " + cert + ": " +
           openssl_error();
  }
  if (!c.tls_ca_cert_file.empty() || !c.tls_ca_cert_dir.empty()) {
    const char* file = c.tls_ca_cert_file.empty() ? nullptr : c.tls_ca_cert_file.c_str();
    const char* dir = c.tls_ca_cert_dir.empty() ? nullptr : c.tls_ca_cert_dir.c_str();
    if (SSL_CTX_load_verify_locations(ctx, file, dir) <= 0) {
      return "Failed to configure CA certificate(s) file/directory: " + openssl_error();
    }
  }
  if (!c.tls_ciphers.empty() && SSL_CTX_set_cipher_list(ctx, c.tls_ciphers.c_str()) <= 0) {
    return "Failed to configure ciphers: " + openssl_error();
  }
  if (!c.tls_ciphersuites.empty() &&
      SSL_CTX_set_ciphersuites(ctx, c.tls_ciphersuites.c_str()) <= 0) {
    return "Failed to configure ciphersuites: " + openssl_error();
  }
  out = std::move(context);
  return "";
}

}  // namespace

bool TlsContexts::wanted(const config::Config& c) {
  return c.tls_port != 0 || c.tls_replication || c.http_tls;
}

int TlsContexts::client_verify_mode(const std::string& auth_clients) {
  if (auth_clients == "no") return SSL_VERIFY_NONE;
  if (auth_clients == "optional") return SSL_VERIFY_PEER;
  return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
}

std::string TlsContexts::build(const config::Config& c, std::shared_ptr<Context>& server,
                               std::shared_ptr<Context>& client) {
  if (c.tls_cert_file.empty()) return "No tls-cert-file configured!";
  if (c.tls_key_file.empty()) return "No tls-key-file configured!";
  if ((c.tls_auth_clients != "no" || c.tls_replication) && c.tls_ca_cert_file.empty() &&
      c.tls_ca_cert_dir.empty()) {
    return "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-replication "
           "or tls-auth-clients are enabled!";
  }
  std::string error =
      make_context(c, true, c.tls_cert_file, c.tls_key_file, c.tls_key_file_pass, server);
  if (!error.empty()) return error;
  // The replication link presents tls-client-cert-file if set, else the server's certificate.
  const bool own_client_cert = !c.tls_client_cert_file.empty();
  return make_context(c, false, own_client_cert ? c.tls_client_cert_file : c.tls_cert_file,
                      own_client_cert ? c.tls_client_key_file : c.tls_key_file,
                      own_client_cert ? c.tls_client_key_file_pass : c.tls_key_file_pass, client);
}

std::string TlsContexts::check(const config::Config& config) {
  std::shared_ptr<Context> server, client;
  return build(config, server, client);
}

std::string TlsContexts::load(const config::Config& config) {
  std::shared_ptr<Context> server, client;
  std::string error = build(config, server, client);
  if (!error.empty()) return error;
  server_ = std::move(server);
  client_ = std::move(client);
  return "";
}

}  // namespace basalt::core
