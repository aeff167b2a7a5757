// tests/support/server_fixture.cpp — the one-server test fixture (see server_fixture.h).
#include "tests/support/server_fixture.h"

#include <iostream>

#include "tests/support/wait.h"

namespace basalt::test {

void BasaltSuite::TearDownTestSuite() {
  server_.reset();
}

void BasaltSuite::SetUp() {
  if (!server_ || !server_->running()) {
    server_.reset();
    server_ = std::make_unique<BasaltServer>();
    server_->start();
  }
  client_.emplace(server_->client());
  ASSERT_EQ(run({"FLUSHALL"}), "+OK\r\n");
}

void BasaltSuite::TearDown() {
  if (HasFailure() && server_) {
    std::cerr << "--- server log tail ---\n" << server_->log_tail(30) << "--- end ---\n";
  }
  client_.reset();
}

int BasaltSuite::blocked_clients() {
  return static_cast<int>(info_int(*client_, "clients", "blocked_clients"));
}

}  // namespace basalt::test
