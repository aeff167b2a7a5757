// tests/support/heavy_probe.h — what the heavy-command tests (heavy jobs, heavy
// transactions, heavy reads, capped scans) share: filling big collections by pipelining, and
// the ordering check: whether a client's reply has arrived, and whether another client's
// PING is answered while a heavy command (counted by an INFO stats field) has no reply yet.
// An order, not a timing.
#pragma once

#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/resp_client.h"

namespace basalt::test {

// Sends `commands` pipelined and checks that no reply is an error (stops at the first).
void send_pipelined(RespClient& c, const std::vector<Command>& commands);

// True if `c` has reply bytes buffered or waiting on its socket.
bool reply_ready(const RespClient& c);

// Sends `command` on `heavy`, waits until INFO stats `counter` of the node moved (the node
// started it off the loop), then PINGs on `other`: true if a PING was answered while `heavy`
// had no reply yet. `reply` gets the heavy command's reply.
bool ping_answered_during(RespClient& heavy, RespClient& other, const Command& command,
                          Reply& reply, const std::string& counter = "heavy_jobs");

}  // namespace basalt::test
