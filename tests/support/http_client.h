// tests/support/http_client.h — raw HTTP/1.1 against a node's admin API on loopback: send any
// bytes (malformed requests too), read one response (status, headers, body) with a deadline.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace basalt::test {

struct HttpResponse {
  int status = 0;                              // 0: no (complete) response
  std::map<std::string, std::string> headers;  // names lowercase
  std::string body;
};

// One connection; closed on destruction.
class HttpConnection {
 public:
  explicit HttpConnection(int port);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(const std::string& bytes);
  // Reads one response (Content-Length framed, or up to EOF); status 0 on timeout or EOF first.
  HttpResponse read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True once the server closed the connection (EOF or reset) within `timeout`.
  bool closed_by_peer(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string pending_;
};

// A request with method, path, optional bearer token and body on a new connection.
HttpResponse http_request(int port, const std::string& method, const std::string& path,
                          const std::string& token = "", const std::string& body = "");

}  // namespace basalt::test
