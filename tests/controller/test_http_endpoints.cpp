#include "controller/http_endpoints.h"

#include <arpa/inet.h>
#include <cpprest/http_client.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

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

std::pair<int, std::string> get(const std::string& base, const std::string& path) {
  web::http::client::http_client c(base);
  auto resp = c.request(web::http::methods::GET, path).get();
  return {resp.status_code(), resp.extract_utf8string(true).get()};
}

TEST(HttpEndpoints, BindAddressParsing) {
  EXPECT_EQ(listenUrlFromBindAddress(":8080"), "http://0.0.0.0:8080");
  EXPECT_EQ(listenUrlFromBindAddress("127.0.0.1:9"), "http://127.0.0.1:9");
  EXPECT_EQ(listenUrlFromBindAddress("8080"), "");
  EXPECT_EQ(listenUrlFromBindAddress("127.0.0.1:0"), "");
  EXPECT_EQ(listenUrlFromBindAddress("127.0.0.1:70000"), "");
  EXPECT_EQ(listenUrlFromBindAddress("127.0.0.1:8x"), "");
  EXPECT_THROW(HttpEndpoints("nonsense", {}), std::runtime_error);
}

TEST(HttpEndpoints, ServesHealthReadinessAndMetrics) {
  std::atomic<bool> ready{false};
  HttpEndpoints ep("127.0.0.1:" + std::to_string(freeLoopbackPort()),
                   {[] { return std::string("sluice_up 1\n"); }, [&] { return ready.load(); }});
  EXPECT_EQ(get(ep.url(), "/healthz"), std::make_pair(200, std::string("ok")));
  EXPECT_EQ(get(ep.url(), "/readyz").first, 503);
  ready = true;
  EXPECT_EQ(get(ep.url(), "/readyz").first, 200);
  EXPECT_EQ(get(ep.url(), "/metrics"), std::make_pair(200, std::string("sluice_up 1\n")));
  EXPECT_EQ(get(ep.url(), "/nope").first, 404);
}

}  // namespace
}  // namespace sluice::controller
