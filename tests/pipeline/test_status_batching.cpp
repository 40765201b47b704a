// Which status changes the controller may hold back and write with later
// ones (status_batching.h): only what the planner would compute again from
// the Jobs and pods if the operator died before writing it.
#include <gtest/gtest.h>

#include <algorithm>

#include "fixtures_abalone.h"
#include "plan.h"
#include "status_batching.h"

namespace sluice::pipeline {
namespace {

using namespace sluice::pipeline::testing;

// Each round of a simulated run: the status the server would hold if every
// batchable change were held back (written), and whether this round's
// change may wait.
struct Round {
  ExecutionStatus writtenBefore;
  PlanOutput out;
  bool batched = false;
};

std::vector<Round> runBatching(Simulation& sim, int maxRounds = 100) {
  std::vector<Round> rounds;
  ExecutionStatus written = sim.execution.status;
  for (int i = 0; i < maxRounds && !isTerminal(sim.execution.status.phase); ++i) {
    Round r;
    r.writtenBefore = written;
    r.out = sim.step();
    r.batched = mayBatchStatusWrite(written, r.out.status, r.out.events);
    if (!r.batched) written = r.out.status;
    rounds.push_back(std::move(r));
  }
  return rounds;
}

std::vector<std::string> reasonsOf(const std::vector<PlanEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.reason);
  return out;
}

// The rounds whose plan posted an Event with this reason.
std::vector<const Round*> roundsWith(const std::vector<Round>& rounds, const std::string& reason) {
  std::vector<const Round*> out;
  for (const auto& r : rounds) {
    const auto reasons = reasonsOf(r.out.events);
    if (std::find(reasons.begin(), reasons.end(), reason) != reasons.end()) out.push_back(&r);
  }
  return out;
}

TEST(StatusBatching, ASuccessfulRunWritesItsStartAndEndAtOnceAndHoldsStepProgress) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-b1", kT0));
  sim.scripts["Evaluate"].properties = {{"mse", "4.37"}};
  const auto rounds = runBatching(sim);
  ASSERT_EQ(sim.execution.status.phase, ExecutionPhase::Succeeded);
  ASSERT_GE(rounds.size(), 4u);
  EXPECT_FALSE(rounds.front().batched) << "the start (snapshot, parameters) must be written at once";
  EXPECT_FALSE(rounds.back().batched) << "the end must be written at once";
  // Train caches (P30D): its success is a result other executions may hit,
  // written at once; every other mid-run change may wait.
  int batched = 0;
  bool sawCachedSuccess = false;
  for (size_t i = 1; i + 1 < rounds.size(); ++i) {
    const bool cachedSuccess = phaseOf(rounds[i].out.status, "Train") == "Succeeded" &&
                               phaseOf(rounds[i].writtenBefore, "Train") != "Succeeded";
    ASSERT_FALSE(stepOf(rounds[i].out.status, "Train").cacheKey.empty() && phaseOf(rounds[i].out.status, "Train") == "Succeeded")
        << "Train's cache key: the fixture must cache it";
    sawCachedSuccess = sawCachedSuccess || cachedSuccess;
    EXPECT_EQ(rounds[i].batched, !cachedSuccess)
        << "round " << i << " events " << ::testing::PrintToString(reasonsOf(rounds[i].out.events));
    batched += rounds[i].batched;
  }
  EXPECT_TRUE(sawCachedSuccess);
  EXPECT_GE(batched, 5) << "Preprocess, Train and Evaluate start, Preprocess and Evaluate succeed mid-run";
}

TEST(StatusBatching, ConditionOutcomeAndTheSkippedBranchMayWait) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-b2", kT0));
  sim.scripts["Evaluate"].properties = {{"mse", "4.37"}};
  const auto rounds = runBatching(sim);
  bool sawCondition = false;
  for (const auto& r : rounds) {
    for (const auto& s : r.out.status.steps) {
      if (s.name != "FailNotify" || s.phase != StepPhase::Skipped) continue;
      const bool newlySkipped = std::any_of(r.writtenBefore.steps.begin(), r.writtenBefore.steps.end(),
                                            [](const StepStatus& w) { return w.name == "FailNotify" && w.phase == StepPhase::Pending; });
      if (newlySkipped && r.out.status.phase == ExecutionPhase::Executing) {
        sawCondition = true;
        EXPECT_TRUE(r.batched);
      }
    }
  }
  EXPECT_TRUE(sawCondition) << "the run never skipped the else branch mid-run";
}

TEST(StatusBatching, AFailureIsWrittenAtOnce) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-b3", kT0));
  sim.scripts["Train"].failuresBeforeSuccess = 10;
  const auto rounds = runBatching(sim);
  ASSERT_EQ(sim.execution.status.phase, ExecutionPhase::Failed);
  const auto failing = roundsWith(rounds, "StepFailed");
  EXPECT_FALSE(failing.empty());
  for (const Round* r : failing) EXPECT_FALSE(r->batched);
}

TEST(StatusBatching, AStopIsWrittenAtOnce) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-b4", kT0));
  sim.scripts["Train"].neverFinish = true;
  for (int i = 0; i < 6; ++i) sim.step();
  ASSERT_EQ(phaseOf(sim.execution.status, "Train"), "Executing");
  const ExecutionStatus before = sim.execution.status;
  sim.execution.spec.stop = true;
  sim.execution.metadata.generation += 1;
  const PlanOutput out = sim.step();
  EXPECT_FALSE(mayBatchStatusWrite(before, out.status, out.events));
}

TEST(StatusBatching, ACacheHitIsWrittenAtOnce) {
  Pipeline cached = abalonePipeline();
  cached.spec.steps[1].inputs[0].from = "s3://datasets/fixed/train/";
  Simulation first(cached, makeExecution("abalone-b5", kT0), kT0);
  first.scripts["Evaluate"].properties = {{"mse", "4.2"}};
  first.runToEnd();
  Simulation sim(cached, makeExecution("abalone-b6", kT0 + 3600), kT0 + 3600);
  sim.scripts["Evaluate"].properties = {{"mse", "4.2"}};
  sim.cacheIndex = cacheIndexOf({first.execution});
  const auto rounds = runBatching(sim);
  const auto hits = roundsWith(rounds, "CacheHit");
  EXPECT_FALSE(hits.empty());
  for (const Round* r : hits) EXPECT_FALSE(r->batched);
  // Once written, the hit is no longer a change: later rounds may batch again.
  EXPECT_TRUE(std::any_of(rounds.begin(), rounds.end(), [](const Round& r) { return r.batched; }));
}

// The reason batching is safe: planning from the stored status (as a new
// operator would after a crash) and the same Jobs and pods gives the same
// steps as planning from the held status.
TEST(StatusBatching, WhatIsHeldIsPlannedAgainFromTheWrittenStatusAndTheJobs) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-b7", kT0));
  sim.scripts["Evaluate"].properties = {{"mse", "4.37"}};
  sim.scripts["Train"].failuresBeforeSuccess = 1;  // a retry mid-run, held too
  ExecutionStatus written = sim.execution.status;
  int compared = 0;
  for (int i = 0; i < 100 && !isTerminal(sim.execution.status.phase); ++i) {
    PlanInput fromWritten = sim.input;
    fromWritten.execution = sim.execution;
    fromWritten.execution.status = written;
    fromWritten.now = sim.now;
    fromWritten.jobs.clear();
    for (const auto& [name, j] : sim.jobs) fromWritten.jobs.push_back(j);
    const PlanOutput recomputed = plan(fromWritten);
    const auto jobsBefore = sim.jobs;

    const PlanOutput out = sim.step();  // from the held status, same Jobs, same time
    if (written.pipelineSpec) {
      ++compared;
      EXPECT_EQ(std::string(toString(recomputed.status.phase)), toString(out.status.phase)) << "round " << i;
      ASSERT_EQ(recomputed.status.steps.size(), out.status.steps.size());
      for (size_t s = 0; s < out.status.steps.size(); ++s) {
        const StepStatus& a = recomputed.status.steps[s];
        const StepStatus& b = out.status.steps[s];
        EXPECT_EQ(std::string(toString(a.phase)), toString(b.phase)) << "round " << i << " step " << b.name;
        EXPECT_EQ(a.jobName, b.jobName) << b.name;
        EXPECT_EQ(a.attemptCount, b.attemptCount) << b.name;
        EXPECT_EQ(a.conditionOutcome, b.conditionOutcome) << b.name;
        ASSERT_EQ(a.outputs.size(), b.outputs.size()) << b.name;
        for (size_t o = 0; o < a.outputs.size(); ++o) EXPECT_EQ(a.outputs[o].uri, b.outputs[o].uri) << b.name;
        ASSERT_EQ(a.properties.size(), b.properties.size()) << b.name;
        for (size_t p = 0; p < a.properties.size(); ++p) EXPECT_EQ(a.properties[p].value, b.properties[p].value);
      }
      std::set<std::string> created, again;
      for (const auto& j : out.jobsToCreate) created.insert(j.name);
      for (const auto& j : recomputed.jobsToCreate) again.insert(j.name);
      // Every Job the held plan asks for, the recomputed plan asks for too
      // (or it existed before this round, and creating it is an adoption).
      for (const auto& name : created) EXPECT_TRUE(again.count(name) || jobsBefore.count(name)) << name;
      EXPECT_EQ(created, again) << "round " << i;
    }
    if (!mayBatchStatusWrite(written, out.status, out.events)) written = out.status;
  }
  EXPECT_EQ(sim.execution.status.phase, ExecutionPhase::Succeeded);
  EXPECT_GE(compared, 6);
}

}  // namespace
}  // namespace sluice::pipeline
