// Plays the Job controller and the kubelet for the integration tier, where
// the real API server runs without controllers: for every Job in the
// namespace it creates the pod the Job controller would, then sets the pod's
// status as a kubelet would, with the termination message sluice-runner
// would write (outputs from the Job's SLUICE_STAGING, properties and exit
// code from the test's script). Talks only to the real API server.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kube/client.h"

namespace sluice::testing {

struct StepBehaviour {
  int exitCode = 0;
  std::map<std::string, std::string> properties;
  bool hold = false;  // leave the pod Running (for stop / parallelism tests)
};

class FakeKubelet {
 public:
  using Script = std::function<StepBehaviour(const std::string& step)>;
  FakeKubelet(std::shared_ptr<kube::Client> client, std::string ns, Script script);
  ~FakeKubelet();
  void start();
  void stop();

  // Steps whose pods were created, in order.
  std::vector<std::string> stepsStarted() const;
  // Most pods Running at the same time.
  int maxConcurrentRunning() const { return maxRunning_.load(); }
  // Releases held pods of a step (they then finish per script with hold=false).
  void release(const std::string& step);

 private:
  void loop();
  void tick();
  bool createPod(const web::json::value& job, std::string& podName);
  // False when the status write did not go through (tried again later).
  bool finishPod(const std::string& podName, const web::json::value& job, const StepBehaviour& b);

  std::shared_ptr<kube::Client> client_;
  std::string ns_;
  Script script_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> podOfJob_;   // job -> pod
  std::map<std::string, std::string> stepOfJob_;  // job -> step
  std::set<std::string> finished_;                // jobs whose pod finished
  std::set<std::string> released_;
  std::vector<std::string> started_;
  std::atomic<int> maxRunning_{0};
};

}  // namespace sluice::testing
