// The conditions GitOps tools read (plan_status.h): Ready, Succeeded,
// Reconciling, Stalled in every phase, their reasons, generations and
// transition times. kstatus computes InProgress from Reconciling=True or an
// observedGeneration behind metadata.generation, and Failed from
// Stalled=True; tests/gitops checks the real library against the same shapes.
#include <gtest/gtest.h>

#include "fixtures_abalone.h"
#include "plan.h"
#include "plan_status.h"

namespace sluice::pipeline {
namespace {

using namespace sluice::pipeline::testing;

struct Expected {
  const char* ready;
  const char* succeeded;
  const char* reconciling;
  const char* stalled;
  const char* reason;  // of every one of the four
};

// "" when conditions hold exactly what `want` says, else what differs.
std::string mismatch(const ExecutionStatus& st, const Expected& want) {
  std::string out;
  const std::pair<const char*, const char*> rows[] = {
      {"Ready", want.ready}, {"Succeeded", want.succeeded}, {"Reconciling", want.reconciling}, {"Stalled", want.stalled}};
  for (const auto& [type, status] : rows) {
    const StatusCondition* c = findCondition(st.conditions, type);
    if (!c) {
      out += std::string(type) + " missing; ";
      continue;
    }
    if (c->status != status) out += std::string(type) + "=" + c->status + " (want " + status + "); ";
    if (c->reason != want.reason) out += std::string(type) + " reason " + c->reason + " (want " + want.reason + "); ";
  }
  return out;
}

TEST(PlanConditions, ARunningExecutionIsReconcilingAndNotReady) {
  Simulation sim(abalonePipeline(), makeExecution("c-run", kT0));
  sim.step();
  ASSERT_EQ(sim.execution.status.phase, ExecutionPhase::Executing);
  EXPECT_EQ(mismatch(sim.execution.status, {"False", "Unknown", "True", "False", "Executing"}), "");
}

TEST(PlanConditions, ASucceededExecutionIsReadyAndNoLongerReconciling) {
  Simulation sim(abalonePipeline(), makeExecution("c-ok", kT0));
  sim.scripts["Evaluate"].properties = {{"mse", "1"}};
  ASSERT_EQ(sim.runToEnd().phase, ExecutionPhase::Succeeded);
  EXPECT_EQ(mismatch(sim.execution.status, {"True", "True", "False", "False", "Succeeded"}), "");
}

TEST(PlanConditions, AFailedStepStallsTheExecutionWithTheFailureAsMessage) {
  Simulation sim(abalonePipeline(), makeExecution("c-fail", kT0));
  sim.scripts["Train"].failuresBeforeSuccess = 99;
  sim.scripts["Train"].failReason = "exit code 2";
  const ExecutionStatus& st = sim.runToEnd();
  ASSERT_EQ(st.phase, ExecutionPhase::Failed);
  EXPECT_EQ(mismatch(st, {"False", "False", "False", "True", "StepFailed"}), "");
  EXPECT_EQ(findCondition(st.conditions, "Stalled")->message, st.failureReason);
  EXPECT_NE(st.failureReason.find("Step 'Train' failed"), std::string::npos) << st.failureReason;
}

TEST(PlanConditions, RejectionsBeforeStartStallWithTheirReason) {
  struct Row {
    const char* name;
    std::vector<ParameterValue> params;
    bool cyclic;
    const char* reason;
  };
  const std::vector<Row> rows = {
      {"bad parameter", {{"XGBNumRounds", "many"}}, false, kReasonInvalidParameters},
      {"invalid pipeline", {}, true, kReasonPipelineInvalid},
  };
  for (const auto& row : rows) {
    Pipeline p = abalonePipeline();
    if (row.cyclic) p.spec.steps[0].dependsOn = {"Evaluate"};
    Simulation sim(p, makeExecution("c-bad", kT0, row.params));
    const ExecutionStatus& st = sim.runToEnd();
    ASSERT_EQ(st.phase, ExecutionPhase::Failed) << row.name;
    EXPECT_EQ(mismatch(st, {"False", "False", "False", "True", row.reason}), "") << row.name;
    EXPECT_EQ(findCondition(st.conditions, "Stalled")->message, st.failureReason) << row.name;
  }
}

TEST(PlanConditions, WaitingForItsPipelineIsReconcilingNotStalled) {
  PlanInput in;
  in.execution = makeExecution("c-orphan", kT0);
  in.now = kT0;
  const PlanOutput out = plan(in);
  ASSERT_EQ(out.status.phase, ExecutionPhase::Pending);
  EXPECT_EQ(mismatch(out.status, {"False", "Unknown", "True", "False", kReasonPipelineNotFound}), "");
}

TEST(PlanConditions, StoppingReconcilesAndStoppedStalls) {
  Simulation sim(abalonePipeline(), makeExecution("c-stop", kT0));
  sim.scripts["Preprocess"].neverFinish = true;
  sim.step();
  sim.step();
  sim.execution.spec.stop = true;
  sim.execution.metadata.generation = 2;
  // The simulation deletes Jobs at once, so a deletion the cache has not
  // seen yet is what keeps it Stopping: plan without applying.
  PlanInput in = sim.input;
  in.execution = sim.execution;
  in.now = sim.now;
  in.jobs.clear();
  for (const auto& [name, j] : sim.jobs) in.jobs.push_back(j);
  const PlanOutput stopping = plan(in);
  ASSERT_EQ(stopping.status.phase, ExecutionPhase::Stopping);
  EXPECT_EQ(mismatch(stopping.status, {"False", "Unknown", "True", "False", "Stopping"}), "");

  const ExecutionStatus& st = sim.runToEnd();
  ASSERT_EQ(st.phase, ExecutionPhase::Stopped);
  EXPECT_EQ(mismatch(st, {"False", "False", "False", "True", "Stopped"}), "");
  EXPECT_EQ(findCondition(st.conditions, "Stalled")->message, "stopped by spec.stop");
}

TEST(PlanConditions, EveryConditionRecordsTheGenerationItWasComputedFrom) {
  PipelineExecution x = makeExecution("c-gen", kT0);
  x.metadata.generation = 4;
  Simulation sim(abalonePipeline(), x);
  sim.step();
  EXPECT_EQ(sim.execution.status.observedGeneration, 4);
  ASSERT_GE(sim.execution.status.conditions.size(), 4u);
  for (const auto& c : sim.execution.status.conditions) EXPECT_EQ(c.observedGeneration, 4) << c.type;
}

TEST(PlanConditions, TransitionTimesMoveOnlyWhenTheStatusValueChanges) {
  Simulation sim(abalonePipeline(), makeExecution("c-time", kT0));
  sim.scripts["Evaluate"].properties = {{"mse", "1"}};
  sim.step();
  const std::string started = findCondition(sim.execution.status.conditions, "Reconciling")->lastTransitionTime;
  const std::string stalledSince = findCondition(sim.execution.status.conditions, "Stalled")->lastTransitionTime;
  EXPECT_EQ(started, formatRfc3339(kT0));
  sim.step();
  sim.step();
  EXPECT_EQ(findCondition(sim.execution.status.conditions, "Reconciling")->lastTransitionTime, started);
  sim.runToEnd();
  const UnixSeconds end = *parseRfc3339(*sim.execution.status.endTime);
  ASSERT_GT(end, kT0);
  EXPECT_EQ(findCondition(sim.execution.status.conditions, "Reconciling")->lastTransitionTime, formatRfc3339(end));
  EXPECT_EQ(findCondition(sim.execution.status.conditions, "Stalled")->lastTransitionTime, stalledSince)
      << "Stalled stayed False throughout";
}

// An execution finished by an older operator has Ready and Succeeded only:
// acknowledging it adds Reconciling and Stalled from what it recorded, once.
TEST(PlanConditions, AFinishedStatusWithoutProgressConditionsGetsThemOnce) {
  struct Row {
    ExecutionPhase phase;
    const char* ready;
    const char* succeeded;
    const char* reason;
    const char* stalled;
  };
  const std::vector<Row> rows = {
      {ExecutionPhase::Failed, "False", "False", kReasonStepFailed, "True"},
      {ExecutionPhase::Succeeded, "True", "True", "Succeeded", "False"},
      {ExecutionPhase::Stopped, "False", "False", "Stopped", "True"},
  };
  for (const auto& row : rows) {
    ExecutionStatus st;
    st.phase = row.phase;
    st.observedGeneration = 1;
    st.failureReason = row.phase == ExecutionPhase::Failed ? "Step 'Train' failed: exit code 2" : "";
    const std::string message = row.phase == ExecutionPhase::Stopped ? "stopped by spec.stop" : st.failureReason;
    setCondition(st.conditions, "Ready", row.ready, row.reason, message, kT0, 1);
    setCondition(st.conditions, "Succeeded", row.succeeded, row.reason, message, kT0, 1);
    const std::string name = toString(row.phase);

    EXPECT_TRUE(acknowledgeGeneration(st, 1, kT0 + 100)) << name;
    EXPECT_EQ(mismatch(st, {row.ready, row.succeeded, "False", row.stalled, row.reason}), "") << name;
    EXPECT_EQ(findCondition(st.conditions, "Stalled")->message, *row.stalled == 'T' ? message : "") << name;
    EXPECT_EQ(findCondition(st.conditions, "Ready")->lastTransitionTime, formatRfc3339(kT0)) << name;
    EXPECT_FALSE(acknowledgeGeneration(st, 1, kT0 + 200)) << name << ": nothing left to write";
    EXPECT_TRUE(acknowledgeGeneration(st, 2, kT0 + 300)) << name << ": a new generation is";
    for (const auto& c : st.conditions) EXPECT_EQ(c.observedGeneration, 2) << name << " " << c.type;
  }
}

TEST(PlanConditions, AFinishedExecutionAcknowledgesASpecChangeWithoutActing) {
  Simulation sim(abalonePipeline(), makeExecution("c-ack", kT0));
  sim.scripts["Evaluate"].properties = {{"mse", "1"}};
  sim.runToEnd();
  const ExecutionStatus before = sim.execution.status;
  sim.execution.metadata.generation = 2;  // e.g. maxParallelSteps edited afterwards
  const PlanOutput out = sim.step();
  EXPECT_TRUE(out.jobsToCreate.empty());
  EXPECT_TRUE(out.events.empty());
  EXPECT_EQ(out.status.observedGeneration, 2);
  EXPECT_EQ(mismatch(out.status, {"True", "True", "False", "False", "Succeeded"}), "");
  EXPECT_EQ(findCondition(out.status.conditions, "Ready")->lastTransitionTime,
            findCondition(before.conditions, "Ready")->lastTransitionTime);
}

}  // namespace
}  // namespace sluice::pipeline
