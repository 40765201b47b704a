// Client retry and rate-limit wiring, with injected sleep and randomness.
// The "server" is a closed local port: a real connection refusal, no fake.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "kube/client.h"

namespace sluice::kube {
namespace {

using std::chrono::milliseconds;

// A loopback port with nothing listening on it.
int closed_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

struct Recorder {
  std::vector<long> waits_ms;
  std::function<void(Clock::Duration)> sleep() {
    return [this](Clock::Duration d) {
      waits_ms.push_back(std::chrono::duration_cast<milliseconds>(d).count());
    };
  }
};

TEST(ClientRetryTest, TransportErrorsAreRetriedWithExponentialBackoff) {
  Config config;
  config.server = "http://127.0.0.1:" + std::to_string(closed_port());
  Recorder rec;
  ClientOptions options;
  options.qps = 0;
  options.max_retries = 3;
  options.sleep = rec.sleep();
  options.random = [] { return 0.0; };  // no jitter
  options.clock = std::make_shared<FakeClock>();
  auto client = Client::create(config, options);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  auto r = (*client)->get(resources::config_maps(), "ns", "x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Unavailable);
  EXPECT_EQ(r.error().http_code, 0);
  EXPECT_EQ(rec.waits_ms, (std::vector<long>{200, 400, 800}));
}

TEST(ClientRetryTest, RateLimiterMakesCallersWait) {
  Config config;
  config.server = "http://127.0.0.1:" + std::to_string(closed_port());
  Recorder rec;
  ClientOptions options;
  options.qps = 2;
  options.burst = 1;
  options.max_retries = 0;
  options.sleep = rec.sleep();
  options.clock = std::make_shared<FakeClock>();  // frozen: no refill
  auto client = Client::create(config, options);
  ASSERT_TRUE(client.ok());
  (void)(*client)->get(resources::config_maps(), "ns", "x");
  (void)(*client)->get(resources::config_maps(), "ns", "x");
  (void)(*client)->get(resources::config_maps(), "ns", "x");
  EXPECT_EQ(rec.waits_ms, (std::vector<long>{500, 1000}));
}

TEST(ClientRetryTest, CancelCutsRetryWaitsShort) {
  Config config;
  config.server = "http://127.0.0.1:" + std::to_string(closed_port());
  ClientOptions options;
  options.qps = 0;
  options.max_retries = 10;
  options.retry_backoff.initial = std::chrono::seconds(30);  // would take minutes uncancelled
  options.retry_backoff.max = std::chrono::seconds(30);
  auto client = Client::create(config, options);
  ASSERT_TRUE(client.ok());
  pplx::cancellation_token_source cancel;
  auto started = std::chrono::steady_clock::now();
  std::thread canceller([&] { cancel.cancel(); });
  auto r = (*client)->list(resources::config_maps(), "ns", {}, cancel.get_token());
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Cancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(ClientRetryTest, RetryAfterWinsWhenLongerAndIsCapped) {
  Error e = error_from_response(429, "", std::chrono::seconds(3));
  EXPECT_EQ(retry_wait(e, milliseconds(200), std::chrono::seconds(60)), std::chrono::seconds(3));
  EXPECT_EQ(retry_wait(e, std::chrono::seconds(5), std::chrono::seconds(60)), std::chrono::seconds(5));
  Error huge = error_from_response(503, "", std::chrono::seconds(3600));
  EXPECT_EQ(retry_wait(huge, milliseconds(200), std::chrono::seconds(60)), std::chrono::seconds(60));
  Error plain = error_from_response(500, "");
  EXPECT_EQ(retry_wait(plain, milliseconds(200), std::chrono::seconds(60)), milliseconds(200));
}

TEST(ClientRetryTest, NonRetryableConfigErrorsSurfaceAtCreate) {
  Config no_server;
  EXPECT_EQ(Client::create(no_server).error().kind, ErrorKind::Config);
  Config bad_ca;
  bad_ca.server = "https://127.0.0.1:6443";
  bad_ca.ca_pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  auto r = Client::create(bad_ca);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Config);
}

}  // namespace
}  // namespace sluice::kube
