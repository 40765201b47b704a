// Two electors in one process contending for one Lease on a real server.
#include <atomic>

#include "cluster_fixture.h"
#include "kube/leader_election.h"

namespace sluice::kube {
namespace {

using namespace std::chrono_literals;

class LeaderElectionIntegrationTest : public testing::ClusterTest {
 protected:
  struct Candidate {
    std::unique_ptr<LeaderElector> elector;
    std::atomic<int> started{0};
    std::atomic<int> stopped{0};
  };

  std::unique_ptr<Candidate> candidate(const std::string& id, bool release_on_stop) {
    auto c = std::make_unique<Candidate>();
    LeaderElectionConfig config;
    config.lease_namespace = ns_;
    config.lease_name = "lock";
    config.identity = id;
    config.lease_duration = 3s;
    config.renew_deadline = 2s;
    config.retry_period = 200ms;
    config.release_on_stop = release_on_stop;
    Candidate* raw = c.get();
    config.on_started_leading = [this, raw] {
      ++raw->started;
      if (++leaders_ > 1) ++violations_;
    };
    config.on_stopped_leading = [this, raw] {
      ++raw->stopped;
      --leaders_;
    };
    c->elector = std::make_unique<LeaderElector>(client_, config);
    return c;
  }

  std::atomic<int> leaders_{0};
  std::atomic<int> violations_{0};
};

TEST_F(LeaderElectionIntegrationTest, OneLeaderAtATimeAndTakeoverOnReleaseAndExpiry) {
  auto a = candidate("a", true);
  auto b = candidate("b", false);
  auto c = candidate("c", true);
  a->elector->start();
  ASSERT_TRUE(testing::eventually([&] { return a->elector->is_leader(); }, 10s));
  b->elector->start();
  // b must stay a follower while a keeps renewing (well past one lease duration).
  std::this_thread::sleep_for(4s);
  EXPECT_TRUE(a->elector->is_leader());
  EXPECT_FALSE(b->elector->is_leader());
  EXPECT_EQ(b->elector->observed_leader(), "a");

  // a releases on stop: b takes over without waiting for expiry.
  auto t0 = std::chrono::steady_clock::now();
  a->elector->stop();
  EXPECT_EQ(a->stopped.load(), 1);
  ASSERT_TRUE(testing::eventually([&] { return b->elector->is_leader(); }, 10s));
  auto release_takeover = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(release_takeover, 2500ms) << "takeover after release should not wait for expiry";

  // b stops without releasing (like a crashed leader): c must wait for the
  // lease to expire, then take over.
  c->elector->start();
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(c->elector->is_leader());
  t0 = std::chrono::steady_clock::now();
  b->elector->stop();
  ASSERT_TRUE(testing::eventually([&] { return c->elector->is_leader(); }, 15s));
  auto expiry_takeover = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(expiry_takeover, 2s) << "took over before the 3 s lease could have expired";
  c->elector->stop();

  EXPECT_EQ(violations_.load(), 0) << "two leaders at once";
  EXPECT_EQ(a->started.load(), 1);
  EXPECT_EQ(b->started.load(), 1);
  EXPECT_EQ(c->started.load(), 1);
  std::cout << "[leader-election] takeover after release "
            << std::chrono::duration_cast<std::chrono::milliseconds>(release_takeover).count()
            << " ms, after expiry "
            << std::chrono::duration_cast<std::chrono::milliseconds>(expiry_takeover).count() << " ms\n";
}

}  // namespace
}  // namespace sluice::kube
