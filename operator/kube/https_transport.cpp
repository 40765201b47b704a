#include "kube/https_transport.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cpprest/base_uri.h>
#include <openssl/ssl.h>

#include "kube/tls.h"

namespace sluice::kube {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// A connection unused for longer may have been closed by the server; the
// API server keeps idle connections open longer than this.
constexpr auto kMaxIdle = std::chrono::seconds(30);
// How often a blocked exchange looks at its cancellation token.
constexpr auto kCancelPoll = std::chrono::milliseconds(100);

Error cancelled() { return Error{ErrorKind::Cancelled, 0, "", "cancelled", std::nullopt}; }

}  // namespace

// One kept-alive TLS connection with its own io_context, run only by the
// thread that holds the connection: every operation is asynchronous with a
// deadline (asio's blocking calls ignore socket timeouts), completed on the
// calling thread.
struct HttpsTransport::Connection {
  std::unique_ptr<asio::io_context> io = std::make_unique<asio::io_context>();
  beast::ssl_stream<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since = std::chrono::steady_clock::now();

  explicit Connection(asio::ssl::context& tls) : stream(*io, tls) {}

  // Runs what `start` begins until its handler ran, the stream's deadline
  // closed it, or `cancel` fired (then the stream is closed). The handler's
  // error code, or operation_aborted when cancelled.
  template <typename Start>
  beast::error_code run(std::chrono::seconds deadline, const pplx::cancellation_token& cancel, Start start) {
    beast::error_code result = asio::error::timed_out;
    bool done = false;
    beast::get_lowest_layer(stream).expires_after(deadline);
    start([&result, &done](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    io->restart();
    while (!done && !io->stopped()) {
      io->run_for(kCancelPoll);
      if (!done && cancel.is_canceled()) {
        beast::get_lowest_layer(stream).close();
        io->restart();
        io->run();  // lets the aborted operation's handler run
        return asio::error::operation_aborted;
      }
    }
    return result;
  }
};

Result<std::unique_ptr<HttpsTransport>> HttpsTransport::create(const Config& config, std::chrono::seconds timeout) {
  web::uri uri;
  try {
    uri = web::uri(config.server);
  } catch (const std::exception& e) {
    return config_error("server \"" + config.server + "\": " + e.what());
  }
  if (uri.scheme() != "https") return config_error("server \"" + config.server + "\": not https");
  std::unique_ptr<HttpsTransport> t(new HttpsTransport(timeout));
  const std::string host = tls_host(config.server);
  t->host_ = host;
  t->port_ = std::to_string(uri.port() > 0 ? uri.port() : 443);
  t->host_header_ = uri.host() + (uri.port() > 0 ? ":" + t->port_ : "");
  try {
    if (auto r = configure_ssl_context(t->tls_, config, host); !r.ok()) return r.error();
    if (config.insecure_skip_tls_verify) {
      t->tls_.set_verify_mode(asio::ssl::verify_none);
    } else {
      t->tls_.set_verify_mode(asio::ssl::verify_peer);
      // Without a configured CA, the system's roots (configure_ssl_context
      // installs a configured CA in place of them).
      if (config.ca_pem.empty()) t->tls_.set_default_verify_paths();
    }
  } catch (const std::exception& e) {
    return config_error(std::string("TLS: ") + e.what());
  }
  return t;
}

std::string tls_host(const std::string& server) {
  std::string host = web::uri(server).host();
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host;
}

HttpsTransport::HttpsTransport(std::chrono::seconds timeout)
    : timeout_(timeout), tls_(asio::ssl::context::tls_client) {}

HttpsTransport::~HttpsTransport() = default;

size_t HttpsTransport::connections_opened() const {
  std::lock_guard<std::mutex> lock(mu_);
  return opened_;
}

std::unique_ptr<HttpsTransport::Connection> HttpsTransport::take_idle() {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  while (!idle_.empty()) {
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    if (now - c->idle_since < kMaxIdle) return c;
  }
  return nullptr;
}

void HttpsTransport::put_idle(std::unique_ptr<Connection> connection) {
  connection->idle_since = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(connection));
}

Result<HttpsReply> HttpsTransport::exchange(const std::string& method, const std::string& target,
                                            const std::vector<std::pair<std::string, std::string>>& headers,
                                            const std::string* body, const pplx::cancellation_token& cancel) {
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) return transport_error("unknown method " + method);
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, host_header_);
  for (const auto& [name, value] : headers) req.set(name, value);
  if (body) req.body() = *body;
  req.keep_alive(true);
  req.prepare_payload();

  auto fail = [&](const std::string& what, const beast::error_code& ec) {
    return transport_error(method + " " + target.substr(0, target.find('?')) + ": " + what + ": " + ec.message());
  };
  // A kept-alive connection the server has closed meanwhile fails before any
  // of the response arrives: then the request goes once more on a new one.
  for (int attempt = 0;; ++attempt) {
    if (cancel.is_canceled()) return cancelled();
    std::unique_ptr<Connection> c = attempt == 0 ? take_idle() : nullptr;
    const bool reused = c != nullptr;
    if (!c) {
      c = std::make_unique<Connection>(tls_);
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++opened_;
      }
      if (!is_ip_literal(host_) && !SSL_set_tlsext_host_name(c->stream.native_handle(), host_.c_str()))
        return transport_error("TLS: cannot set the server name " + host_);
      tcp::resolver resolver(*c->io);
      tcp::resolver::results_type endpoints;
      beast::error_code ec = c->run(timeout_, cancel, [&](auto handler) {
        resolver.async_resolve(host_, port_, [&endpoints, handler](beast::error_code e, tcp::resolver::results_type r) mutable {
          endpoints = std::move(r);
          handler(e);
        });
      });
      if (ec == asio::error::operation_aborted && cancel.is_canceled()) return cancelled();
      if (ec) return fail("resolve " + host_, ec);
      ec = c->run(timeout_, cancel, [&](auto handler) { beast::get_lowest_layer(c->stream).async_connect(endpoints, handler); });
      if (ec == asio::error::operation_aborted && cancel.is_canceled()) return cancelled();
      if (ec) return fail("connect", ec);
      // A request larger than one TLS record goes out in several writes;
      // with Nagle's algorithm each after the first would wait for the
      // server's (possibly delayed) ACK of the one before.
      beast::get_lowest_layer(c->stream).socket().set_option(tcp::no_delay(true), ec);
      ec = c->run(timeout_, cancel, [&](auto handler) { c->stream.async_handshake(asio::ssl::stream_base::client, handler); });
      if (ec == asio::error::operation_aborted && cancel.is_canceled()) return cancelled();
      if (ec) return fail("TLS handshake", ec);
    }

    beast::error_code ec = c->run(timeout_, cancel, [&](auto handler) { http::async_write(c->stream, req, handler); });
    if (ec == asio::error::operation_aborted && cancel.is_canceled()) return cancelled();
    http::response_parser<http::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(boost::none);  // lists are paged by the caller, not cut here
    if (!ec) ec = c->run(timeout_, cancel, [&](auto handler) { http::async_read(c->stream, c->buffer, parser, handler); });
    if (ec == asio::error::operation_aborted && cancel.is_canceled()) return cancelled();
    if (ec) {
      if (reused && !parser.got_some()) continue;  // stale: try a fresh connection
      return fail("exchange", ec);
    }
    http::response<http::string_body> res = parser.release();
    HttpsReply reply;
    reply.status = res.result_int();
    auto retry = res.find(http::field::retry_after);
    if (retry != res.end()) reply.retry_after = std::string(retry->value());
    reply.body = std::move(res.body());
    if (res.keep_alive()) put_idle(std::move(c));
    return reply;
  }
}

}  // namespace sluice::kube
