// tests/support/tls_files.cpp — see tls_files.h.
#include "tests/support/tls_files.h"

#include <sys/wait.h>

#include <cstdio>
#include <stdexcept>

#include "tests/support/process.h"

namespace basalt::test {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

ShellResult run_shell(const std::string& command) {
  ShellResult result;
  std::string full = "(" + command + ") 2>&1";
  FILE* pipe = ::popen(full.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed for: " + command);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) result.output.append(buf, n);
  int raw = ::pclose(pipe);
  result.status = raw == -1 ? -1 : Process::decode_status(raw);
  return result;
}

namespace {
void openssl(const std::string& args) {
  ShellResult r = run_shell("openssl " + args);
  if (r.status != 0) {
    throw std::runtime_error("openssl " + args + " failed (" + std::to_string(r.status) + "):\n" +
                             r.output);
  }
}

// A P-256 key and a certificate for `subject` signed by the CA, with `extensions`.
void signed_cert(const TlsFiles& f, const fs::path& key, const fs::path& cert,
                 const std::string& subject, const std::string& extensions) {
  fs::path csr = cert;
  csr.replace_extension(".csr");
  fs::path ext = cert;
  ext.replace_extension(".ext");
  {
    FILE* out = std::fopen(ext.c_str(), "w");
    if (!out) throw std::runtime_error("cannot write " + ext.string());
    std::fputs(extensions.c_str(), out);
    std::fclose(out);
  }
  openssl("req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj " +
          shell_quote(subject) + " -keyout " + shell_quote(key) + " -out " + shell_quote(csr));
  openssl("x509 -req -sha256 -days 2 -in " + shell_quote(csr) + " -CA " + shell_quote(f.ca_cert) +
          " -CAkey " + shell_quote(f.ca_key) + " -CAcreateserial -extfile " + shell_quote(ext) +
          " -out " + shell_quote(cert));
}
}  // namespace

TlsFiles TlsFiles::make(const fs::path& dir, const std::string& ca_name) {
  fs::create_directories(dir);
  TlsFiles f;
  f.dir = dir;
  f.ca_cert = dir / (ca_name + ".crt");
  f.ca_key = dir / (ca_name + ".key");
  f.server_cert = dir / (ca_name + "-server.crt");
  f.server_key = dir / (ca_name + "-server.key");
  f.client_cert = dir / (ca_name + "-client.crt");
  f.client_key = dir / (ca_name + "-client.key");
  openssl(
      "req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 "
      "-days 2 -subj " +
      shell_quote("/O=basalt test/CN=basalt test " + ca_name) + " -keyout " +
      shell_quote(f.ca_key) + " -out " + shell_quote(f.ca_cert));
  signed_cert(f, f.server_key, f.server_cert, "/O=basalt test/CN=localhost",
              "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
              "keyUsage=digitalSignature,keyEncipherment\n"
              "extendedKeyUsage=serverAuth,clientAuth\n");
  signed_cert(f, f.client_key, f.client_cert, "/O=basalt test/CN=client",
              "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n");
  return f;
}

std::vector<std::string> TlsFiles::server_args(int tls_port) const {
  return {"--tls-port",     std::to_string(tls_port), "--tls-cert-file",    server_cert.string(),
          "--tls-key-file", server_key.string(),      "--tls-ca-cert-file", ca_cert.string()};
}

std::string TlsFiles::cli_options(bool with_cert) const {
  std::string s = "--tls --cacert " + shell_quote(ca_cert);
  if (with_cert) s += " --cert " + shell_quote(client_cert) + " --key " + shell_quote(client_key);
  return s;
}

}  // namespace basalt::test
