// Work queue of string keys (controller-style "namespace/name"):
//  - a key queued many times is handed out once (dedupe);
//  - a key is never handed to two workers at once: re-added while being
//    processed, it is handed out again after done();
//  - add_after() delays a key (Boost.Asio timer, clock injectable);
//  - add_rate_limited() delays by max(per-key exponential backoff, global
//    token bucket), like client-go's default controller rate limiter.
// All methods are thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "kube/clock.h"
#include "kube/rate_limiter.h"

namespace sluice::kube {

struct RateLimiterOptions {
  Clock::Duration base_delay = std::chrono::milliseconds(5);
  Clock::Duration max_delay = std::chrono::seconds(1000);
  double qps = 10;  // global bucket; <= 0 disables it
  int burst = 100;
};

// Per-key exponential backoff combined with a global token bucket.
class KeyRateLimiter {
 public:
  KeyRateLimiter(RateLimiterOptions options, std::shared_ptr<Clock> clock);
  // Records a failure of `key` and returns how long to wait before retrying.
  Clock::Duration when(const std::string& key);
  // Forgets `key`'s failures (call after it succeeds).
  void forget(const std::string& key);
  int num_requeues(const std::string& key) const;

 private:
  RateLimiterOptions options_;
  TokenBucket bucket_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, int> failures_;
};

class WorkQueue {
 public:
  explicit WorkQueue(std::shared_ptr<Clock> clock = real_clock(), RateLimiterOptions limits = {});
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(const std::string& key);
  void add_after(const std::string& key, Clock::Duration delay);
  void add_rate_limited(const std::string& key);
  void forget(const std::string& key) { limiter_.forget(key); }
  int num_requeues(const std::string& key) const { return limiter_.num_requeues(key); }

  // Blocks until a key is ready, or returns nullopt once shut down and
  // drained. The caller must call done(key) when finished with it.
  std::optional<std::string> get();
  // Non-blocking get.
  std::optional<std::string> try_get();
  void done(const std::string& key);

  // Stops accepting keys and drops delayed ones; get() hands out what is
  // already queued, then returns nullopt.
  void shutdown();
  bool shutting_down() const;

  // Called by get()/try_get() with how long the key handed out had been
  // ready in the queue (client-go's queue_duration). Set it before workers
  // start; it runs outside the queue's lock.
  using WaitObserver = std::function<void(Clock::Duration)>;
  void set_wait_observer(WaitObserver observer);

  size_t len() const;            // keys ready to be handed out
  size_t delayed_count() const;  // keys waiting for add_after/add_rate_limited

  // Moves every delayed key whose time has come into the queue. The timer
  // does this on its own; tests with a FakeClock call it after advancing.
  void poll_delayed();

 private:
  void add_locked(const std::string& key);
  void push_ready_locked(const std::string& key);
  void poll_delayed_locked();
  void arm_timer();
  // Pops the next key and how long it waited; the caller reports the wait.
  std::optional<std::pair<std::string, Clock::Duration>> pop_locked();
  std::optional<std::string> report(std::optional<std::pair<std::string, Clock::Duration>> popped);

  std::shared_ptr<Clock> clock_;
  KeyRateLimiter limiter_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::unordered_map<std::string, Clock::TimePoint> ready_since_;  // queued key -> when it entered queue_
  WaitObserver wait_observer_;
  std::unordered_set<std::string> dirty_;       // queued or to re-queue after done()
  std::unordered_set<std::string> processing_;  // handed out, done() not yet called
  std::map<std::string, Clock::TimePoint> waiting_;           // delayed key -> ready time
  std::set<std::pair<Clock::TimePoint, std::string>> by_time_;  // same, ordered by time
  bool shutdown_ = false;

  // The timer lives on its own io_context thread; it is only touched there.
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::steady_timer timer_;
  std::thread io_thread_;
};

}  // namespace sluice::kube
