#include "http_endpoints.h"

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <deque>
#include <stdexcept>
#include <thread>
#include <utility>

namespace sluice::controller {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// "host:port" split at the last colon; "[::1]:80" keeps "[::1]" as the host.
bool splitHostPort(const std::string& bind, std::string& host, std::string& port) {
  auto colon = bind.rfind(':');
  if (colon == std::string::npos) return false;
  host = bind.substr(0, colon);
  port = bind.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return false;
  int p = std::stoi(port);
  return p >= 1 && p <= 65535;
}

struct Reply {
  Reply(int code, std::string body, std::string contentType = "text/plain; charset=utf-8",
        std::string extraHeaders = "")
      : code(code), body(std::move(body)), contentType(std::move(contentType)), extraHeaders(std::move(extraHeaders)) {}
  int code;
  std::string body;
  std::string contentType;
  std::string extraHeaders;  // each ending in \r\n
};

const char* reasonPhrase(int code) {
  switch (code) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

std::string render(const Reply& r, bool headOnly) {
  std::string out = "HTTP/1.1 " + std::to_string(r.code) + " " + reasonPhrase(r.code) + "\r\n";
  out += "Content-Type: " + r.contentType + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  out += "Connection: close\r\n" + r.extraHeaders + "\r\n";
  if (!headOnly) out += r.body;
  return out;
}

}  // namespace

std::string listenUrlFromBindAddress(const std::string& bind) {
  std::string host, port;
  if (!splitHostPort(bind, host, port)) return "";
  if (host.empty()) host = "0.0.0.0";
  return "http://" + host + ":" + port;
}

RequestLine parseRequestLine(const std::string& head) {
  RequestLine rl;
  std::string line = head.substr(0, head.find("\r\n"));
  auto sp1 = line.find(' ');
  if (sp1 == std::string::npos) return rl;
  auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string::npos || line.find(' ', sp2 + 1) != std::string::npos) return rl;
  std::string method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string version = line.substr(sp2 + 1);
  if (method.empty() || method.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) return rl;
  if (target.empty() || target[0] != '/') return rl;  // origin-form only; probes and Prometheus send it
  if (version.rfind("HTTP/1.", 0) != 0 || version.size() != 8) return rl;
  rl.ok = true;
  rl.method = method;
  rl.path = target.substr(0, target.find('?'));
  return rl;
}

namespace {
class Connection;
}  // namespace

// Members the connections touch come before the io_context: pending handlers
// (and so connections) are destroyed inside ~io_context, and must still find
// them alive.
struct HttpEndpoints::Impl {
  EndpointHandlers handlers;
  EndpointLimits limits;
  std::size_t openConnections = 0;  // only touched on the io thread
  std::deque<std::weak_ptr<Connection>> live;  // in accept order; io thread only
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::steady_timer acceptRetry{io};
  std::thread thread;

  void accept();
  Reply route(const RequestLine& rl);
};

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const EndpointLimits& limits, std::size_t& open,
             std::function<Reply(const RequestLine&)> route)
      : socket_(std::move(socket)),
        deadline_(socket_.get_executor()),
        head_(limits.maxRequestHeadBytes),
        limits_(limits),
        open_(open),
        route_(std::move(route)) {
    ++open_;
  }
  ~Connection() { --open_; }

  // Still waiting for its request: the one to drop when the cap is reached.
  bool waiting() const { return waiting_ && socket_.is_open(); }

  void close() {
    error_code ignored;
    deadline_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  void start() {
    auto self = shared_from_this();
    deadline_.expires_after(limits_.requestDeadline);
    deadline_.async_wait([self](const error_code& ec) {
      if (!ec) self->close();  // too slow: drop it, whatever it was doing
    });
    asio::async_read_until(socket_, head_, "\r\n\r\n",
                           [self](const error_code& ec, std::size_t n) { self->onHead(ec, n); });
  }

 private:
  void onHead(const error_code& ec, std::size_t n) {
    waiting_ = false;
    if (ec == asio::error::not_found) {  // the head outgrew maxRequestHeadBytes
      send({431, "request head too large"}, false);
      return;
    }
    if (ec) {
      close();
      return;
    }
    auto begin = asio::buffers_begin(head_.data());
    RequestLine rl = parseRequestLine(std::string(begin, begin + static_cast<std::ptrdiff_t>(n)));
    if (!rl.ok) {
      send({400, "malformed request line"}, false);
      return;
    }
    if (rl.method != "GET" && rl.method != "HEAD") {
      send({405, "method not allowed", "text/plain; charset=utf-8", "Allow: GET, HEAD\r\n"}, false);
      return;
    }
    send(route_(rl), rl.method == "HEAD");
  }

  void send(const Reply& reply, bool headOnly) {
    out_ = render(reply, headOnly);
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(out_), [self](const error_code& ec, std::size_t) {
      if (ec) {
        self->close();
        return;
      }
      // Closing with unread bytes (say, the rest of an oversized head) makes
      // the kernel send a reset that can destroy the reply before the client
      // reads it. So end our side, then drain until the client closes or the
      // deadline passes (nginx's lingering close).
      error_code ignored;
      self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
      self->drain();
    });
  }

  void drain() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(discard_), [self](const error_code& ec, std::size_t) {
      if (ec) {
        self->close();
      } else {
        self->drain();
      }
    });
  }

  tcp::socket socket_;
  bool waiting_ = true;
  asio::steady_timer deadline_;
  asio::streambuf head_;
  std::string out_;
  char discard_[1024];
  const EndpointLimits& limits_;
  std::size_t& open_;
  std::function<Reply(const RequestLine&)> route_;
};

}  // namespace

Reply HttpEndpoints::Impl::route(const RequestLine& rl) {
  try {
    if (rl.path == "/healthz" || rl.path == "/livez") return {200, "ok"};
    if (rl.path == "/readyz") {
      bool ready = handlers.ready && handlers.ready();
      return ready ? Reply{200, "ok"} : Reply{503, "not ready"};
    }
    if (rl.path == "/metrics" && handlers.metrics) {
      return {200, handlers.metrics(), "text/plain; version=0.0.4; charset=utf-8"};
    }
    return {404, "not found"};
  } catch (const std::exception& e) {
    // A failing handler answers this request with 500; the server goes on.
    return {500, std::string("internal error: ") + e.what()};
  }
}

void HttpEndpoints::Impl::accept() {
  acceptor.async_accept([this](const error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;  // shutting down
    if (ec) {
      // Out of file descriptors and the like: back off instead of spinning.
      acceptRetry.expires_after(std::chrono::milliseconds(100));
      acceptRetry.async_wait([this](const error_code& e) {
        if (!e) accept();
      });
      return;
    }
    // At the cap, the oldest connection still waiting for its request makes
    // room: idle clients cannot lock out the kubelet's probes, which send
    // their request at once and are answered at once.
    live.erase(std::remove_if(live.begin(), live.end(), [](const auto& c) { return c.expired(); }), live.end());
    if (openConnections >= limits.maxConnections) {
      bool madeRoom = false;
      for (const auto& weak : live) {
        auto c = weak.lock();
        if (c && c->waiting()) {
          c->close();  // its handlers finish it (and free the count) on this thread soon
          madeRoom = true;
          break;
        }
      }
      if (!madeRoom) {  // every connection is being answered: they end on their own
        error_code ignored;
        socket.close(ignored);
        accept();
        return;
      }
    }
    auto connection = std::make_shared<Connection>(std::move(socket), limits, openConnections,
                                                   [this](const RequestLine& rl) { return route(rl); });
    live.push_back(connection);
    connection->start();
    accept();
  });
}

HttpEndpoints::HttpEndpoints(const std::string& bindAddress, EndpointHandlers handlers, EndpointLimits limits) {
  url_ = listenUrlFromBindAddress(bindAddress);
  std::string host, port;
  if (url_.empty() || !splitHostPort(bindAddress, host, port)) {
    throw std::runtime_error("invalid bind address \"" + bindAddress + "\": want HOST:PORT or :PORT");
  }
  if (host.empty()) host = "0.0.0.0";
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);

  impl_ = std::make_unique<Impl>();
  impl_->handlers = std::move(handlers);
  impl_->limits = limits;
  try {
    tcp::resolver resolver(impl_->io);
    auto endpoints = resolver.resolve(host, port, tcp::resolver::passive | tcp::resolver::numeric_service);
    tcp::endpoint endpoint = endpoints.begin()->endpoint();
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot listen on " + bindAddress + ": " + e.what());
  }
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

HttpEndpoints::~HttpEndpoints() {
  // Stop the loop, then let ~io_context destroy the pending handlers, which
  // closes any connection still open.
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace sluice::controller
