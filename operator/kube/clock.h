// Time sources for the kube library. Everything that waits or measures time
// takes a Clock so tests can drive time by hand instead of sleeping.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

namespace sluice::kube {

class Clock {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  // Monotonic time: used for every deadline, backoff and lease expiry.
  virtual TimePoint now() const = 0;
  // Wall-clock time: used only for timestamps written to the API server.
  virtual std::chrono::system_clock::time_point wall_now() const = 0;
};

class RealClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wall_now() const override {
    return std::chrono::system_clock::now();
  }
};

// A process-wide real clock, shared so callers need not own one.
inline std::shared_ptr<Clock> real_clock() {
  static const std::shared_ptr<Clock> clock = std::make_shared<RealClock>();
  return clock;
}

// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  FakeClock()
      : now_(TimePoint{} + std::chrono::hours(1)),
        wall_(std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 50)) {}

  TimePoint now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  std::chrono::system_clock::time_point wall_now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return wall_;
  }
  void advance(Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  }

 private:
  mutable std::mutex mu_;
  TimePoint now_;
  std::chrono::system_clock::time_point wall_;
};

}  // namespace sluice::kube
