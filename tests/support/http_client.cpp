// tests/support/http_client.cpp — see http_client.h.
#include "tests/support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>

namespace basalt::test {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Parses `raw` if it holds a whole response; false if more bytes are needed.
bool parse(const std::string& raw, bool eof, HttpResponse& out, size_t& used) {
  size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  HttpResponse r;
  size_t line_end = raw.find("\r\n");
  std::string status_line = raw.substr(0, line_end);
  size_t sp = status_line.find(' ');
  if (sp == std::string::npos) return false;
  r.status = std::atoi(status_line.c_str() + sp + 1);
  size_t pos = line_end + 2;
  while (pos < end) {
    size_t eol = raw.find("\r\n", pos);
    std::string line = raw.substr(pos, eol - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      size_t v = line.find_first_not_of(' ', colon + 1);
      r.headers[lower(line.substr(0, colon))] = v == std::string::npos ? "" : line.substr(v);
    }
    pos = eol + 2;
  }
  size_t body_start = end + 4;
  if (auto it = r.headers.find("content-length"); it != r.headers.end()) {
    size_t len = std::stoul(it->second);
    if (raw.size() < body_start + len) return false;
    r.body = raw.substr(body_start, len);
    used = body_start + len;
  } else {
    if (!eof) return false;
    r.body = raw.substr(body_start);
    used = raw.size();
  }
  out = std::move(r);
  return true;
}

}  // namespace

HttpConnection::HttpConnection(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool HttpConnection::send(const std::string& bytes) {
  size_t done = 0;
  while (fd_ >= 0 && done < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return fd_ >= 0;
}

HttpResponse HttpConnection::read_response(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  HttpResponse out;
  size_t used = 0;
  bool eof = false;
  while (fd_ >= 0) {
    if (parse(pending_, eof, out, used)) {
      pending_.erase(0, used);
      return out;
    }
    if (eof) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[8192];
    ssize_t n = ::read(fd_, buf, sizeof(buf));
    if (n <= 0)
      eof = true;
    else
      pending_.append(buf, static_cast<size_t>(n));
  }
  return {};
}

bool HttpConnection::closed_by_peer(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (fd_ >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[4096];
    ssize_t n = ::read(fd_, buf, sizeof(buf));
    if (n <= 0) return true;
  }
  return true;
}

HttpResponse http_request(int port, const std::string& method, const std::string& path,
                          const std::string& token, const std::string& body) {
  HttpConnection c(port);
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  if (!c.send(req)) return {};
  return c.read_response();
}

}  // namespace basalt::test
