// Leader election against malformed Lease replies: the pure Lease readers,
// and the elector's thread against a scripted local HTTP server (a 2xx reply
// that is not a Lease must be a transient error, never std::terminate).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>

#include "kube/leader_election.h"
#include "kube/log.h"

namespace sluice::kube {
namespace {

using namespace std::chrono_literals;
using web::json::value;

TEST(LeaseFieldsTest, SpecOfAcceptsOnlyObjects) {
  EXPECT_FALSE(lease_fields::spec_of(value::null(), false));
  EXPECT_FALSE(lease_fields::spec_of(value::parse("[]"), false));
  EXPECT_FALSE(lease_fields::spec_of(value::parse(R"({"spec":"x"})"), false));
  EXPECT_FALSE(lease_fields::spec_of(value::parse(R"({"spec":null})"), false));
  EXPECT_FALSE(lease_fields::spec_of(value::parse(R"({"kind":"Lease"})"), true));
  auto missing = lease_fields::spec_of(value::parse(R"({"kind":"Lease"})"), false);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->serialize(), "{}");
  auto spec = lease_fields::spec_of(value::parse(R"({"spec":{"holderIdentity":"a"}})"), true);
  ASSERT_TRUE(spec);
  EXPECT_EQ(lease_fields::string_field(*spec, "holderIdentity"), "a");
  EXPECT_EQ(lease_fields::string_field(value::parse(R"({"holderIdentity":3})"), "holderIdentity"), "");
  EXPECT_EQ(lease_fields::string_field(value::parse("[]"), "holderIdentity"), "");
}

TEST(LeaseFieldsTest, IntFieldReadsOnlyWholeNumbersInInt32Range) {
  struct Row {
    const char* json;
    int want;
  };
  for (const Row& r : std::vector<Row>{{"15", 15},
                                       {"15.0", 15},
                                       {"-2147483648", INT32_MIN},
                                       {"2147483647", INT32_MAX},
                                       {"4294967311", 0},  // 2^32 + 15: 15 if truncated
                                       {"3000000000", 0},
                                       {"3e9", 0},
                                       {"1e300", 0},
                                       {"-1e300", 0},
                                       {"1.5", 0},
                                       {R"("15")", 0}}) {
    value spec = value::parse(std::string(R"({"leaseDurationSeconds":)") + r.json + "}");
    EXPECT_EQ(lease_fields::int_field(spec, "leaseDurationSeconds"), r.want) << r.json;
  }
  EXPECT_EQ(lease_fields::int_field(value::parse("{}"), "leaseDurationSeconds"), 0);
}

TEST(LeaseFieldsTest, NextTransitionsWrapsInsteadOfOverflowing) {
  EXPECT_EQ(lease_fields::next_transitions(value::parse("{}")), 1);
  EXPECT_EQ(lease_fields::next_transitions(value::parse(R"({"leaseTransitions":4})")), 5);
  EXPECT_EQ(lease_fields::next_transitions(value::parse(R"({"leaseTransitions":2147483647})")), 0);
  EXPECT_EQ(lease_fields::next_transitions(value::parse(R"({"leaseTransitions":1e300})")), 1);
}

// A one-request-per-connection HTTP server on 127.0.0.1 whose replies come
// from a script: (method, request body) -> (status, body).
class ScriptedServer {
 public:
  using Script = std::function<std::pair<int, std::string>(const std::string& method, const std::string& body)>;

  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 16);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      int conn = accept(fd_, nullptr, nullptr);
      if (conn < 0) continue;
      handle(conn);
      close(conn);
    }
  }
  void handle(int conn) {
    std::string in;
    char buf[4096];
    size_t header_end = std::string::npos;
    while ((header_end = in.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = recv(conn, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, static_cast<size_t>(n));
    }
    std::string headers = in.substr(0, header_end);
    for (char& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t length = 0;
    if (size_t at = headers.find("\r\ncontent-length:"); at != std::string::npos) {
      length = std::stoul(headers.substr(at + std::strlen("\r\ncontent-length:")));  // skips spaces
    }
    while (in.size() < header_end + 4 + length) {
      ssize_t n = recv(conn, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, static_cast<size_t>(n));
    }
    const std::string method = in.substr(0, in.find(' '));
    auto [status, body] = script_(method, in.substr(header_end + 4, length));
    ++requests_;
    std::string out = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
                      "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    send(conn, out.data(), out.size(), MSG_NOSIGNAL);
  }

  Script script_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

const char* const kNotFound = R"({"kind":"Status","reason":"NotFound","code":404})";
const char* const kLeaseWithoutSpec = R"({"kind":"Lease","metadata":{"name":"lock","resourceVersion":"1"}})";

std::unique_ptr<LeaderElector> elector_for(const ScriptedServer& server) {
  Config config;
  config.server = server.url();
  ClientOptions options;
  options.qps = 0;
  options.max_retries = 0;
  auto client = Client::create(config, options);
  EXPECT_TRUE(client.ok());
  LeaderElectionConfig le;
  le.lease_namespace = "ns";
  le.lease_name = "lock";
  le.identity = "me";
  le.retry_period = 10ms;
  return std::make_unique<LeaderElector>(*client, le);
}

// Collects the kube log for the life of a test (set before the elector
// starts, reset after it stops: set_log_sink is not thread-safe).
class LogCapture {
 public:
  LogCapture() {
    set_log_sink([this](LogLevel level, const std::string& message) {
      std::lock_guard<std::mutex> lock(mu_);
      if (level == LogLevel::Warning) warnings_.push_back(message);
    });
  }
  ~LogCapture() { set_log_sink(nullptr); }
  bool warned(const std::string& part) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& w : warnings_) {
      if (w.find(part) != std::string::npos) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> warnings_;
};

bool eventually(const std::function<bool()>& f, std::chrono::milliseconds limit = 10s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return f();
}

struct BadReplyCase {
  const char* name;
  ScriptedServer::Script script;
  const char* warning;
};

void PrintTo(const BadReplyCase& c, std::ostream* os) { *os << c.name; }

class LeaderElectorBadReplyTest : public ::testing::TestWithParam<BadReplyCase> {};

// Before the fix each of these threw out of the elector's thread.
TEST_P(LeaderElectorBadReplyTest, IsATransientErrorNotACrash) {
  LogCapture log;
  ScriptedServer server(GetParam().script);
  auto elector = elector_for(server);
  elector->start();
  EXPECT_TRUE(eventually([&] { return server.requests() >= 10; })) << "the elector stopped retrying";
  EXPECT_FALSE(elector->is_leader());
  elector->stop();
  EXPECT_TRUE(log.warned(GetParam().warning));
}

INSTANTIATE_TEST_SUITE_P(
    Replies, LeaderElectorBadReplyTest,
    ::testing::Values(
        BadReplyCase{"CreateRepliesEmpty",
                     [](const std::string& m, const std::string&) -> std::pair<int, std::string> {
                       return m == "GET" ? std::make_pair(404, kNotFound) : std::make_pair(201, "");
                     },
                     "create lease: the reply is not a Lease with a spec"},
        BadReplyCase{"UpdateRepliesWithoutSpec",
                     [](const std::string& m, const std::string&) -> std::pair<int, std::string> {
                       return {200, m == "GET" ? kLeaseWithoutSpec : R"({"kind":"Lease"})"};
                     },
                     "update lease: the reply is not a Lease with a spec"},
        BadReplyCase{"GetRepliesNotAnObject",
                     [](const std::string&, const std::string&) -> std::pair<int, std::string> {
                       return {200, "[]"};
                     },
                     "get lease: the reply is not a Lease"}),
    [](const ::testing::TestParamInfo<BadReplyCase>& info) { return info.param.name; });

TEST(LeaderElectorTest, RecoversAfterABadReply) {
  LogCapture log;
  std::atomic<int> puts{0};
  ScriptedServer server([&](const std::string& m, const std::string& body) -> std::pair<int, std::string> {
    if (m == "GET") return {200, kLeaseWithoutSpec};
    // The first update reply is empty; later ones echo the Lease written.
    return {200, puts++ == 0 ? "" : body};
  });
  auto elector = elector_for(server);
  elector->start();
  EXPECT_TRUE(eventually([&] { return elector->is_leader(); }));
  EXPECT_GE(puts.load(), 2);
  elector->stop();
}

}  // namespace
}  // namespace sluice::kube
