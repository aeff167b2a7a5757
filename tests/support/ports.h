// tests/support/ports.h — owns loopback port allocation for tests: hands out TCP ports on
// 127.0.0.1 that were free at the time of the call and never the same port twice per process.
#pragma once

namespace basalt::test {

// Returns a TCP port on 127.0.0.1 that the kernel reported free (bind to port 0, read the
// port back, close). Thread-safe; never returns the same port twice within one process.
// The port is only known to be free at the moment of the call: another process may still
// take it before the caller binds it (ServerProcess::start retries on "address in use").
// Throws std::runtime_error if no port can be obtained.
int free_port();

}  // namespace basalt::test
