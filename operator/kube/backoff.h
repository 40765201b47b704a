// Exponential backoff with jitter. Pure arithmetic plus an injected random
// source and clock, so the growth, the cap and the reset are unit-testable.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <random>

#include "kube/clock.h"

namespace sluice::kube {

struct BackoffPolicy {
  Clock::Duration initial = std::chrono::milliseconds(800);
  Clock::Duration max = std::chrono::seconds(30);
  double factor = 2.0;
  // The delay is scaled by a factor drawn from [1 - jitter, 1]: spreading
  // clients out without ever exceeding `max`.
  double jitter = 0.5;
  // After this long without a failure the next delay starts from `initial`.
  Clock::Duration reset_after = std::chrono::minutes(2);
};

// Returns a uniform number in [0, 1). Default: a seeded mt19937.
using RandomSource = std::function<double()>;
RandomSource default_random();

// Delay before retry number `attempt` (0-based), before jitter.
inline Clock::Duration backoff_base_delay(const BackoffPolicy& p, int attempt) {
  double scaled = static_cast<double>(p.initial.count()) * std::pow(p.factor, std::min(attempt, 62));
  if (scaled >= static_cast<double>(p.max.count())) return p.max;
  return Clock::Duration(static_cast<Clock::Duration::rep>(scaled));
}

// Stateful backoff for one retry loop. Not thread-safe.
class Backoff {
 public:
  Backoff(BackoffPolicy policy, std::shared_ptr<Clock> clock, RandomSource random = default_random())
      : policy_(policy), clock_(std::move(clock)), random_(std::move(random)) {}

  // Records a failure and returns how long to wait before the next try.
  Clock::Duration next() {
    auto now = clock_->now();
    if (attempt_ > 0 && now - last_failure_ > policy_.reset_after) attempt_ = 0;
    last_failure_ = now;
    auto base = backoff_base_delay(policy_, attempt_++);
    double scale = 1.0 - policy_.jitter * std::clamp(random_(), 0.0, 1.0);
    return Clock::Duration(static_cast<Clock::Duration::rep>(static_cast<double>(base.count()) * scale));
  }

  void reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  BackoffPolicy policy_;
  std::shared_ptr<Clock> clock_;
  RandomSource random_;
  int attempt_ = 0;
  Clock::TimePoint last_failure_{};
};

inline RandomSource default_random() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  auto mu = std::make_shared<std::mutex>();
  return [engine, mu]() {
    std::lock_guard<std::mutex> lock(*mu);
    return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
  };
}

}  // namespace sluice::kube
