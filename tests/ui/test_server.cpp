// The HTTP server on loopback sockets: a client that sends nothing, or
// half a request, is dropped after the idle time; the connection cap
// answers 503; a normal request is served. Timing bounds are generous
// (shared machines): they tell "closed by the deadline" from "held forever".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "ui/server.h"

namespace sluice::ui {
namespace {

struct RunningServer {
  Server server;
  std::thread thread;
  explicit RunningServer(ServerOptions o)
      : server(std::move(o), [](const HttpRequest& r) {
          Routed routed;
          routed.response.contentType = "text/plain";
          routed.response.body = "hello " + r.path;
          return routed;
        }),
        thread([this] { server.run(); }) {}
  ~RunningServer() {
    server.stop();
    thread.join();
  }
};

int connectTo(unsigned short port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  return fd;
}

// Everything the server sends until it closes, or until `within` passes
// (then `closed` is false).
std::string readUntilClosed(int fd, std::chrono::seconds within, bool& closed) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + within;
  closed = false;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) {
      closed = true;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

TEST(Server, AnswersARequest) {
  ServerOptions o;
  RunningServer s(o);
  const int fd = connectTo(s.server.port());
  const std::string req = "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  bool closed = false;
  const std::string reply = readUntilClosed(fd, std::chrono::seconds(10), closed);
  ::close(fd);
  EXPECT_TRUE(closed);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("hello /x"), std::string::npos);
}

TEST(Server, ASilentOrSlowClientIsDroppedAfterTheIdleTime) {
  ServerOptions o;
  o.idleSeconds = 1;
  RunningServer s(o);
  const int silent = connectTo(s.server.port());
  const int slow = connectTo(s.server.port());
  const std::string half = "GET / HTTP/1.1\r\nHost: 127";  // never finished
  ASSERT_EQ(::write(slow, half.data(), half.size()), static_cast<ssize_t>(half.size()));
  const auto start = std::chrono::steady_clock::now();
  bool closedSilent = false, closedSlow = false;
  readUntilClosed(silent, std::chrono::seconds(20), closedSilent);
  readUntilClosed(slow, std::chrono::seconds(20), closedSlow);
  ::close(silent);
  ::close(slow);
  EXPECT_TRUE(closedSilent) << "a client that sends nothing holds its connection";
  EXPECT_TRUE(closedSlow) << "a client that never finishes its request holds its connection";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(Server, BeyondTheConnectionCapTheAnswerIs503) {
  ServerOptions o;
  o.maxConnections = 2;
  o.idleSeconds = 30;
  RunningServer s(o);
  const int a = connectTo(s.server.port()), b = connectTo(s.server.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // both accepted and holding a slot
  const int c = connectTo(s.server.port());
  bool closed = false;
  const std::string reply = readUntilClosed(c, std::chrono::seconds(10), closed);
  EXPECT_EQ(reply.rfind("HTTP/1.1 503", 0), 0u) << reply;
  ::close(a);
  ::close(b);
  ::close(c);
}

}  // namespace
}  // namespace sluice::ui
