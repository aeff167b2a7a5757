// tests/unit/http_views_test.cpp — the admin API's pure parts: INFO text to JSON, label
// escaping in the metrics text, and the bearer-token and startup checks.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/auth.h"
#include "http/info_json.h"
#include "http/metrics.h"

namespace basalt::http {
namespace {

TEST(HttpInfoJson, SectionsFieldsNumbersAndNestedLists) {
  auto o = info_to_json(
      "# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:12\r\nneg:-3\r\n"
      "ratio:1.25\r\nperc:100.00%\r\nempty:\r\n\r\n# Replication\r\n"
      "slave0:ip=127.0.0.1,port=6380,state=online,offset=42,lag=0\r\n"
      "master_replid:1e5abc\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n");
  EXPECT_EQ(o.at("server").at("redis_version"), "7.0.15");
  EXPECT_EQ(o.at("server").at("uptime_in_seconds"), 12u);
  EXPECT_EQ(o.at("server").at("neg"), -3);
  EXPECT_EQ(o.at("server").at("ratio"), 1.25);
  EXPECT_EQ(o.at("server").at("perc"), "100.00%");
  EXPECT_EQ(o.at("server").at("empty"), "");
  EXPECT_EQ(o.at("replication").at("slave0").at("ip"), "127.0.0.1");
  EXPECT_EQ(o.at("replication").at("slave0").at("offset"), 42u);
  EXPECT_EQ(o.at("replication").at("master_replid"), "1e5abc");
  EXPECT_EQ(o.at("keyspace").at("db0").at("keys"), 1u);
  EXPECT_EQ(scalar_json("+1"), "+1");
  EXPECT_EQ(scalar_json("-"), "-");
  EXPECT_EQ(scalar_json("1."), "1.");
  EXPECT_EQ(scalar_json("18446744073709551615"), 18446744073709551615ull);
}

TEST(HttpMetrics, LabelValuesAreEscaped) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  MetricsWriter w;
  w.family("x_total", "counter", "Help.");
  w.sample({{"code", "Q\"X"}}, uint64_t{2});
  w.sample({}, 0.5);
  EXPECT_EQ(w.take(),
            "# HELP x_total Help.\n# TYPE x_total counter\nx_total{code=\"Q\\\"X\"} 2\n"
            "x_total 0.5\n");
}

TEST(HttpAuth, BearerTokenAndLoopback) {
  EXPECT_FALSE(auth_refusal("", "", "127.0.0.1"));
  EXPECT_FALSE(auth_refusal("", "", "::1"));
  EXPECT_FALSE(auth_refusal("", "", "localhost"));
  EXPECT_TRUE(auth_refusal("", "", "0.0.0.0"));
  EXPECT_TRUE(auth_refusal("", "t", "127.0.0.1"));
  EXPECT_TRUE(auth_refusal("Bearer x", "t", "127.0.0.1"));
  EXPECT_TRUE(auth_refusal("Basic t", "t", "127.0.0.1"));
  EXPECT_TRUE(auth_refusal("Bearer", "t", "127.0.0.1"));
  EXPECT_FALSE(auth_refusal("Bearer t", "t", "0.0.0.0"));
  EXPECT_FALSE(auth_refusal("bearer  t ", "t", "0.0.0.0"));
  EXPECT_EQ(startup_refusal("127.0.0.5", ""), "");
  EXPECT_EQ(startup_refusal("[::1]", ""), "");
  EXPECT_EQ(startup_refusal("::ffff:127.0.0.1", ""), "");
  EXPECT_EQ(startup_refusal("0.0.0.0", "t"), "");
  EXPECT_NE(startup_refusal("0.0.0.0", ""), "");
  EXPECT_NE(startup_refusal("::", ""), "");
  EXPECT_NE(startup_refusal("10.0.0.1", ""), "");
  EXPECT_NE(startup_refusal("example.com", ""), "");
}

}  // namespace
}  // namespace basalt::http
