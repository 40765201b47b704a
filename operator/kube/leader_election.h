// Leader election on a coordination.k8s.io/v1 Lease, following client-go's
// algorithm. It does not fence: a deposed leader may still finish a write it
// started, so everything a leader does must be idempotent.
//
// Timing contract: renew_deadline < lease_duration, and the Client's request
// timeout should be below renew_deadline, so a leader steps down before any
// other candidate can consider the lease expired.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kube/client.h"

namespace sluice::kube {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per candidate, e.g. pod name + random suffix
  Clock::Duration lease_duration = std::chrono::seconds(15);
  Clock::Duration renew_deadline = std::chrono::seconds(10);
  Clock::Duration retry_period = std::chrono::seconds(2);
  bool release_on_stop = true;  // clear the holder on stop() so others take over at once
  // Callbacks run on the elector's thread and must not block for long.
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;  // also after a lost renewal
  std::function<void(const std::string& identity)> on_new_leader;
};

class LeaderElector {
 public:
  LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config,
                std::shared_ptr<Clock> clock = real_clock());
  ~LeaderElector();
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Campaigns in a background thread: acquire, renew, and after losing the
  // lease, campaign again, until stop().
  void start();
  // Stops; when leading, calls on_stopped_leading and then (if configured)
  // releases the lease. Blocks until done.
  void stop();

  bool is_leader() const;
  std::string observed_leader() const;

 private:
  void run();
  bool try_acquire_or_renew();
  // try_acquire_or_renew that logs and reports false on any exception.
  bool try_acquire_or_renew_guarded();
  void release();
  bool wait(Clock::Duration d);  // false when stopping
  void observe(const web::json::value& spec);

  std::shared_ptr<Client> client_;
  LeaderElectionConfig config_;
  std::shared_ptr<Clock> clock_;
  RandomSource random_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool leader_ = false;
  std::string observed_spec_;  // serialized spec last seen
  std::string observed_holder_;
  Clock::TimePoint observed_time_{};
  std::thread thread_;
};

// Reading a Lease the server returned (pure; exposed for tests). Nothing the
// server sends may throw out of the elector's thread.
namespace lease_fields {
// The Lease's spec. A Lease without one reads as {} unless `spec_required`
// (the reply to our own create or update must carry the spec we sent);
// nullopt when the reply is not an object or its spec is not an object.
std::optional<web::json::value> spec_of(const web::json::value& lease, bool spec_required);
// A string field of the spec; "" when missing or not a string.
std::string string_field(const web::json::value& spec, const char* field);
// An int32 field of the spec; 0 when missing or not a whole number in int32
// range (1e300, 3e9, 1.5).
int int_field(const web::json::value& spec, const char* field);
// leaseTransitions after one more transition: wraps to 0 at INT32_MAX
// instead of overflowing (the API server refuses values beyond int32).
int next_transitions(const web::json::value& spec);
}  // namespace lease_fields

// Formats a wall-clock time as a Kubernetes MicroTime (RFC 3339, microseconds, UTC).
std::string format_micro_time(std::chrono::system_clock::time_point t);

}  // namespace sluice::kube
