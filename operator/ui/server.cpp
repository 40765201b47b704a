#include "ui/server.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
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

void setTimeouts(tcp::socket& socket, int seconds) {
  timeval tv{seconds, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool writeResponse(tcp::socket& socket, const HttpResponse& r, bool keepAlive, unsigned version) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "sluice-ui");
  res.set(http::field::content_type, r.contentType);
  for (const auto& [k, v] : r.headers) res.insert(k, v);
  res.body() = r.body;
  res.keep_alive(keepAlive);
  res.prepare_payload();
  beast::error_code ec;
  http::write(socket, res, ec);
  return !ec;
}

// Server-sent events: headers, then the body as it comes, then close.
void stream(tcp::socket& socket, const Routed& routed, const std::shared_ptr<Server::State>& state) {
  std::string head = "HTTP/1.1 " + std::to_string(routed.response.status) + " OK\r\nContent-Type: " +
                     routed.response.contentType + "\r\nConnection: close\r\nX-Accel-Buffering: no\r\n";
  for (const auto& [k, v] : routed.response.headers) head += k + ": " + v + "\r\n";
  head += "\r\n";
  beast::error_code ec;
  asio::write(socket, asio::buffer(head), ec);
  if (ec) return;
  // The body may write from several threads (events and heartbeats).
  std::mutex writeMutex;
  std::atomic<bool> gone{false};
  StreamWriter write = [&](const std::string& chunk) {
    std::lock_guard<std::mutex> lock(writeMutex);
    if (gone || state->stopping) return false;
    beast::error_code wec;
    asio::write(socket, asio::buffer(chunk), wec);
    if (wec) gone = true;
    return !gone;
  };
  (*routed.stream)(write);
}

void serveConnection(tcp::socket socket, std::shared_ptr<Server::State> state) {
  setTimeouts(socket, state->options.idleSeconds);
  beast::flat_buffer buffer;
  while (!state->stopping) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(256 * 1024);
    beast::error_code ec;
    http::read(socket, buffer, parser, ec);
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      writeResponse(socket, errorResponse(413, "request too large"), false, 11);
      break;
    }
    if (ec) break;
    const auto& req = parser.get();
    bool ok = true;
    HttpRequest request = convert(req, ok);
    if (!ok) {
      writeResponse(socket, errorResponse(400, "malformed percent-encoding in the request target"), false, req.version());
      break;
    }
    Routed routed;
    try {
      routed = state->router(request);
    } catch (const std::exception& e) {
      routed.response = errorResponse(500, std::string("internal error: ") + e.what());
    }
    if (routed.stream) {
      stream(socket, routed, state);
      break;
    }
    if (!writeResponse(socket, routed.response, req.keep_alive(), req.version()) || !req.keep_alive()) break;
  }
  beast::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
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
    tcp::socket socket(state_->io);
    beast::error_code ec;
    state_->acceptor.accept(socket, ec);
    if (ec) {
      if (state_->stopping) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // e.g. out of file descriptors
      continue;
    }
    if (state_->connections.fetch_add(1) >= state_->options.maxConnections) {
      state_->connections.fetch_sub(1);
      writeResponse(socket, errorResponse(503, "too many connections"), false, 11);
      continue;
    }
    std::thread([s = std::move(socket), state = state_]() mutable {
      serveConnection(std::move(s), state);
      state->connections.fetch_sub(1);
    }).detach();
  }
}

void Server::stop() {
  if (state_->stopping.exchange(true)) return;
  // Wakes the blocking accept() in run() (Linux returns EINVAL to it).
  ::shutdown(state_->acceptor.native_handle(), SHUT_RDWR);
}

}  // namespace sluice::ui
