// Token bucket: `qps` tokens per second, at most `burst` saved up. reserve()
// takes a token now and says how long the caller must wait before using it,
// so waiting callers queue up fairly instead of polling.
#pragma once

#include <algorithm>
#include <memory>
#include <mutex>

#include "kube/clock.h"

namespace sluice::kube {

class TokenBucket {
 public:
  // qps <= 0 disables limiting (reserve() always returns zero).
  TokenBucket(double qps, int burst, std::shared_ptr<Clock> clock)
      : qps_(qps), burst_(std::max(1, burst)), clock_(std::move(clock)),
        tokens_(static_cast<double>(burst_)), last_(clock_->now()) {}

  // Takes one token; returns the wait before it may be used (zero if free).
  Clock::Duration reserve() {
    if (qps_ <= 0) return Clock::Duration::zero();
    std::lock_guard<std::mutex> lock(mu_);
    refill();
    tokens_ -= 1.0;
    if (tokens_ >= 0) return Clock::Duration::zero();
    return std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(-tokens_ / qps_));
  }

 private:
  void refill() {
    auto now = clock_->now();
    double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    if (elapsed > 0) tokens_ = std::min(static_cast<double>(burst_), tokens_ + elapsed * qps_);
  }

  const double qps_;
  const int burst_;
  std::shared_ptr<Clock> clock_;
  std::mutex mu_;
  double tokens_;
  Clock::TimePoint last_;
};

}  // namespace sluice::kube
