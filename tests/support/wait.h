// tests/support/wait.h — waiting for a condition with a deadline (never a bare sleep), reading
// INFO fields, and waiting for a replica's link to its master.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "tests/support/resp_client.h"

namespace basalt::test {

// Polls `condition` every few milliseconds until it holds (true) or `timeout` passes (false).
bool wait_until(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));

// The value of `field` in `INFO section`, or "" if absent.
std::string info_field(RespClient& client, const std::string& section, const std::string& field);
long long info_int(RespClient& client, const std::string& section, const std::string& field);

// Waits until `replica` reports master_link_status:up in INFO replication (true), or timeout.
bool wait_for_master_link(RespClient& replica, std::chrono::milliseconds timeout);

// Waits until `replica` has applied everything `master` has: both report the same
// master_repl_offset in INFO replication (true), or timeout.
bool wait_for_same_offset(RespClient& master, RespClient& replica,
                          std::chrono::milliseconds timeout);

}  // namespace basalt::test
