// tests/support/server_fixture.h — owns the fixture of tests against one basalt server
// (BasaltSuite): the server is started for the first test of a suite (again if it died) and
// stopped after the suite; each test gets an empty data set (FLUSHALL) and a fresh client, and a
// failing test prints the server's log tail.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"

namespace basalt::test {

// Derive a suite's fixture from it (TEST_F(MySuite, ...)). Suites run one after another, so the
// derived suites take turns with one server slot.
class BasaltSuite : public ::testing::Test {
 protected:
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;

  // This test's client.
  RespClient& c() { return *client_; }
  // The raw reply to `args` on this test's client.
  std::string run(const std::vector<std::string>& args) { return client_->command_raw(args); }
  // Another client of the server.
  RespClient other() { return server_->client(); }
  // blocked_clients of INFO clients.
  int blocked_clients();

 private:
  static inline std::unique_ptr<BasaltServer> server_;
  std::optional<RespClient> client_;
};

}  // namespace basalt::test
