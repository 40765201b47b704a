// The ceiling: the least a controller can do to move a linear pipeline
// along on this apiserver. It watches the namespace's step pods and, when
// one reaches Succeeded, creates the next step's Job, nothing else: no
// informer caches, no planning, no status writes, no Events. Run against
// the same StepHarness (which plays Job controller + kubelet) as the
// operator, its throughput and transition latency are what Sluice is
// measured against (bench_operator prints the ratios).
#pragma once

#include <atomic>
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
#include "step_harness.h"
#include "watch_loop.h"

namespace sluice::bench {

class ReferenceController {
 public:
  // `workers` threads create Jobs (the operator's --workers, for a like
  // comparison); each run is `steps` Jobs S0 -> S(steps-1).
  ReferenceController(std::shared_ptr<kube::Client> client, std::string ns, int steps, int workers);
  ~ReferenceController();
  void start();
  void stop();

  // Creates run `run`'s first Job (the "execution created" instant is just
  // before this call). False with the error when the create failed.
  bool startRun(const std::string& run, std::string* error);
  // Waits until `n` runs have their last pod Succeeded, or `deadline`.
  bool waitDone(size_t n, Clock::time_point deadline);
  // run -> when its last step's pod Succeeded event arrived.
  std::map<std::string, Clock::time_point> done() const;
  int failures() const { return failures_.load(); }
  std::string lastError() const;

  // A Job the harness completes: the labels and annotation it reads.
  static web::json::value stepJob(const std::string& run, int step);

 private:
  void onPod(const kube::WatchEvent& e);
  void work();

  std::shared_ptr<kube::Client> client_;
  std::string ns_;
  int steps_;
  int workers_count_;
  WatchLoop watch_;
  mutable std::mutex mu_;
  std::condition_variable cv_;       // work queued or stopping
  std::condition_variable done_cv_;  // a run finished
  std::deque<std::pair<std::string, int>> queue_;  // (run, step) Jobs to create
  std::set<std::string> handled_;                  // pods whose success was acted on
  std::map<std::string, Clock::time_point> done_;
  std::string last_error_;
  bool stop_ = false;
  std::atomic<int> failures_{0};
  std::vector<std::thread> workers_;
};

}  // namespace sluice::bench
