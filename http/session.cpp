// http/session.cpp — see session.h. Follows Beast's awaitable HTTP server example: one
// straight-line coroutine per connection over a beast::tcp_stream whose expiry bounds each
// read and write (and the TLS handshake, with http-tls); the request loop is written once
// for the plain and the TLS stream.
#include "http/session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>

#include "http/response.h"
#include "http/router.h"
#include "node/app/admin.h"

namespace basalt::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;

namespace {

using TlsStream = asio::ssl::stream<beast::tcp_stream>;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr size_t kHeaderLimit = 16 * 1024;
// After an error answer, input still arriving is read and dropped for this long (at most
// kDrainLimit bytes) so closing does not reset the connection before the client reads it.
constexpr auto kDrainTime = std::chrono::seconds(1);
constexpr size_t kDrainLimit = 4u << 20;

bhttp::response<bhttp::string_body> to_beast(Response r, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> res;
  res.version(version);
  res.result(r.status);
  res.keep_alive(keep_alive);
  res.set(bhttp::field::server, "basalt");
  res.set(bhttp::field::content_type, r.content_type);
  res.set(bhttp::field::cache_control, "no-store");
  for (auto& [name, value] : r.headers) res.set(name, value);
  res.body() = std::move(r.body);
  res.prepare_payload();
  return res;
}

// Writes `res`, then closes the connection gracefully (drains what the client still sends).
template <typename Stream>
asio::awaitable<void> answer_and_close(Stream& stream, bhttp::response<bhttp::string_body> res) {
  beast::tcp_stream& tcp_layer = beast::get_lowest_layer(stream);
  tcp_layer.expires_after(kDrainTime);
  auto [wec, wn] = co_await bhttp::async_write(stream, res, kNoThrow);
  if (!wec) {
    boost::system::error_code ignored;
    tcp_layer.socket().shutdown(tcp::socket::shutdown_send, ignored);
    char scrap[4096];
    size_t drained = 0;
    tcp_layer.expires_after(kDrainTime);
    while (drained < kDrainLimit) {
      auto [rec, n] = co_await stream.async_read_some(asio::buffer(scrap), kNoThrow);
      if (rec) break;
      drained += n;
    }
  }
  boost::system::error_code ignored;
  tcp_layer.socket().close(ignored);
}

// The status for a request Beast could not read, or 0 if the connection just ended.
unsigned status_for_read_error(const boost::system::error_code& ec) {
  if (ec == bhttp::error::body_limit) return 413;
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return 0;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) return 400;
  return 0;  // timeout, reset, ...
}

// Answers requests on `stream` until the client closes, errs or times out.
template <typename Stream>
asio::awaitable<void> serve_requests(app::NodeApp& node, Stream& stream) {
  beast::tcp_stream& tcp_layer = beast::get_lowest_layer(stream);
  beast::flat_buffer buffer;
  for (;;) {
    const app::AdminEndpoint limits = app::admin_endpoint(node);
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(limits.max_body_bytes);
    tcp_layer.expires_after(std::chrono::seconds(limits.read_timeout_seconds));
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
    if (ec) {
      const unsigned status = status_for_read_error(ec);
      if (status == 0) break;
      const char* why = status == 413   ? "request body too large (http-max-body)"
                        : status == 431 ? "request header fields too large"
                                        : "malformed HTTP request";
      co_await answer_and_close(stream, to_beast(error_response(status, why), 11, false));
      co_return;
    }
    auto& req = parser.get();
    std::string method(req.method_string());
    Request request{method, req.target(), req[bhttp::field::authorization], std::move(req.body())};
    Response answer = co_await handle(node, std::move(request));
    std::function<void()> after_write = std::move(answer.after_write);
    auto res = to_beast(std::move(answer), req.version(), req.keep_alive() && !after_write);
    if (req.method() == bhttp::verb::head) res.body().clear();  // Content-Length stays
    tcp_layer.expires_after(std::chrono::seconds(limits.read_timeout_seconds));
    auto [wec, wn] = co_await bhttp::async_write(stream, res, kNoThrow);
    if (after_write) {
      // Posted: it may stop the server this session belongs to (POST /shutdown).
      asio::post(stream.get_executor(), std::move(after_write));
      break;
    }
    if (wec || !res.keep_alive()) break;
  }
  boost::system::error_code ignored;
  tcp_layer.socket().shutdown(tcp::socket::shutdown_both, ignored);
  tcp_layer.socket().close(ignored);
}

}  // namespace

asio::awaitable<void> serve_session(app::NodeApp& node, tcp::socket socket,
                                    std::shared_ptr<SessionCount> count) {
  ++count->active;
  struct Release {
    SessionCount& c;
    ~Release() { --c.active; }
  } release{*count};

  const app::AdminEndpoint endpoint = app::admin_endpoint(node);
  if (!endpoint.tls_context) {
    beast::tcp_stream stream(std::move(socket));
    co_await serve_requests(node, stream);
    co_return;
  }
  // http-tls: the handshake is bounded like a request; a client that fails it (plain HTTP,
  // no certificate under tls-auth-clients yes) is closed without an answer.
  TlsStream stream(beast::tcp_stream(std::move(socket)), *endpoint.tls_context);
  boost::system::error_code ec;
  stream.set_verify_mode(endpoint.tls_verify_mode, ec);
  beast::get_lowest_layer(stream).expires_after(
      std::chrono::seconds(endpoint.read_timeout_seconds));
  auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow);
  if (hec) {
    beast::get_lowest_layer(stream).socket().close(ec);
    co_return;
  }
  co_await serve_requests(node, stream);
}

asio::awaitable<void> refuse_session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  co_await answer_and_close(
      stream, to_beast(error_response(503, "too many admin connections (http-max-connections)"), 11,
                       false));
}

}  // namespace basalt::http
