#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <set>
#include <thread>
#include <vector>

#include "kube/workers.h"
#include "kube/workqueue.h"

namespace sluice::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

RateLimiterOptions no_bucket() { return {milliseconds(5), seconds(1000), 0, 1}; }

TEST(WorkQueueTest, DeduplicatesQueuedKeys) {
  WorkQueue q(std::make_shared<FakeClock>());
  q.add("a");
  q.add("b");
  q.add("a");
  EXPECT_EQ(q.len(), 2u);
  EXPECT_EQ(q.try_get(), "a");
  EXPECT_EQ(q.try_get(), "b");
  EXPECT_EQ(q.try_get(), std::nullopt);
}

TEST(WorkQueueTest, KeyReaddedWhileProcessingIsHandedOutOnceAfterDone) {
  WorkQueue q(std::make_shared<FakeClock>());
  q.add("a");
  ASSERT_EQ(q.try_get(), "a");
  q.add("a");
  q.add("a");
  EXPECT_EQ(q.try_get(), std::nullopt) << "a is being processed";
  q.done("a");
  EXPECT_EQ(q.try_get(), "a");
  EXPECT_EQ(q.try_get(), std::nullopt);
  q.done("a");
  EXPECT_EQ(q.try_get(), std::nullopt) << "not re-added during second round";
}

TEST(WorkQueueTest, AddAfterWaitsForTheClock) {
  auto clock = std::make_shared<FakeClock>();
  WorkQueue q(clock);
  q.add_after("a", seconds(10));
  q.add_after("b", seconds(5));
  q.add_after("a", seconds(20));  // later than pending: ignored
  EXPECT_EQ(q.delayed_count(), 2u);
  EXPECT_EQ(q.try_get(), std::nullopt);
  clock->advance(seconds(5));
  EXPECT_EQ(q.try_get(), "b");
  clock->advance(milliseconds(4999));
  EXPECT_EQ(q.try_get(), std::nullopt);
  clock->advance(milliseconds(1));
  EXPECT_EQ(q.try_get(), "a");
  EXPECT_EQ(q.delayed_count(), 0u);
}

TEST(WorkQueueTest, ReportsHowLongEachKeyWasReady) {
  auto clock = std::make_shared<FakeClock>();
  WorkQueue q(clock);
  std::vector<Clock::Duration> waits;
  q.set_wait_observer([&](Clock::Duration d) { waits.push_back(d); });
  q.add("a");
  clock->advance(milliseconds(250));
  q.add("b");
  q.add("a");  // already queued: its wait still counts from the first add
  clock->advance(milliseconds(100));
  ASSERT_EQ(q.try_get(), "a");
  ASSERT_EQ(q.try_get(), "b");
  q.add("a");  // re-added while processing: ready again only at done()
  clock->advance(seconds(3));
  q.done("a");
  clock->advance(milliseconds(40));
  ASSERT_EQ(q.try_get(), "a");
  q.add_after("c", seconds(2));  // delayed time is not queue time
  clock->advance(seconds(2));
  clock->advance(milliseconds(7));
  ASSERT_EQ(q.try_get(), "c");  // poll finds it due now: waited 0 in the queue
  ASSERT_EQ(waits.size(), 4u);
  EXPECT_EQ(waits[0], milliseconds(350));
  EXPECT_EQ(waits[1], milliseconds(100));
  EXPECT_EQ(waits[2], milliseconds(40));
  EXPECT_EQ(waits[3], milliseconds(0));
}

TEST(WorkQueueTest, AddAfterEarlierWins) {
  auto clock = std::make_shared<FakeClock>();
  WorkQueue q(clock);
  q.add_after("a", seconds(10));
  q.add_after("a", seconds(1));
  clock->advance(seconds(1));
  EXPECT_EQ(q.try_get(), "a");
}

TEST(WorkQueueTest, AddAfterZeroIsImmediate) {
  WorkQueue q(std::make_shared<FakeClock>());
  q.add_after("a", Clock::Duration::zero());
  EXPECT_EQ(q.try_get(), "a");
}

TEST(WorkQueueTest, RealTimerDeliversDelayedKeyToBlockedGet) {
  WorkQueue q;  // real clock: the Asio timer must wake the getter
  q.add_after("late", milliseconds(20));
  EXPECT_EQ(q.get(), "late");
}

TEST(KeyRateLimiterTest, PerKeyBackoffDoublesToCapAndForgets) {
  KeyRateLimiter rl(no_bucket(), std::make_shared<FakeClock>());
  std::vector<long> got;
  for (int i = 0; i < 5; ++i) got.push_back(std::chrono::duration_cast<milliseconds>(rl.when("k")).count());
  EXPECT_EQ(got, (std::vector<long>{5, 10, 20, 40, 80}));
  EXPECT_EQ(rl.num_requeues("k"), 5);
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(rl.when("other")).count(), 5);
  for (int i = 0; i < 30; ++i) (void)rl.when("k");
  EXPECT_EQ(rl.when("k"), seconds(1000));
  rl.forget("k");
  EXPECT_EQ(rl.num_requeues("k"), 0);
  EXPECT_EQ(rl.when("k"), milliseconds(5));
}

TEST(KeyRateLimiterTest, GlobalBucketLimitsManyKeys) {
  auto clock = std::make_shared<FakeClock>();
  KeyRateLimiter rl({milliseconds(5), seconds(1000), 10, 100}, clock);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(rl.when("k" + std::to_string(i)), milliseconds(5));
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(rl.when("k100")).count(), 100);
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(rl.when("k101")).count(), 200);
}

TEST(WorkQueueTest, RateLimitedAddUsesBackoff) {
  auto clock = std::make_shared<FakeClock>();
  WorkQueue q(clock, no_bucket());
  q.add_rate_limited("a");  // 5 ms
  q.add_rate_limited("a");  // 10 ms but 5 ms already pending: stays 5 ms
  EXPECT_EQ(q.num_requeues("a"), 2);
  clock->advance(milliseconds(4));
  EXPECT_EQ(q.try_get(), std::nullopt);
  clock->advance(milliseconds(1));
  EXPECT_EQ(q.try_get(), "a");
}

TEST(WorkQueueTest, ShutdownDrainsThenUnblocksGetters) {
  WorkQueue q(std::make_shared<FakeClock>());
  q.add("a");
  q.add_after("later", seconds(1));
  std::optional<std::string> blocked_result = "unset";
  std::thread getter;
  {
    auto first = q.get();
    ASSERT_EQ(first, "a");
    getter = std::thread([&] { blocked_result = q.get(); });
    q.shutdown();
    q.done("a");
  }
  getter.join();
  EXPECT_EQ(blocked_result, std::nullopt);
  q.add("b");
  EXPECT_EQ(q.try_get(), std::nullopt) << "adds after shutdown are ignored";
  EXPECT_EQ(q.delayed_count(), 0u);
}

TEST(WorkerPoolTest, SameKeyNeverProcessedConcurrently) {
  WorkQueue q(std::make_shared<FakeClock>());
  std::mutex mu;
  std::set<std::string> in_flight;
  std::atomic<int> overlaps{0};
  std::atomic<int> processed{0};
  std::condition_variable all_done;
  constexpr int kKeys = 5;
  constexpr int kRounds = 200;
  {
    WorkerPool pool(q, 4, [&](const std::string& key) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!in_flight.insert(key).second) ++overlaps;
      }
      q.add(key);  // re-add while processing: must wait for done()
      std::this_thread::yield();
      {
        std::lock_guard<std::mutex> lock(mu);
        in_flight.erase(key);
      }
      if (++processed >= kRounds) all_done.notify_all();
      return ProcessResult::done();
    });
    for (int i = 0; i < kKeys; ++i) q.add("k" + std::to_string(i));
    std::unique_lock<std::mutex> lock(mu);
    all_done.wait_for(lock, seconds(30), [&] { return processed.load() >= kRounds; });
  }  // shuts down and joins
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_GE(processed.load(), kRounds);
}

TEST(WorkerPoolTest, RetryBacksOffTerminalDoesNotAndExceptionsAreRetried) {
  auto clock = std::make_shared<FakeClock>();
  WorkQueue q(clock, no_bucket());
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, int> calls;
  auto wait_calls = [&](const std::string& key, int n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, seconds(10), [&] { return calls[key] >= n; });
  };
  WorkerPool pool(q, 2, [&](const std::string& key) {
    int n;
    {
      std::lock_guard<std::mutex> lock(mu);
      n = ++calls[key];
    }
    cv.notify_all();
    if (key == "flaky" && n < 3) return ProcessResult::retry("not yet");
    if (key == "throws" && n < 2) throw std::runtime_error("boom");
    if (key == "bad") return ProcessResult::terminal("never");
    return ProcessResult::done();
  });
  q.add("flaky");
  q.add("throws");
  q.add("bad");
  // A retried key reaches the delayed set only after its worker returns;
  // wait for that before moving the clock, or the retry would be scheduled
  // relative to the already-advanced time.
  auto delayed_becomes = [&](size_t n) {
    auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (q.delayed_count() != n && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    return q.delayed_count() == n;
  };
  ASSERT_TRUE(wait_calls("bad", 1));
  ASSERT_TRUE(delayed_becomes(2));  // flaky and throws
  clock->advance(milliseconds(5));
  q.poll_delayed();
  ASSERT_TRUE(wait_calls("flaky", 2));
  ASSERT_TRUE(wait_calls("throws", 2));
  ASSERT_TRUE(delayed_becomes(1));  // flaky again, now 10 ms
  clock->advance(milliseconds(9));
  q.poll_delayed();
  EXPECT_EQ(q.delayed_count(), 1u);
  clock->advance(milliseconds(1));
  q.poll_delayed();
  ASSERT_TRUE(wait_calls("flaky", 3));
  pool.stop();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(calls["flaky"], 3);
  EXPECT_EQ(calls["throws"], 2);
  EXPECT_EQ(calls["bad"], 1);
  EXPECT_EQ(q.num_requeues("flaky"), 0) << "success forgets the backoff";
}

}  // namespace
}  // namespace sluice::kube
