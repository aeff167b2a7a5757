// http/session.h — one admin API connection: HTTP/1.1 keep-alive, each request (and each
// idle wait between requests) bounded by http-read-timeout, bodies capped at http-max-body
// (413), malformed requests answered 400 and closed. A connection beyond
// http-max-connections gets one 503 and is closed.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <memory>

namespace basalt::app {
class NodeApp;
}

namespace basalt::http {

// Counts the sessions alive; shared with them so it outlives the server object.
struct SessionCount {
  size_t active = 0;
};

// Serves `socket` until the client closes, errs or times out.
boost::asio::awaitable<void> serve_session(app::NodeApp& node, boost::asio::ip::tcp::socket socket,
                                           std::shared_ptr<SessionCount> count);

// Answers 503 (too many connections) and closes.
boost::asio::awaitable<void> refuse_session(boost::asio::ip::tcp::socket socket);

}  // namespace basalt::http
