// Fault suite, control plane (ctest label faults, RUN_SERIAL: it restarts
// the tier's shared kube-apiserver and etcd, so nothing else may run beside
// it): both are SIGKILLed while executions of a 10-step pipeline run, kept
// down for a few seconds and started again with tests/cluster/restart.sh.
// Every execution must converge with complete status, one Job per step,
// and the operator must ride it out in the same process. Prints its
// figures. SLUICE_FAULT_RESTART_EXECUTIONS sets the count (default 20).
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "fault_fixture.h"

namespace sluice::testing {
namespace {

// restart.sh [--kill] [--down S] NAME against the cluster of $SLUICE_TESTENV_RUN.
int restartComponent(const std::string& name, int downSeconds, std::string* output) {
  return runCommand({"/bin/bash", SLUICE_SOURCE_DIR "/tests/cluster/restart.sh", "--kill", "--down",
                     std::to_string(downSeconds), name},
                    output);
}

TEST_F(FaultTest, KubeApiserverAndEtcdKilledMidRunEveryExecutionConverges) {
  ASSERT_NE(std::getenv("SLUICE_TESTENV_RUN"), nullptr) << "source the test cluster's env file (tests/cluster/up.sh)";
  const int executions = envInt("SLUICE_FAULT_RESTART_EXECUTIONS", 20);
  const auto start = std::chrono::steady_clock::now();
  startOperator("restarts");
  // The last step's pods stay unfinished until both restarts are done, so
  // each restart meets running executions however fast the steps go
  // (status batching made 20 runs finish before the etcd kill).
  const std::string lastStep = kSteps.back();
  startKubelet(holding(lastStep));
  apply(kTenSteps);
  applyTenStepRuns("r-", executions);

  struct Restart {
    std::string component;
    int down;
    int unfinishedBefore = 0;
    double seconds = 0;  // from the kill until the API server is ready again
  };
  std::vector<Restart> restarts{{"kube-apiserver", 2}, {"etcd", 3}};
  for (auto& r : restarts) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    r.unfinishedBefore = unfinished("r-", executions);
    const auto t0 = std::chrono::steady_clock::now();
    std::string out;
    ASSERT_EQ(restartComponent(r.component, r.down, &out), 0) << out;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_GT(r.unfinishedBefore, 0) << "the " << r.component << " restart hit no running execution";
  }

  kubelet_->release(lastStep);
  const Tally t = tallyTenStepRuns("r-", executions, std::chrono::seconds(240));
  EXPECT_TRUE(operator_->running()) << "the operator exited while the control plane restarted";
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
  std::cout << "faults: control plane restarts survived during " << executions << " executions of " << kSteps.size()
            << " steps in " << seconds << " s:";
  for (const auto& r : restarts)
    std::cout << " " << r.component << " SIGKILLed, down " << r.down << " s, serving again after " << r.seconds
              << " s (" << r.unfinishedBefore << " executions unfinished);";
  std::cout << " lost executions " << t.lost << ", incomplete step records " << t.incomplete
            << ", steps with two Jobs " << t.duplicateJobs << ", steps without a Job " << t.missingJobs
            << ", transitions with two Events " << t.duplicateEvents << ", operator restarts 0" << std::endl;
}

}  // namespace
}  // namespace sluice::testing
