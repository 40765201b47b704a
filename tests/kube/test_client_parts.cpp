// Unit tests of the pure pieces under Client: paths, rate limiting, backoff.
// The Client's I/O itself is covered by the integration tests.
#include <gtest/gtest.h>

#include "kube/backoff.h"
#include "kube/rate_limiter.h"
#include "kube/resource.h"

namespace sluice::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct PathCase {
  const char* name;
  Resource resource;
  std::string ns;
  std::string object;
  std::string sub;
  std::string expected;
};

void PrintTo(const PathCase& c, std::ostream* os) { *os << c.name; }

class ResourcePathTest : public ::testing::TestWithParam<PathCase> {};

TEST_P(ResourcePathTest, BuildsRestPath) {
  const auto& c = GetParam();
  std::string got = c.object.empty() ? c.resource.collection_path(c.ns)
                                     : c.resource.object_path(c.ns, c.object, c.sub);
  EXPECT_EQ(got, c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Paths, ResourcePathTest,
    ::testing::Values(
        PathCase{"CoreCollection", resources::config_maps(), "ns1", "", "", "/api/v1/namespaces/ns1/configmaps"},
        PathCase{"CoreAllNamespaces", resources::pods(), "", "", "", "/api/v1/pods"},
        PathCase{"CoreObject", resources::config_maps(), "ns1", "cm", "", "/api/v1/namespaces/ns1/configmaps/cm"},
        PathCase{"GroupStatus", Resource{"sluice.dev", "v1alpha1", "pipelineexecutions", true}, "a", "x",
                 "status", "/apis/sluice.dev/v1alpha1/namespaces/a/pipelineexecutions/x/status"},
        PathCase{"ClusterScopedIgnoresNamespace", resources::crds(), "ignored", "foo.example.com", "",
                 "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/foo.example.com"},
        PathCase{"NameIsEncoded", resources::config_maps(), "n", "a/b?c", "",
                 "/api/v1/namespaces/n/configmaps/a%2Fb%3Fc"}),
    [](const ::testing::TestParamInfo<PathCase>& info) { return info.param.name; });

TEST(ResourceTest, ApiVersion) {
  EXPECT_EQ(resources::pods().api_version(), "v1");
  EXPECT_EQ(resources::leases().api_version(), "coordination.k8s.io/v1");
}

TEST(TokenBucketTest, BurstIsFreeThenPacedAtQps) {
  auto clock = std::make_shared<FakeClock>();
  TokenBucket bucket(10, 3, clock);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(bucket.reserve(), Clock::Duration::zero()) << i;
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(bucket.reserve()).count(), 100);
  // Reservations queue: the next caller waits behind the previous one.
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(bucket.reserve()).count(), 200);
  clock->advance(milliseconds(200));
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(bucket.reserve()).count(), 100);
}

TEST(TokenBucketTest, RefillCapsAtBurst) {
  auto clock = std::make_shared<FakeClock>();
  TokenBucket bucket(1, 2, clock);
  EXPECT_EQ(bucket.reserve(), Clock::Duration::zero());
  EXPECT_EQ(bucket.reserve(), Clock::Duration::zero());
  clock->advance(seconds(100));
  EXPECT_EQ(bucket.reserve(), Clock::Duration::zero());
  EXPECT_EQ(bucket.reserve(), Clock::Duration::zero());
  EXPECT_GT(bucket.reserve(), Clock::Duration::zero());
}

TEST(TokenBucketTest, NonPositiveQpsIsUnlimited) {
  TokenBucket bucket(0, 1, std::make_shared<FakeClock>());
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(bucket.reserve(), Clock::Duration::zero());
}

TEST(BackoffTest, GrowsExponentiallyToCap) {
  BackoffPolicy p{milliseconds(800), seconds(30), 2.0, 0.0, std::chrono::minutes(2)};
  auto clock = std::make_shared<FakeClock>();
  Backoff b(p, clock, [] { return 0.0; });
  std::vector<long> got;
  for (int i = 0; i < 8; ++i) got.push_back(std::chrono::duration_cast<milliseconds>(b.next()).count());
  EXPECT_EQ(got, (std::vector<long>{800, 1600, 3200, 6400, 12800, 25600, 30000, 30000}));
}

TEST(BackoffTest, JitterStaysWithinBounds) {
  BackoffPolicy p{milliseconds(1000), seconds(30), 2.0, 0.5, std::chrono::minutes(2)};
  auto clock = std::make_shared<FakeClock>();
  Backoff low(p, clock, [] { return 0.999999; });
  Backoff high(p, clock, [] { return 0.0; });
  auto l = std::chrono::duration_cast<milliseconds>(low.next()).count();
  auto h = std::chrono::duration_cast<milliseconds>(high.next()).count();
  EXPECT_EQ(h, 1000);
  EXPECT_GE(l, 500);
  EXPECT_LT(l, 501);
}

TEST(BackoffTest, ResetsAfterQuietPeriod) {
  BackoffPolicy p{milliseconds(800), seconds(30), 2.0, 0.0, std::chrono::minutes(2)};
  auto clock = std::make_shared<FakeClock>();
  Backoff b(p, clock, [] { return 0.0; });
  b.next();
  b.next();
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(b.next()).count(), 3200);
  clock->advance(std::chrono::minutes(3));
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(b.next()).count(), 800);
}

TEST(BackoffTest, HugeAttemptDoesNotOverflow) {
  BackoffPolicy p{milliseconds(5), seconds(1000), 2.0, 0.0, std::chrono::minutes(2)};
  EXPECT_EQ(backoff_base_delay(p, 500), seconds(1000));
  EXPECT_EQ(backoff_base_delay(p, 0), milliseconds(5));
}

}  // namespace
}  // namespace sluice::kube

#include "kube/leader_election.h"

namespace sluice::kube {
namespace {

TEST(MicroTimeTest, FormatsRfc3339WithMicroseconds) {
  // 2021-01-02T03:04:05.000042Z
  std::chrono::system_clock::time_point t{std::chrono::seconds(1609556645) + std::chrono::microseconds(42)};
  EXPECT_EQ(format_micro_time(t), "2021-01-02T03:04:05.000042Z");
}

}  // namespace
}  // namespace sluice::kube
