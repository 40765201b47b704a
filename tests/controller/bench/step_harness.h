// Plays Job controller + kubelet as fast as possible: a watch on the
// namespace's sluice Jobs hands every new Job to a pool of threads that
// create its pod and at once write the pod's status as Succeeded with the
// termination message sluice-runner would write for a step without outputs.
// Records, per (execution, step), when the Job's ADDED arrived and when the
// pod's Succeeded status write returned, so the step-transition latency is
// Job(S[i]).added - Pod(S[i-1]).succeeded.
//
// Full-cluster mode (up.sh --full): the real Job controller makes the pods,
// the scheduler binds them and kwok starts them; the harness only watches
// the pods and writes Succeeded once kwok reports one Running (what
// sluice-runner's exit would do), recording when each stage was seen.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kube/client.h"
#include "watch_loop.h"

namespace sluice::bench {

using Clock = std::chrono::steady_clock;

struct StepTimes {
  Clock::time_point job_added{};
  Clock::time_point pod_succeeded{};  // response to the status write received
  bool has_job = false;
  bool has_pod = false;
  // Full-cluster mode: when the harness's pod watch first saw each stage.
  Clock::time_point pod_added{}, pod_scheduled{}, pod_running{};
  bool has_pod_added = false, has_pod_scheduled = false, has_pod_running = false;
};

class StepHarness {
 public:
  StepHarness(std::shared_ptr<kube::Client> client, std::string ns, int threads, bool fullCluster = false);
  ~StepHarness();
  void start();
  void stop();

  // (execution, step) -> times; a copy.
  std::map<std::pair<std::string, std::string>, StepTimes> times() const;
  int podsSucceeded() const { return succeeded_.load(); }
  int failures() const { return failures_.load(); }
  std::string lastError() const;
  // Requests this harness sent, keyed "VERB resource[/subresource]" as the
  // apiserver_request_total labels name them; watches under "WATCH jobs".
  std::map<std::string, long> requests() const;

 private:
  void onJob(const kube::WatchEvent& e);
  void onPod(const kube::WatchEvent& e);
  void work();
  void complete(const web::json::value& job);
  void completeRunning(web::json::value pod);

  std::shared_ptr<kube::Client> client_;
  std::string ns_;
  int threads_;
  bool fullCluster_;
  WatchLoop watch_;
  std::unique_ptr<WatchLoop> podWatch_;  // full-cluster mode
  std::set<std::string> podsQueued_;     // full-cluster mode: pods already handed to a worker
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<web::json::value> queue_;
  std::set<std::string> seen_;  // job names already queued
  std::map<std::pair<std::string, std::string>, StepTimes> times_;
  std::map<std::string, long> requests_;
  std::string last_error_;
  bool stop_ = false;
  std::atomic<int> succeeded_{0};
  std::atomic<int> failures_{0};
  std::vector<std::thread> workers_;
};

}  // namespace sluice::bench
