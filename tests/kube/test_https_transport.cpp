// HttpsTransport against a TLS server on a loopback socket (a few lines of
// Beast below, behaving as each test needs): verification, kept-alive
// connections, a connection the server dropped, cancellation and timeouts.
// Its use against the real API server is covered by the integration tests.
#include "kube/https_transport.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "test_certs.h"

namespace sluice::kube {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

enum class Behavior {
  Answer,             // answer every request on the connection, keep it open
  AnswerThenDrop,     // answer one request, then close without saying so
  NeverAnswer,        // read the request, then wait without answering
};

// Serves TLS connections on 127.0.0.1, one thread per connection.
class LoopbackTlsServer {
 public:
  LoopbackTlsServer(const testing::KeyPair& identity, Behavior behavior)
      : tls_(asio::ssl::context::tls_server), acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        behavior_(behavior) {
    tls_.use_certificate_chain(asio::buffer(identity.cert_pem));
    tls_.use_private_key(asio::buffer(identity.key_pem), asio::ssl::context::pem);
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { acceptLoop(); });
  }
  ~LoopbackTlsServer() {
    stop_ = true;
    beast::error_code ignored;
    acceptor_.close(ignored);
    // Wake the accept with a connection of our own.
    tcp::socket poke(io_);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ignored);
    thread_.join();
    for (auto& t : connections_) t.join();
  }
  unsigned short port() const { return port_; }
  int requests() const { return requests_.load(); }
  int accepted() const { return accepted_.load(); }

 private:
  void acceptLoop() {
    while (!stop_) {
      tcp::socket socket(io_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stop_) return;
      ++accepted_;
      connections_.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
  }
  void serve(tcp::socket socket) {
    beast::ssl_stream<tcp::socket> stream(std::move(socket), tls_);
    beast::error_code ec;
    stream.handshake(asio::ssl::stream_base::server, ec);
    if (ec) return;
    beast::flat_buffer buffer;
    while (!stop_) {
      http::request<http::string_body> req;
      http::read(stream, buffer, req, ec);
      if (ec) return;
      ++requests_;
      if (behavior_ == Behavior::NeverAnswer) {
        while (!stop_) std::this_thread::sleep_for(milliseconds(20));
        return;
      }
      http::response<http::string_body> res{http::status::ok, 11};
      res.set(http::field::content_type, "application/json");
      res.body() = R"({"method":")" + std::string(req.method_string()) + R"(","body":")" + req.body() + R"("})";
      res.keep_alive(true);
      res.prepare_payload();
      http::write(stream, res, ec);
      if (ec || behavior_ == Behavior::AnswerThenDrop) {
        stream.next_layer().close(ec);
        return;
      }
    }
  }

  asio::io_context io_;
  asio::ssl::context tls_;
  tcp::acceptor acceptor_;
  Behavior behavior_;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0}, accepted_{0};
  std::thread thread_;
  std::vector<std::thread> connections_;
};

Config configFor(const LoopbackTlsServer& server, const std::string& caPem, const std::string& host = "127.0.0.1") {
  Config c;
  c.server = "https://" + host + ":" + std::to_string(server.port());
  c.ca_pem = caPem;
  return c;
}

std::unique_ptr<HttpsTransport> transportFor(const Config& config, std::chrono::seconds timeout = std::chrono::seconds(5)) {
  auto made = HttpsTransport::create(config, timeout);
  EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error().to_string());
  return made.ok() ? std::move(made).value() : nullptr;
}

Result<HttpsReply> post(HttpsTransport& t, const std::string& body,
                        const pplx::cancellation_token& cancel = pplx::cancellation_token::none()) {
  return t.exchange("POST", "/x?y=1", {{"Content-Type", "application/json"}}, &body, cancel);
}

// Posts to `server` trusting `caPem` and expects the TLS handshake to fail,
// as a transport error, before any request reached the server.
void expectRefusedAtHandshake(const LoopbackTlsServer& server, const std::string& caPem) {
  auto t = transportFor(configFor(server, caPem));
  ASSERT_TRUE(t);
  auto r = post(*t, "x");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is_retryable()) << r.error().to_string();  // a transport error
  EXPECT_NE(r.error().message.find("TLS handshake"), std::string::npos) << r.error().message;
  EXPECT_EQ(server.requests(), 0);
}

TEST(HttpsTransport, ExchangesKeepOneConnectionAlive) {
  const auto identity = testing::make_self_signed("apiserver", "IP:127.0.0.1");
  LoopbackTlsServer server(identity, Behavior::Answer);
  auto t = transportFor(configFor(server, identity.cert_pem));
  ASSERT_TRUE(t);
  for (int i = 0; i < 3; ++i) {
    auto r = post(*t, "n" + std::to_string(i));
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->status, 200u);
    EXPECT_EQ(r->body, R"({"method":"POST","body":"n)" + std::to_string(i) + R"("})");
  }
  EXPECT_EQ(t->connections_opened(), 1u);
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpsTransport, AConnectionTheServerDroppedIsReplacedAndTheRequestSentOnce) {
  const auto identity = testing::make_self_signed("apiserver", "IP:127.0.0.1");
  LoopbackTlsServer server(identity, Behavior::AnswerThenDrop);
  auto t = transportFor(configFor(server, identity.cert_pem));
  ASSERT_TRUE(t);
  ASSERT_TRUE(post(*t, "first").ok());
  std::this_thread::sleep_for(milliseconds(100));  // the server has closed its end by now
  auto second = post(*t, "second");
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_EQ(second->body, R"({"method":"POST","body":"second"})");
  EXPECT_EQ(t->connections_opened(), 2u);
  EXPECT_EQ(server.requests(), 2) << "the dropped connection never received the second request";
}

TEST(HttpsTransport, AServerCertificateFromAnotherCaIsRefused) {
  const auto identity = testing::make_self_signed("apiserver", "IP:127.0.0.1");
  const auto stranger = testing::make_self_signed("someone-else", "IP:127.0.0.1");
  LoopbackTlsServer server(identity, Behavior::Answer);
  expectRefusedAtHandshake(server, stranger.cert_pem);
}

TEST(HttpsTransport, ACertificateForAnotherAddressIsRefused) {
  // Signed by the trusted key, but for 127.0.0.2 and a DNS name only.
  const auto identity = testing::make_self_signed("apiserver", "IP:127.0.0.2,DNS:apiserver.example");
  LoopbackTlsServer server(identity, Behavior::Answer);
  expectRefusedAtHandshake(server, identity.cert_pem);
}

TEST(HttpsTransport, ACancelledExchangeEndsPromptlyAsCancelled) {
  const auto identity = testing::make_self_signed("apiserver", "IP:127.0.0.1");
  LoopbackTlsServer server(identity, Behavior::NeverAnswer);
  auto t = transportFor(configFor(server, identity.cert_pem), std::chrono::seconds(30));
  ASSERT_TRUE(t);
  pplx::cancellation_token_source source;
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(300));
    source.cancel();
  });
  const auto started = steady_clock::now();
  auto r = post(*t, "x", source.get_token());
  const auto took = steady_clock::now() - started;
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Cancelled) << r.error().to_string();
  EXPECT_LT(took, milliseconds(2000));
}

TEST(HttpsTransport, AServerThatNeverAnswersTimesOut) {
  const auto identity = testing::make_self_signed("apiserver", "IP:127.0.0.1");
  LoopbackTlsServer server(identity, Behavior::NeverAnswer);
  auto t = transportFor(configFor(server, identity.cert_pem), std::chrono::seconds(1));
  ASSERT_TRUE(t);
  const auto started = steady_clock::now();
  auto r = post(*t, "x");
  const auto took = steady_clock::now() - started;
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is_retryable()) << r.error().to_string();
  EXPECT_GE(took, milliseconds(900));
  EXPECT_LT(took, milliseconds(5000));
}

TEST(HttpsTransport, OnlyHttpsServers) {
  Config c;
  c.server = "http://127.0.0.1:1";
  EXPECT_FALSE(HttpsTransport::create(c, std::chrono::seconds(1)).ok());
}

}  // namespace
}  // namespace sluice::kube
