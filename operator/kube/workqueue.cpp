#include "kube/workqueue.h"

#include <boost/asio/post.hpp>

#include "kube/backoff.h"

namespace sluice::kube {

KeyRateLimiter::KeyRateLimiter(RateLimiterOptions options, std::shared_ptr<Clock> clock)
    : options_(options), bucket_(options.qps, options.burst, std::move(clock)) {}

Clock::Duration KeyRateLimiter::when(const std::string& key) {
  int failures;
  {
    std::lock_guard<std::mutex> lock(mu_);
    failures = failures_[key]++;
  }
  BackoffPolicy policy{options_.base_delay, options_.max_delay, 2.0, 0.0, Clock::Duration::max()};
  return std::max(backoff_base_delay(policy, failures), bucket_.reserve());
}

void KeyRateLimiter::forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(key);
}

int KeyRateLimiter::num_requeues(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

WorkQueue::WorkQueue(std::shared_ptr<Clock> clock, RateLimiterOptions limits)
    : clock_(std::move(clock)),
      limiter_(limits, clock_),
      work_(boost::asio::make_work_guard(io_)),
      timer_(io_) {
  io_thread_ = std::thread([this] { io_.run(); });
}

WorkQueue::~WorkQueue() {
  shutdown();
  boost::asio::post(io_, [this] { timer_.cancel(); });
  work_.reset();
  io_.stop();
  if (io_thread_.joinable()) io_thread_.join();
}

void WorkQueue::add_locked(const std::string& key) {
  if (shutdown_ || dirty_.count(key)) return;
  dirty_.insert(key);
  if (processing_.count(key)) return;  // done() will queue it again
  push_ready_locked(key);
}

void WorkQueue::push_ready_locked(const std::string& key) {
  queue_.push_back(key);
  ready_since_[key] = clock_->now();
  cv_.notify_one();
}

void WorkQueue::add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  add_locked(key);
}

void WorkQueue::add_after(const std::string& key, Clock::Duration delay) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_) return;
    if (delay <= Clock::Duration::zero()) {
      add_locked(key);
      return;
    }
    auto ready = clock_->now() + delay;
    auto it = waiting_.find(key);
    if (it != waiting_.end()) {
      if (it->second <= ready) return;  // already due sooner
      by_time_.erase({it->second, key});
      it->second = ready;
    } else {
      waiting_.emplace(key, ready);
    }
    by_time_.emplace(ready, key);
  }
  boost::asio::post(io_, [this] { arm_timer(); });
}

void WorkQueue::add_rate_limited(const std::string& key) { add_after(key, limiter_.when(key)); }

void WorkQueue::poll_delayed_locked() {
  auto now = clock_->now();
  while (!by_time_.empty() && by_time_.begin()->first <= now) {
    std::string key = by_time_.begin()->second;
    by_time_.erase(by_time_.begin());
    waiting_.erase(key);
    add_locked(key);
  }
}

void WorkQueue::poll_delayed() {
  std::lock_guard<std::mutex> lock(mu_);
  poll_delayed_locked();
}

// Runs on the io thread: (re)arms the timer for the earliest delayed key.
// The wait is computed from the injected clock, then slept in real time;
// with a FakeClock the timer just finds nothing due and re-arms.
void WorkQueue::arm_timer() {
  Clock::Duration wait;
  {
    std::lock_guard<std::mutex> lock(mu_);
    poll_delayed_locked();
    if (by_time_.empty() || shutdown_) return;
    wait = by_time_.begin()->first - clock_->now();
  }
  timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(wait));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: a newer arm_timer() call took over
    arm_timer();
  });
}

std::optional<std::pair<std::string, Clock::Duration>> WorkQueue::pop_locked() {
  if (queue_.empty()) return std::nullopt;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  Clock::Duration waited{};
  if (auto it = ready_since_.find(key); it != ready_since_.end()) {
    waited = clock_->now() - it->second;
    ready_since_.erase(it);
  }
  return std::make_pair(std::move(key), waited);
}

std::optional<std::string> WorkQueue::report(std::optional<std::pair<std::string, Clock::Duration>> popped) {
  if (!popped) return std::nullopt;
  WaitObserver observer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    observer = wait_observer_;
  }
  if (observer) observer(popped->second);
  return std::move(popped->first);
}

void WorkQueue::set_wait_observer(WaitObserver observer) {
  std::lock_guard<std::mutex> lock(mu_);
  wait_observer_ = std::move(observer);
}

std::optional<std::string> WorkQueue::get() {
  std::optional<std::pair<std::string, Clock::Duration>> popped;
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] {
      poll_delayed_locked();
      return !queue_.empty() || shutdown_;
    });
    popped = pop_locked();
  }
  return report(std::move(popped));
}

std::optional<std::string> WorkQueue::try_get() {
  std::optional<std::pair<std::string, Clock::Duration>> popped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    poll_delayed_locked();
    popped = pop_locked();
  }
  return report(std::move(popped));
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  processing_.erase(key);
  if (dirty_.count(key)) push_ready_locked(key);
}

void WorkQueue::shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_ = true;
  waiting_.clear();
  by_time_.clear();
  cv_.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutdown_;
}

size_t WorkQueue::len() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

size_t WorkQueue::delayed_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_.size();
}

}  // namespace sluice::kube
