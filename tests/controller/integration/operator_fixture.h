// An operator process against the real API server, in a fresh namespace,
// with the CRDs applied and a FakeKubelet playing the missing controllers.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "fake_kubelet.h"
#include "kube/client.h"
#include "process.h"

namespace sluice::testing {

// The whole of a text file (empty when it cannot be read), e.g. a process log.
std::string readFile(const std::string& path);
// How many lines of a text file (e.g. a process log) contain `needle`.
int linesWith(const std::string& path, const std::string& needle);

// A PipelineExecution of `pipeline` as YAML; extraSpec goes under spec.
std::string execYaml(const std::string& name, const std::string& pipeline, const std::string& extraSpec = "");
// A Pipeline of `steps` container steps A, B, C, ... in a line, as YAML.
std::string linearPipelineYaml(const std::string& name, int steps);
// A kubelet script that leaves `held`'s pod unfinished and finishes the others.
FakeKubelet::Script holding(const std::string& held);

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

class OperatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  void SetUp() override;
  void TearDown() override;

  void startOperator(const std::string& logName = "operator", const std::vector<std::string>& extraArgs = {});
  // A second operator process (for leader election), owned by the caller.
  std::unique_ptr<Process> spawnOperator(const std::string& logName, const std::vector<std::string>& extraArgs);
  std::string logPath(const std::string& logName) const;
  // SIGTERM and the exit code (expected 0).
  int stopOperator();
  void startKubelet(FakeKubelet::Script script);

  // Applies a YAML manifest (with kubectl, in the test namespace).
  void apply(const std::string& yaml);
  web::json::value execution(const std::string& name);
  std::string phase(const std::string& name);
  // Waits for a terminal phase; returns it ("" on timeout).
  std::string waitTerminal(const std::string& name, std::chrono::seconds timeout = std::chrono::seconds(90));
  const web::json::value* stepStatus(const web::json::value& exec, const std::string& step);
  // Steps with a Job, sorted: of one execution, or of all ("").
  std::vector<std::string> jobSteps(const std::string& execution = "");

  std::shared_ptr<kube::Client> client_;
  std::string ns_;
  std::string kubeconfig_;
  std::unique_ptr<Process> operator_;
  std::unique_ptr<FakeKubelet> kubelet_;
};

}  // namespace sluice::testing
