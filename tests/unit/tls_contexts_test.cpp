// tests/unit/tls_contexts_test.cpp — core::TlsContexts' checks, in Redis 7.0's order and words
// (a directive missing, a CA needed, a bad tls-protocols, a file that does not load), when TLS
// is wanted at all, the verify mode per tls-auth-clients; and util::LogRate's bound.
#include "node/core/tls_contexts.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>

#include "node/util/log_rate.h"

using basalt::config::Config;
using basalt::core::TlsContexts;

TEST(TlsContexts, WantedOnlyWhenSomethingUsesTls) {
  Config c;
  EXPECT_FALSE(TlsContexts::wanted(c));
  c.tls_port = 6380;
  EXPECT_TRUE(TlsContexts::wanted(c));
  c.tls_port = 0;
  c.tls_replication = true;
  EXPECT_TRUE(TlsContexts::wanted(c));
  c.tls_replication = false;
  c.http_tls = true;
  EXPECT_TRUE(TlsContexts::wanted(c));
}

TEST(TlsContexts, ChecksInRedisOrderWithRedisWords) {
  Config c;
  c.tls_port = 6380;
  EXPECT_EQ(TlsContexts::check(c), "No tls-cert-file configured!");
  c.tls_cert_file = "/nonexistent/server.crt";
  EXPECT_EQ(TlsContexts::check(c), "No tls-key-file configured!");
  c.tls_key_file = "/nonexistent/server.key";
  EXPECT_EQ(TlsContexts::check(c),
            "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-replication "
            "or tls-auth-clients are enabled!");
  c.tls_auth_clients = "no";  // no CA needed then
  c.tls_protocols = "TLSv1.2 SSLv3";
  EXPECT_EQ(TlsContexts::check(c),
            "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', "
            "'TLSv1.2' and 'TLSv1.3'.");
  c.tls_protocols = "tlsv1.3";  // case does not matter
  EXPECT_EQ(TlsContexts::check(c).rfind("Failed to load certificate: /nonexistent/server.crt: ", 0),
            0u)
      << TlsContexts::check(c);
  TlsContexts contexts;
  EXPECT_FALSE(contexts.load(c).empty());
  EXPECT_EQ(contexts.server(), nullptr) << "a failed load keeps no context";
}

TEST(TlsContexts, VerifyModePerAuthClients) {
  EXPECT_EQ(TlsContexts::client_verify_mode("no"), SSL_VERIFY_NONE);
  EXPECT_EQ(TlsContexts::client_verify_mode("optional"), SSL_VERIFY_PEER);
  EXPECT_EQ(TlsContexts::client_verify_mode("yes"),
            SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
}

TEST(LogRate, AllowsABurstThenCountsWhatItLeftOut) {
  basalt::util::LogRate rate(3, std::chrono::hours(1));
  uint64_t suppressed = 99;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(rate.allow(suppressed));
    EXPECT_EQ(suppressed, 0u);
  }
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(rate.allow(suppressed));
  basalt::util::LogRate fast(1, std::chrono::milliseconds(0));  // every call is a new window
  EXPECT_TRUE(fast.allow(suppressed));
  EXPECT_TRUE(fast.allow(suppressed));
}
