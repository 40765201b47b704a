#include "controller/http_endpoints.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sluice::controller {
namespace {

// A loopback port that was free a moment ago.
int freeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// A plain TCP client, so the tests control every byte sent and see every
// byte answered. Reads time out after 5 s so a broken server fails the test
// instead of hanging it.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect failed");
  }
  ~RawClient() { ::close(fd_); }
  void send(const std::string& bytes) {
    std::size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;  // the server may close early (431); the reply tells
      off += static_cast<std::size_t>(n);
    }
  }
  // Everything until the server closes; "<timeout>" appended if it never does.
  std::string readAll() {
    std::string out;
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return out;
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? out + "<timeout>" : out;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
};

struct Response {
  int status = 0;
  std::string head;
  std::string body;
};

Response parse(const std::string& raw) {
  Response r;
  auto end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) {
    r.head = raw;
    return r;
  }
  r.status = std::stoi(raw.substr(9, 3));
  r.head = raw.substr(0, end);
  r.body = raw.substr(end + 4);
  return r;
}

Response request(int port, const std::string& method, const std::string& path) {
  RawClient c(port);
  c.send(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: test\r\n\r\n");
  return parse(c.readAll());
}

TEST(HttpEndpoints, BindAddressParsing) {
  EXPECT_EQ(listenUrlFromBindAddress(":8080"), "http://0.0.0.0:8080");
  EXPECT_EQ(listenUrlFromBindAddress("127.0.0.1:9"), "http://127.0.0.1:9");
  EXPECT_EQ(listenUrlFromBindAddress("[::1]:9"), "http://[::1]:9");
  EXPECT_EQ(listenUrlFromBindAddress("8080"), "");
  EXPECT_EQ(listenUrlFromBindAddress("127.0.0.1:0"), "");
  EXPECT_EQ(listenUrlFromBindAddress("127.0.0.1:70000"), "");
  EXPECT_EQ(listenUrlFromBindAddress("127.0.0.1:8x"), "");
  EXPECT_THROW(HttpEndpoints("nonsense", {}), std::runtime_error);
}

TEST(HttpEndpoints, RequestLineParsing) {
  auto rl = parseRequestLine("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_TRUE(rl.ok);
  EXPECT_EQ(rl.method, "GET");
  EXPECT_EQ(rl.path, "/metrics");
  EXPECT_TRUE(parseRequestLine("HEAD / HTTP/1.0\r\n\r\n").ok);
  EXPECT_FALSE(parseRequestLine("GET /metrics\r\n\r\n").ok);              // no version
  EXPECT_FALSE(parseRequestLine("GET  /metrics HTTP/1.1\r\n\r\n").ok);    // empty target
  EXPECT_FALSE(parseRequestLine("get /metrics HTTP/1.1\r\n\r\n").ok);     // methods are upper case
  EXPECT_FALSE(parseRequestLine("GET metrics HTTP/1.1\r\n\r\n").ok);      // not origin-form
  EXPECT_FALSE(parseRequestLine("GET /metrics HTTP/2.0\r\n\r\n").ok);
  EXPECT_FALSE(parseRequestLine("GET /a b HTTP/1.1\r\n\r\n").ok);         // space in the target
  EXPECT_FALSE(parseRequestLine("\r\n\r\n").ok);
}

TEST(HttpEndpoints, ServesHealthReadinessAndMetrics) {
  std::atomic<bool> ready{false};
  int port = freeLoopbackPort();
  HttpEndpoints ep("127.0.0.1:" + std::to_string(port),
                   {[] { return std::string("sluice_up 1\n"); }, [&] { return ready.load(); }});
  EXPECT_EQ(ep.url(), "http://127.0.0.1:" + std::to_string(port));
  auto health = request(port, "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok");
  EXPECT_NE(health.head.find("Content-Length: 2\r\n"), std::string::npos) << health.head;
  EXPECT_NE(health.head.find("Connection: close"), std::string::npos) << health.head;
  EXPECT_EQ(request(port, "GET", "/livez").status, 200);
  EXPECT_EQ(request(port, "GET", "/readyz").status, 503);
  ready = true;
  EXPECT_EQ(request(port, "GET", "/readyz").status, 200);
  auto metrics = request(port, "GET", "/metrics?name[]=x");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.body, "sluice_up 1\n");
  EXPECT_NE(metrics.head.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << metrics.head;
  EXPECT_EQ(request(port, "GET", "/nope").status, 404);
}

TEST(HttpEndpoints, WithoutAMetricsHandlerMetricsIsNotFound) {
  int port = freeLoopbackPort();
  HttpEndpoints ep("127.0.0.1:" + std::to_string(port), {nullptr, nullptr});
  EXPECT_EQ(request(port, "GET", "/metrics").status, 404);
  EXPECT_EQ(request(port, "GET", "/readyz").status, 503);  // no readiness callback: never ready
}

TEST(HttpEndpoints, HeadHasHeadersButNoBodyAndOtherMethodsAre405) {
  int port = freeLoopbackPort();
  HttpEndpoints ep("127.0.0.1:" + std::to_string(port), {[] { return std::string("m 1\n"); }, nullptr});
  auto head = request(port, "HEAD", "/metrics");
  EXPECT_EQ(head.status, 200);
  EXPECT_NE(head.head.find("Content-Length: 4\r\n"), std::string::npos) << head.head;
  EXPECT_EQ(head.body, "");
  auto post = request(port, "POST", "/metrics");
  EXPECT_EQ(post.status, 405);
  EXPECT_NE(post.head.find("Allow: GET, HEAD"), std::string::npos) << post.head;
}

TEST(HttpEndpoints, GarbageAndOversizedRequestsGetAClearStatus) {
  int port = freeLoopbackPort();
  HttpEndpoints ep("127.0.0.1:" + std::to_string(port), {nullptr, nullptr},
                   EndpointLimits{std::chrono::milliseconds(5000), 1024, 64});
  {
    RawClient c(port);
    c.send("\x16\x03\x01 hello\r\n\r\n");  // e.g. a TLS client on the plain port
    auto r = parse(c.readAll());
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body, "malformed request line");
  }
  {
    RawClient c(port);
    c.send("GET /healthz HTTP/1.1\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
    EXPECT_EQ(parse(c.readAll()).status, 431);
  }
  EXPECT_EQ(request(port, "GET", "/healthz").status, 200);  // and it still serves
}

TEST(HttpEndpoints, AFailingHandlerAnswers500AndTheServerGoesOn) {
  int port = freeLoopbackPort();
  std::atomic<int> calls{0};
  HttpEndpoints ep("127.0.0.1:" + std::to_string(port), {[&]() -> std::string {
                                                           if (calls++ == 0) throw std::runtime_error("registry broken");
                                                           return "ok 1\n";
                                                         },
                                                         nullptr});
  auto failed = request(port, "GET", "/metrics");
  EXPECT_EQ(failed.status, 500);
  EXPECT_NE(failed.body.find("registry broken"), std::string::npos) << failed.body;
  EXPECT_EQ(request(port, "GET", "/metrics").body, "ok 1\n");
}

TEST(HttpEndpoints, ASilentClientIsDroppedAtTheDeadlineWithoutBlockingOthers) {
  int port = freeLoopbackPort();
  HttpEndpoints ep("127.0.0.1:" + std::to_string(port), {nullptr, [] { return true; }},
                   EndpointLimits{std::chrono::milliseconds(300), 8192, 64});
  RawClient silent(port);
  silent.send("GET /healthz HTTP/1.1\r\n");  // never finishes its head
  EXPECT_EQ(request(port, "GET", "/readyz").status, 200);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(silent.readAll(), "");  // closed by the server, not by our 5 s receive timeout
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
}

TEST(HttpEndpoints, AtTheCapTheOldestIdleConnectionMakesRoomForANewRequest) {
  int port = freeLoopbackPort();
  HttpEndpoints ep("127.0.0.1:" + std::to_string(port), {nullptr, [] { return true; }},
                   EndpointLimits{std::chrono::milliseconds(5000), 8192, 2});
  RawClient oldest(port), newer(port);
  oldest.send("GET /healthz HTTP/1.1\r\n");  // open, never finished
  newer.send("GET /healthz HTTP/1.1\r\n");
  // A probe arriving now is answered: the oldest idle connection is dropped
  // for it (the server accepts in arrival order, so both are held by then).
  EXPECT_EQ(request(port, "GET", "/readyz").status, 200);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(oldest.readAll(), "") << "the oldest idle connection was closed";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4)) << "closed by the server, not the deadline";
  // Many idle clients cannot lock the probes out either.
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 10; ++i) {
    idle.push_back(std::make_unique<RawClient>(port));
    idle.back()->send("GET /");
  }
  EXPECT_EQ(request(port, "GET", "/healthz").status, 200);
}

TEST(HttpEndpoints, APortInUseIsAnErrorNamingTheAddress) {
  int port = freeLoopbackPort();
  std::string address = "127.0.0.1:" + std::to_string(port);
  HttpEndpoints first(address, {});
  try {
    HttpEndpoints second(address, {});
    FAIL() << "a second listener on " << address << " was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen on " + address), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sluice::controller
