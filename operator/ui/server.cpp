#include "ui/server.h"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace sluice::ui {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Server::State {
  ServerOptions options;
  Router router;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::atomic<bool> stopping{false};
  std::atomic<int> connections{0};
};

void addSecurityHeaders(HttpResponse& r, bool isApi) {
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", isApi ? "no-store" : "no-cache");
}

namespace {

HttpRequest convert(const http::request<http::string_body>& req, bool& ok) {
  HttpRequest r;
  r.method = std::string(req.method_string());
  ok = splitTarget(std::string(req.target()), r.path, r.query);
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(field.value());
  }
  r.body = req.body();
  return r;
}

// Each connection has its own io_context, run only by its own thread, so
// every read and write can be an async operation with a deadline (blocking
// socket calls would wait forever on a client that never sends or never
// reads: SO_RCVTIMEO does not stop asio's blocking calls).
struct Connection {
  std::unique_ptr<asio::io_context> io;
  beast::tcp_stream stream;
  std::chrono::seconds idle;

  Connection(std::unique_ptr<asio::io_context> context, tcp::socket socket, std::chrono::seconds idleTimeout)
      : io(std::move(context)), stream(std::move(socket)), idle(idleTimeout) {}

  // Runs the operation started by `start` until it completes or the
  // deadline closes the stream; its error code.
  template <typename Start>
  beast::error_code run(std::chrono::seconds deadline, Start start) {
    beast::error_code result = asio::error::timed_out;
    stream.expires_after(deadline);
    start([&result](beast::error_code ec, std::size_t) { result = ec; });
    io->restart();
    io->run();
    return result;
  }

  bool write(const std::string& bytes) {
    return !run(idle, [&](auto handler) { asio::async_write(stream, asio::buffer(bytes), handler); });
  }
};

bool writeResponse(Connection& c, const HttpResponse& r, bool keepAlive, unsigned version) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "sluice-ui");
  res.set(http::field::content_type, r.contentType);
  for (const auto& [k, v] : r.headers) res.insert(k, v);
  res.body() = r.body;
  res.keep_alive(keepAlive);
  res.prepare_payload();
  return !c.run(c.idle, [&](auto handler) { http::async_write(c.stream, res, handler); });
}

// Server-sent events: headers, then the body as it comes, then close.
void stream(Connection& c, const Routed& routed, const std::shared_ptr<Server::State>& state) {
  std::string head = "HTTP/1.1 " + std::to_string(routed.response.status) + " OK\r\nContent-Type: " +
                     routed.response.contentType + "\r\nConnection: close\r\nX-Accel-Buffering: no\r\n";
  for (const auto& [k, v] : routed.response.headers) head += k + ": " + v + "\r\n";
  head += "\r\n";
  if (!c.write(head)) return;
  // The body may write from several threads (events and heartbeats); the
  // connection's io_context is run by whoever holds the lock.
  std::mutex writeMutex;
  bool gone = false;
  StreamWriter write = [&](const std::string& chunk) {
    std::lock_guard<std::mutex> lock(writeMutex);
    if (gone || state->stopping) return false;
    gone = !c.write(chunk);  // a client that stops reading is dropped after the idle timeout
    return !gone;
  };
  (*routed.stream)(write);
}

void serveConnection(Connection& c, const std::shared_ptr<Server::State>& state) {
  beast::flat_buffer buffer;
  while (!state->stopping) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(256 * 1024);
    // A whole request within the idle time, or the connection is closed.
    beast::error_code ec = c.run(c.idle, [&](auto handler) { http::async_read(c.stream, buffer, parser, handler); });
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      writeResponse(c, errorResponse(413, "request too large"), false, 11);
      break;
    }
    if (ec) break;
    const auto& req = parser.get();
    bool ok = true;
    HttpRequest request = convert(req, ok);
    if (!ok) {
      writeResponse(c, errorResponse(400, "malformed percent-encoding in the request target"), false, req.version());
      break;
    }
    Routed routed;
    try {
      routed = state->router(request);
    } catch (const std::exception& e) {
      routed.response = errorResponse(500, std::string("internal error: ") + e.what());
    }
    if (routed.stream) {
      stream(c, routed, state);
      break;
    }
    if (!writeResponse(c, routed.response, req.keep_alive(), req.version()) || !req.keep_alive()) break;
  }
  beast::error_code ignored;
  c.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  c.stream.close();
}

}  // namespace

Server::Server(ServerOptions options, Router router) : state_(std::make_shared<State>()) {
  state_->options = std::move(options);
  state_->router = std::move(router);
  const tcp::endpoint endpoint(asio::ip::make_address(state_->options.address), state_->options.port);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(asio::socket_base::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
}

Server::~Server() { stop(); }

unsigned short Server::port() const { return state_->acceptor.local_endpoint().port(); }

void Server::run() {
  while (!state_->stopping) {
    auto io = std::make_unique<asio::io_context>();
    beast::error_code ec;
    tcp::socket socket = state_->acceptor.accept(*io, ec);
    if (ec) {
      if (state_->stopping) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // e.g. out of file descriptors
      continue;
    }
    auto conn = std::make_shared<Connection>(std::move(io), std::move(socket), std::chrono::seconds(state_->options.idleSeconds));
    if (state_->connections.fetch_add(1) >= state_->options.maxConnections) {
      state_->connections.fetch_sub(1);
      conn->idle = std::chrono::seconds(2);  // the answer, or nothing, quickly
      writeResponse(*conn, errorResponse(503, "too many connections"), false, 11);
      continue;
    }
    try {
      std::thread([conn, state = state_] {
        // Nothing a connection does may end the server.
        try {
          serveConnection(*conn, state);
        } catch (const std::exception&) {
        }
        state->connections.fetch_sub(1);
      }).detach();
    } catch (const std::system_error&) {  // no thread to be had (e.g. a pids limit): drop this one
      state_->connections.fetch_sub(1);
    }
  }
}

void Server::stop() {
  if (state_->stopping.exchange(true)) return;
  // Wakes the blocking accept() in run() (Linux returns EINVAL to it).
  ::shutdown(state_->acceptor.native_handle(), SHUT_RDWR);
}

}  // namespace sluice::ui
