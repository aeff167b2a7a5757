// tests/support/tls_files.h — owns the TLS material of TLS tests, made at test time with the
// openssl CLI (never checked-in keys): a throwaway CA, a server certificate for 127.0.0.1 /
// localhost and a client certificate signed by it, plus a shell runner for the TLS clients
// the tests drive (redis-cli --tls, curl --cacert).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace basalt::test {

struct TlsFiles {
  std::filesystem::path dir;
  std::filesystem::path ca_cert, ca_key;
  std::filesystem::path server_cert, server_key;
  std::filesystem::path client_cert, client_key;

  // Makes a CA named `ca_name` and the two certificates in `dir` (created if missing). Throws
  // std::runtime_error with openssl's output if a step fails.
  static TlsFiles make(const std::filesystem::path& dir, const std::string& ca_name = "ca");

  // --tls-port <port> --tls-cert-file ... --tls-key-file ... --tls-ca-cert-file ...
  std::vector<std::string> server_args(int tls_port) const;
  // redis-cli's TLS options with the client certificate (or without, `with_cert` false).
  std::string cli_options(bool with_cert = true) const;
};

struct ShellResult {
  int status = -1;     // exit status (shell convention)
  std::string output;  // stdout and stderr
};
// Runs `command` with /bin/sh (stderr merged into stdout).
ShellResult run_shell(const std::string& command);
// Single-quotes `s` for the shell.
std::string shell_quote(const std::string& s);

}  // namespace basalt::test
