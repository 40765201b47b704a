// The planner's running semantics on the Abalone pipeline (DESIGN.md
// "Running", "Caching"), driven to completion by the simulation loop of
// fixtures_abalone.h with an injected clock.
#include <gtest/gtest.h>

#include "fixtures_abalone.h"
#include "job_spec.h"
#include "model_json.h"
#include "plan.h"
#include "plan_status.h"

namespace sluice::pipeline {
namespace {

using namespace sluice::pipeline::testing;

TEST(Plan, FullRunTakesTheIfBranchAndSucceeds) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-a", kT0));
  sim.scripts["Evaluate"].properties = {{"mse", "4.37"}};
  const ExecutionStatus& st = sim.runToEnd();

  EXPECT_EQ(st.phase, ExecutionPhase::Succeeded);
  EXPECT_EQ(phaseOf(st, "MSECheck"), "Succeeded");
  EXPECT_EQ(stepOf(st, "MSECheck").conditionOutcome, std::optional<std::string>("True"));
  EXPECT_EQ(phaseOf(st, "Register"), "Succeeded");
  EXPECT_EQ(phaseOf(st, "FailNotify"), "Skipped");
  EXPECT_EQ(stepOf(st, "FailNotify").reason, "ConditionNotMet");
  EXPECT_EQ(sim.stepsWithJobs(), (std::set<std::string>{"Preprocess", "Train", "Evaluate", "Register"}));
  EXPECT_EQ(outputOf(st, "Train", "model"), "s3://pipelines/ml/ml/abalone/abalone-a/Train/model/");
  EXPECT_EQ(stepOf(st, "Evaluate").properties.at(0).value, "4.37");
  EXPECT_EQ(stepOf(st, "Train").attemptCount, 1);
  EXPECT_TRUE(st.pipelineSpec.has_value());
  EXPECT_EQ(st.pipelineGeneration, 3);
  EXPECT_TRUE(sim.hasEvent("ExecutionSucceeded"));
  EXPECT_TRUE(sim.hasEvent("StepStarted", "'Train'"));
  for (const auto& [name, n] : sim.creations) EXPECT_EQ(n, 1) << name << " asked for more than once";
}

TEST(Plan, ElseBranchRunsTheFailStepWithItsRenderedMessage) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-b", kT0, {{"MseThreshold", "3"}}));
  sim.scripts["Evaluate"].properties = {{"mse", "4.37"}};
  const ExecutionStatus& st = sim.runToEnd();
  EXPECT_EQ(st.phase, ExecutionPhase::Failed);
  EXPECT_EQ(st.failureReason, "MSE 4.37 is above 3");
  EXPECT_EQ(stepOf(st, "MSECheck").conditionOutcome, std::optional<std::string>("False"));
  EXPECT_EQ(phaseOf(st, "Register"), "Skipped");
  EXPECT_EQ(stepOf(st, "Register").reason, "ConditionNotMet");
  EXPECT_EQ(phaseOf(st, "FailNotify"), "Failed");
  EXPECT_EQ(sim.stepsWithJobs().count("Register"), 0u);
  EXPECT_TRUE(sim.hasEvent("ExecutionFailed", "MSE 4.37 is above 3"));
}

TEST(Plan, NumberComparedWithNonNumberFailsTheConditionStep) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-c", kT0));
  sim.scripts["Evaluate"].properties = {{"mse", "not-a-number"}};
  const ExecutionStatus& st = sim.runToEnd();
  EXPECT_EQ(st.phase, ExecutionPhase::Failed);
  EXPECT_EQ(phaseOf(st, "MSECheck"), "Failed");
  EXPECT_NE(st.failureReason.find("Step 'MSECheck' failed: "), std::string::npos) << st.failureReason;
  EXPECT_NE(st.failureReason.find("cannot compare non-number \"not-a-number\" with number \"6\""), std::string::npos)
      << st.failureReason;
  EXPECT_EQ(phaseOf(st, "Register"), "Skipped");
  EXPECT_EQ(phaseOf(st, "FailNotify"), "Skipped");
}

TEST(Plan, AStepFailureStartsNothingNewAndNamesTheStep) {
  Pipeline p = abalonePipeline();
  // An independent step that would be ready at the same time as Train.
  StepSpec side = containerStep("SideReport", "registry.example/report:1", {"report"},
                                {"$(steps.Preprocess.outputs.test)"});
  p.spec.steps.push_back(side);
  p.spec.maxParallelSteps = 1;  // Train runs first (spec order), SideReport waits
  Simulation sim(p, makeExecution("abalone-d", kT0));
  sim.scripts["Train"].failuresBeforeSuccess = 10;
  sim.scripts["Train"].failReason = "exit code 2";
  const ExecutionStatus& st = sim.runToEnd();
  EXPECT_EQ(st.phase, ExecutionPhase::Failed);
  EXPECT_EQ(st.failureReason, "Step 'Train' failed: exit code 2");
  EXPECT_EQ(stepOf(st, "Train").attemptCount, 3);
  EXPECT_EQ(sim.stepsWithJobs().count("SideReport"), 0u) << "a new step started after a failure";
  EXPECT_EQ(phaseOf(st, "SideReport"), "Skipped");
  EXPECT_TRUE(sim.hasEvent("StepFailed", "'Train'"));
}

TEST(Plan, RunningStepsFinishAfterAFailure) {
  Pipeline p = abalonePipeline();
  StepSpec side = containerStep("SideReport", "registry.example/report:1", {"report"},
                                {"$(steps.Preprocess.outputs.test)"});
  p.spec.steps.push_back(side);
  Simulation sim(p, makeExecution("abalone-e", kT0));
  sim.scripts["Train"].failuresBeforeSuccess = 10;  // fails on its first run (retries: 3 attempts)
  sim.scripts["SideReport"].neverFinish = true;
  for (int i = 0; i < 30; ++i) sim.step();
  // Train has failed; SideReport is still running, so the execution waits.
  EXPECT_EQ(phaseOf(sim.execution.status, "Train"), "Failed");
  EXPECT_EQ(phaseOf(sim.execution.status, "SideReport"), "Executing");
  EXPECT_EQ(sim.execution.status.phase, ExecutionPhase::Executing);
  EXPECT_TRUE(sim.deleted.empty());
  sim.scripts["SideReport"].neverFinish = false;
  const ExecutionStatus& st = sim.runToEnd();
  EXPECT_EQ(st.phase, ExecutionPhase::Failed);
  EXPECT_EQ(phaseOf(st, "SideReport"), "Succeeded");
}

TEST(Plan, AJobTheServerRejectsFailsItsStepAndTheExecution) {
  // The reconciler plans again with the server's refusal (422) of a Job.
  const std::string why = "Job.batch \"x\" is invalid: spec.template.spec.tolerations[0].value: Invalid value";
  Simulation sim(abalonePipeline(), makeExecution("abalone-r", kT0));
  sim.input.rejectedJobs["Preprocess"] = why;
  const ExecutionStatus& st = sim.runToEnd();
  EXPECT_EQ(st.phase, ExecutionPhase::Failed);
  const StepStatus& pre = stepOf(st, "Preprocess");
  EXPECT_EQ(pre.phase, StepPhase::Failed);
  EXPECT_EQ(pre.reason, "JobRejected");
  EXPECT_EQ(pre.jobName, "") << "no such Job exists";
  EXPECT_TRUE(pre.startTime && pre.endTime);
  EXPECT_NE(st.failureReason.find("Step 'Preprocess' failed: the API server rejected Job"), std::string::npos)
      << st.failureReason;
  EXPECT_NE(st.failureReason.find(why), std::string::npos) << st.failureReason;
  EXPECT_TRUE(sim.jobs.empty()) << "no Job for a rejected step, and nothing after it";
  EXPECT_TRUE(sim.hasEvent("StepFailed", "'Preprocess'"));
  EXPECT_FALSE(sim.hasEvent("StepStarted", "'Preprocess'"));
}

TEST(Plan, AStartingStepWhoseJobIsRejectedOnRecreationFails) {
  // The status says Starting but the cache shows no Job: the planner asks for
  // it again (normally AlreadyExists = adopt); here the server refuses it.
  Simulation sim(abalonePipeline(), makeExecution("abalone-r2", kT0));
  sim.step();
  ASSERT_EQ(phaseOf(sim.execution.status, "Preprocess"), "Starting");
  sim.jobs.clear();
  sim.input.rejectedJobs["Preprocess"] = "forbidden field";
  PlanOutput out = sim.step();
  EXPECT_TRUE(out.jobsToCreate.empty());
  EXPECT_EQ(stepOf(sim.execution.status, "Preprocess").reason, "JobRejected");
  EXPECT_EQ(sim.runToEnd().phase, ExecutionPhase::Failed);
}

TEST(Plan, OverLongMessagesAreCutSoTheStatusWriteIsNeverRefused) {
  // A fail step's message renders a 3,000-byte parameter ten times over:
  // 30 KB of failureReason would make the API server refuse the status.
  Pipeline p = abalonePipeline();
  p.spec.parameters.push_back({"Note", ParamType::String, std::nullopt, ""});
  std::string tenTimes;
  for (int i = 0; i < 10; ++i) tenTimes += "$(params.Note)";
  for (auto& step : p.spec.steps)
    if (step.name == "FailNotify") step.fail = FailStep{tenTimes};
  std::string note;
  for (int i = 0; i < 1500; ++i) note += "\xC3\xA9";  // "é": two bytes, so a naive cut could split one
  Simulation sim(p, makeExecution("long", kT0, {{"MseThreshold", "3"}, {"Note", note}}));
  sim.scripts["Evaluate"].properties = {{"mse", "4.37"}};
  const ExecutionStatus& st = sim.runToEnd();
  ASSERT_EQ(st.phase, ExecutionPhase::Failed);
  EXPECT_LE(st.failureReason.size(), kMaxStatusMessageBytes);
  EXPECT_NE(st.failureReason.find("(30000 bytes in all)"), std::string::npos) << st.failureReason.substr(0, 80);
  EXPECT_EQ(st.failureReason.rfind("\xC3\xA9", 0), 0u) << "the kept part is the start of the message";
  const std::string kept = st.failureReason.substr(0, st.failureReason.find(" ... ("));
  EXPECT_EQ(kept.size() % 2, 0u) << "cut inside a UTF-8 sequence";
  for (const auto& c : st.conditions) EXPECT_LE(c.message.size(), kMaxStatusMessageBytes) << c.type;
  EXPECT_LE(stepOf(st, "FailNotify").message.size(), kMaxStepMessageBytes);
  // Planning again changes nothing: a cut message is not cut again.
  PlanInput again = sim.input;
  again.execution = sim.execution;
  PlanOutput out = plan(again);
  EXPECT_EQ(out.status.failureReason, st.failureReason);
}

TEST(Plan, RetriesCountAttemptsAndSucceed) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-f", kT0));
  sim.scripts["Evaluate"].properties = {{"mse", "1"}};
  sim.scripts["Train"].failuresBeforeSuccess = 2;  // maxAttempts 3
  const ExecutionStatus& st = sim.runToEnd();
  EXPECT_EQ(st.phase, ExecutionPhase::Succeeded);
  EXPECT_EQ(stepOf(st, "Train").attemptCount, 3);
  EXPECT_EQ(sim.backoffLimit.at(stepOf(st, "Train").jobName), 2);
  EXPECT_EQ(sim.creations.at(stepOf(st, "Train").jobName), 1) << "one Job for all attempts";
}

TEST(Plan, MaxAttemptsOneFailsOnFirstPodFailureWithoutWaitingForTheJobCondition) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-g", kT0));
  sim.scripts["Evaluate"].failuresBeforeSuccess = 1;
  sim.scripts["Evaluate"].failReason = "exit code 2";
  const ExecutionStatus& st = sim.runToEnd();
  EXPECT_EQ(st.failureReason, "Step 'Evaluate' failed: exit code 2");
  EXPECT_EQ(stepOf(st, "Evaluate").attemptCount, 1);
}

TEST(Plan, MaxParallelStepsLimitsRunningJobsAndExecutionOverrideWins) {
  Pipeline p;
  p.metadata.name = "abalone";
  p.spec.maxParallelSteps = 3;
  for (int i = 0; i < 6; ++i) p.spec.steps.push_back(containerStep("S" + std::to_string(i), "busybox", {"true"}));
  struct Row {
    std::optional<int> override_;
    int expectedMax;
  };
  for (const Row& row : {Row{std::nullopt, 3}, Row{2, 2}, Row{1, 1}, Row{0, 6}}) {
    PipelineExecution x = makeExecution("par", kT0);
    x.spec.maxParallelSteps = row.override_;
    Simulation sim(p, x);
    const ExecutionStatus& st = sim.runToEnd();
    EXPECT_EQ(st.phase, ExecutionPhase::Succeeded);
    EXPECT_EQ(sim.maxConcurrentJobs, row.expectedMax) << "override " << row.override_.value_or(-1);
  }
}

TEST(Plan, StopDeletesRunningJobsAndEndsStopped) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-s", kT0));
  sim.scripts["Train"].neverFinish = true;
  for (int i = 0; i < 6; ++i) sim.step();
  ASSERT_EQ(phaseOf(sim.execution.status, "Train"), "Executing");
  const std::string trainJob = stepOf(sim.execution.status, "Train").jobName;
  sim.execution.spec.stop = true;
  const PlanOutput out = sim.step();
  EXPECT_EQ(out.jobsToDelete, std::vector<std::string>{trainJob});
  EXPECT_TRUE(out.jobsToCreate.empty());
  const ExecutionStatus& st = sim.runToEnd();
  EXPECT_EQ(st.phase, ExecutionPhase::Stopped);
  EXPECT_EQ(phaseOf(st, "Preprocess"), "Succeeded");
  EXPECT_EQ(phaseOf(st, "Train"), "Stopped");
  EXPECT_EQ(phaseOf(st, "Evaluate"), "Skipped");
  EXPECT_TRUE(sim.hasEvent("ExecutionStopped"));
}

TEST(Plan, StopWaitsWhileTheJobIsStillBeingDeleted) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-s2", kT0));
  sim.scripts["Preprocess"].neverFinish = true;
  sim.step();
  sim.step();
  PlanInput in = sim.input;
  in.execution = sim.execution;
  in.execution.spec.stop = true;
  in.jobs.clear();
  for (auto [name, j] : sim.jobs) {
    j.deleting = true;
    in.jobs.push_back(j);
  }
  const PlanOutput out = plan(in);
  EXPECT_EQ(out.status.phase, ExecutionPhase::Stopping);
  EXPECT_EQ(phaseOf(out.status, "Preprocess"), "Stopping");
  EXPECT_TRUE(out.jobsToDelete.empty()) << "deletion already under way";

  // Clearing spec.stop while Stopping does not resume the run.
  in.execution.status = out.status;
  in.execution.spec.stop = false;
  in.jobs.clear();
  const PlanOutput after = plan(in);
  EXPECT_EQ(after.status.phase, ExecutionPhase::Stopped);
  EXPECT_TRUE(after.jobsToCreate.empty());
}

TEST(Plan, StopRightAfterCreationDeletesByNameAndCreatesNothing) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-s4", kT0));
  PlanInput in = sim.input;
  in.execution = sim.execution;
  in.now = kT0;
  const PlanOutput first = plan(in);
  ASSERT_EQ(first.jobsToCreate.size(), 1u);
  in.execution.status = first.status;
  in.execution.spec.stop = true;
  const PlanOutput out = plan(in);  // the cache does not show the Job yet
  EXPECT_TRUE(out.jobsToCreate.empty());
  EXPECT_EQ(out.jobsToDelete, std::vector<std::string>{first.jobsToCreate[0].name});
  EXPECT_EQ(out.status.phase, ExecutionPhase::Stopped);
  EXPECT_EQ(phaseOf(out.status, "Preprocess"), "Stopped");
}

TEST(Plan, StepResultComesFromItsPods) {
  const std::string job = jobName("abalone-o", "uid-abalone-o", "Preprocess");
  auto pod = [](PodPhase phase, std::string error = "") {
    ObservedPod p;
    p.phase = phase;
    p.errorReason = std::move(error);
    p.endTime = kT0 + 50;
    if (phase == PodPhase::Succeeded) p.outputs = {{"train", "ignored://", 1234, "abc"}};
    return p;
  };
  struct Row {
    const char* name;
    std::vector<ObservedPod> pods;
    int failed;
    bool deadline;
    StepPhase expected;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"pending pod", {pod(PodPhase::Pending)}, 0, false, StepPhase::Starting, ""},
      {"running pod", {pod(PodPhase::Running)}, 0, false, StepPhase::Executing, ""},
      {"succeeded pod", {pod(PodPhase::Succeeded)}, 0, false, StepPhase::Succeeded, ""},
      {"unreadable result", {pod(PodPhase::Succeeded, "termination message is not JSON")}, 0, false,
       StepPhase::Failed, "termination message is not JSON"},
      {"failed pod, no retries left", {pod(PodPhase::Failed, "exit code 3")}, 1, false, StepPhase::Failed,
       "exit code 3"},
      {"deadline", {pod(PodPhase::Running)}, 0, true, StepPhase::Failed,
       "DeadlineExceeded: Job was active longer than specified deadline"},
  };
  for (const auto& row : rows) {
    Simulation sim(abalonePipeline(), makeExecution("abalone-o", kT0));
    PlanInput in = sim.input;
    in.execution = sim.execution;
    in.now = kT0;
    in.execution.status = plan(in).status;
    ObservedJob j;
    j.name = job;
    j.step = "Preprocess";
    j.failed = row.failed;
    j.pods = row.pods;
    j.jobFailed = row.deadline;
    j.jobFailedReason = row.deadline ? "DeadlineExceeded" : "";
    j.jobFailedMessage = row.deadline ? "Job was active longer than specified deadline" : "";
    in.jobs = {j};
    in.now = kT0 + 60;
    const PlanOutput out = plan(in);
    const StepStatus& s = stepOf(out.status, "Preprocess");
    EXPECT_EQ(s.phase, row.expected) << row.name;
    EXPECT_EQ(s.message, row.message) << row.name;
    EXPECT_TRUE(out.jobsToCreate.size() <= 1u) << row.name;
    for (const auto& c : out.jobsToCreate) EXPECT_NE(c.step, "Preprocess") << row.name << ": created again";
    if (row.expected == StepPhase::Succeeded) {
      ASSERT_EQ(s.outputs.size(), 2u);
      EXPECT_EQ(s.outputs[0].uri, "s3://pipelines/ml/ml/abalone/abalone-o/Preprocess/train/") << "operator fixes URIs";
      EXPECT_EQ(s.outputs[0].size, std::optional<int64_t>(1234));
      EXPECT_EQ(s.endTime, std::optional<std::string>(formatRfc3339(kT0 + 50)));
      ASSERT_EQ(out.jobsToCreate.size(), 1u);
      EXPECT_EQ(out.jobsToCreate[0].step, "Train") << "the next ready step starts in the same plan";
    }
    if (row.expected == StepPhase::Failed) {
      EXPECT_EQ(out.status.phase, ExecutionPhase::Failed) << row.name;
      EXPECT_EQ(out.status.failureReason, "Step 'Preprocess' failed: " + row.message) << row.name;
    }
  }
}

TEST(Plan, AnExecutingStepWhoseJobDisappearedFails) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-gone", kT0));
  sim.scripts["Preprocess"].neverFinish = true;
  for (int i = 0; i < 3; ++i) sim.step();
  ASSERT_EQ(phaseOf(sim.execution.status, "Preprocess"), "Executing");
  sim.jobs.clear();
  const ExecutionStatus& st = sim.runToEnd();
  EXPECT_EQ(st.phase, ExecutionPhase::Failed);
  EXPECT_NE(st.failureReason.find("disappeared"), std::string::npos) << st.failureReason;
}

TEST(Plan, StopBeforeStartEndsStoppedWithoutJobs) {
  PipelineExecution x = makeExecution("abalone-s3", kT0);
  x.spec.stop = true;
  Simulation sim(abalonePipeline(), x);
  const ExecutionStatus& st = sim.runToEnd();
  EXPECT_EQ(st.phase, ExecutionPhase::Stopped);
  EXPECT_TRUE(sim.creations.empty());
}

TEST(Plan, CacheHitReusesTheNewestYoungEnoughResultAndExpiryRunsAgain) {
  // Train's input is a fixed literal URI, so its key is the same in every
  // execution with the same parameters (Preprocess's outputs would
  // otherwise move with each execution and change the key).
  Pipeline cached = abalonePipeline();
  cached.spec.steps[1].inputs[0].from = "s3://datasets/fixed/train/";
  auto runAt = [&](const std::string& name, UnixSeconds t, const std::vector<PipelineExecution>& history) {
    Simulation sim(cached, makeExecution(name, t), t);
    sim.scripts["Evaluate"].properties = {{"mse", "4.2"}};
    sim.cacheIndex = cacheIndexOf(history);
    sim.runToEnd();
    return sim;
  };
  const Simulation older = runAt("abalone-c1", kT0, {});
  const Simulation newer = runAt("abalone-c2", kT0 + 86400, {});  // ran without a cache: a second entry
  ASSERT_FALSE(stepOf(newer.execution.status, "Train").cacheHitExecution.has_value());
  ASSERT_EQ(stepOf(older.execution.status, "Train").cacheKey, stepOf(newer.execution.status, "Train").cacheKey);

  // Within P30D of both: the newest entry wins, with its original URIs.
  Simulation hit = runAt("abalone-c3", kT0 + 29 * 86400, {older.execution, newer.execution});
  const StepStatus& train = stepOf(hit.execution.status, "Train");
  EXPECT_EQ(train.phase, StepPhase::Succeeded);
  EXPECT_EQ(train.cacheHitExecution, std::optional<std::string>("abalone-c2"));
  EXPECT_EQ(outputOf(hit.execution.status, "Train", "model"), outputOf(newer.execution.status, "Train", "model"));
  EXPECT_EQ(hit.stepsWithJobs().count("Train"), 0u);
  EXPECT_TRUE(hit.hasEvent("CacheHit", "'abalone-c2'"));
  // Evaluate reads the cached model where it is.
  EXPECT_NE(hit.manifests.at("Evaluate").serialize().find("abalone-c2/Train/model/"), std::string::npos);

  // Past P30D of both entries: Train runs again.
  Simulation expired = runAt("abalone-c4", kT0 + 86400 + 31 * 86400, {older.execution, newer.execution});
  EXPECT_FALSE(stepOf(expired.execution.status, "Train").cacheHitExecution.has_value());
  EXPECT_EQ(expired.stepsWithJobs().count("Train"), 1u);

}

TEST(Plan, CacheKeyChangesWithParametersSoNewValuesRunAgain) {
  const Pipeline p = abalonePipeline();
  Pipeline cached = p;
  cached.spec.steps[1].inputs[0].from = "s3://datasets/fixed/train/";
  Simulation a(cached, makeExecution("k1", kT0));
  a.scripts["Evaluate"].properties = {{"mse", "1"}};
  a.runToEnd();
  Simulation b(cached, makeExecution("k2", kT0 + 60, {{"XGBNumRounds", "150"}}), kT0 + 60);
  b.scripts["Evaluate"].properties = {{"mse", "1"}};
  b.cacheIndex = cacheIndexOf({a.execution});
  b.runToEnd();
  EXPECT_NE(stepOf(a.execution.status, "Train").cacheKey, stepOf(b.execution.status, "Train").cacheKey);
  EXPECT_FALSE(stepOf(b.execution.status, "Train").cacheHitExecution.has_value());
}

TEST(Plan, SameInputGivesSameOutputAndAnObservedJobIsNeverCreatedAgain) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-l", kT0));
  PlanInput in = sim.input;
  in.execution = sim.execution;
  in.now = kT0;
  const PlanOutput first = plan(in);
  const PlanOutput again = plan(in);
  ASSERT_EQ(first.jobsToCreate.size(), 1u);
  EXPECT_EQ(first.jobsToCreate[0].name, again.jobsToCreate[0].name);
  EXPECT_EQ(first.jobsToCreate[0].manifest.serialize(), again.jobsToCreate[0].manifest.serialize());
  EXPECT_EQ(first.events, again.events);

  // Status written; the cache does not show the Job yet: asking again is
  // harmless (AlreadyExists = adopt) and keeps the same name.
  in.execution.status = first.status;
  const PlanOutput lagging = plan(in);
  ASSERT_EQ(lagging.jobsToCreate.size(), 1u);
  EXPECT_EQ(lagging.jobsToCreate[0].name, first.jobsToCreate[0].name);
  EXPECT_TRUE(lagging.events.empty());

  // The Job is observed: it is never asked for again.
  ObservedJob job;
  job.name = first.jobsToCreate[0].name;
  job.step = "Preprocess";
  job.active = 1;
  in.jobs = {job};
  EXPECT_TRUE(plan(in).jobsToCreate.empty());

  // Status write lost but the Job exists: the planner adopts it.
  in.execution.status = sim.execution.status;
  const PlanOutput adopted = plan(in);
  EXPECT_TRUE(adopted.jobsToCreate.empty());
  EXPECT_EQ(phaseOf(adopted.status, "Preprocess"), "Starting");
  EXPECT_EQ(stepOf(adopted.status, "Preprocess").jobName, job.name);
}

TEST(Plan, SnapshotIsTakenAtStartAndLaterPipelineEditsDoNotMatter) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-snap", kT0));
  sim.scripts["Evaluate"].properties = {{"mse", "1"}};
  sim.step();
  ASSERT_TRUE(sim.execution.status.pipelineSpec.has_value());
  sim.input.pipeline->spec.steps[1].container->image = "registry.example/abalone:2.0";
  sim.input.pipeline.reset();  // even a deleted Pipeline does not stop it
  sim.runToEnd();
  EXPECT_EQ(sim.execution.status.phase, ExecutionPhase::Succeeded);
  EXPECT_EQ(sim.manifests.at("Train").at("spec").at("template").at("spec").at("containers").at(0).at("image").as_string(),
            "registry.example/abalone:1.0");
}

TEST(Plan, MissingPipelineKeepsTheExecutionPending) {
  PlanInput in;
  in.execution = makeExecution("orphan", kT0);
  in.now = kT0;
  const PlanOutput out = plan(in);
  EXPECT_EQ(out.status.phase, ExecutionPhase::Pending);
  EXPECT_TRUE(out.jobsToCreate.empty());
  ASSERT_FALSE(out.status.conditions.empty());
  EXPECT_EQ(out.status.conditions[0].reason, "PipelineNotFound");
}

TEST(Plan, RejectionsAtStartFailBeforeAnyJob) {
  struct Row {
    const char* name;
    std::vector<ParameterValue> params;
    bool cyclic;
    const char* reason;
    const char* messagePart;
  };
  const std::vector<Row> rows = {
      {"unknown parameter", {{"Nope", "1"}}, false, "InvalidParameters", "unknown parameter \"Nope\""},
      {"bad integer", {{"XGBNumRounds", "many"}}, false, "InvalidParameters", "must be an Integer, got \"many\""},
      {"bad boolean", {{"Approve", "yes"}}, false, "InvalidParameters", "must be true or false, got \"yes\""},
      {"cycle", {}, true, "PipelineInvalid", "dependency cycle"},
  };
  for (const auto& row : rows) {
    Pipeline p = abalonePipeline();
    if (row.cyclic) p.spec.steps[0].dependsOn = {"Evaluate"};
    Simulation sim(p, makeExecution("bad", kT0, row.params));
    const ExecutionStatus& st = sim.runToEnd();
    EXPECT_EQ(st.phase, ExecutionPhase::Failed) << row.name;
    EXPECT_TRUE(sim.creations.empty()) << row.name;
    EXPECT_NE(st.failureReason.find(row.messagePart), std::string::npos) << row.name << ": " << st.failureReason;
    ASSERT_FALSE(st.conditions.empty());
    EXPECT_EQ(st.conditions.back().reason, row.reason) << row.name;
    EXPECT_TRUE(sim.hasEvent("ValidationFailed")) << row.name;
  }
}

TEST(Plan, AnExecutionThatDoesNotParseFailsWithInvalidSpecAndNoJob) {
  PlanInput in;
  in.pipeline = abalonePipeline();
  in.execution = makeExecution("garbled", kT0);
  in.execution.spec.stop = true;  // not trusted either: the spec did not parse
  in.executionErrors = {{"spec.parameters[0].value", "must be a string"}};
  in.now = kT0 + 5;
  const PlanOutput out = plan(in);
  EXPECT_EQ(out.status.phase, ExecutionPhase::Failed);
  EXPECT_TRUE(out.jobsToCreate.empty());
  EXPECT_EQ(out.status.failureReason, "invalid execution: spec.parameters[0].value: must be a string");
  ASSERT_FALSE(out.status.conditions.empty());
  EXPECT_EQ(out.status.conditions.back().reason, "InvalidSpec");
  EXPECT_EQ(out.status.startTime, formatRfc3339(kT0 + 5));
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].reason, "ValidationFailed");
  EXPECT_EQ(out.events[0].type, EventType::Warning);
}

TEST(Plan, APipelineThatDoesNotParseFailsOnlyExecutionsNotYetStarted) {
  PlanInput in;
  in.pipeline = abalonePipeline();
  in.pipelineErrors = {{"spec.steps[2].retryStrategy.maxAttempts", "must be an integer"}};
  in.execution = makeExecution("waiting", kT0);
  in.now = kT0;
  PlanOutput out = plan(in);
  EXPECT_EQ(out.status.phase, ExecutionPhase::Failed);
  EXPECT_TRUE(out.jobsToCreate.empty());
  EXPECT_EQ(out.status.conditions.back().reason, "PipelineInvalid");
  EXPECT_NE(out.status.failureReason.find("spec.steps[2].retryStrategy.maxAttempts: must be an integer"),
            std::string::npos)
      << out.status.failureReason;

  // Started with a good snapshot: a later broken edit of the Pipeline does not matter.
  Simulation sim(abalonePipeline(), makeExecution("started", kT0));
  sim.scripts["Evaluate"].properties = {{"mse", "1"}};
  sim.step();
  ASSERT_TRUE(sim.execution.status.pipelineSpec.has_value());
  sim.input.pipelineErrors = in.pipelineErrors;
  EXPECT_EQ(sim.runToEnd().phase, ExecutionPhase::Succeeded);
}

TEST(Plan, StatusCarriesProgressDoneOverAll) {
  Simulation sim(abalonePipeline(), makeExecution("progress", kT0));
  sim.scripts["Evaluate"].properties = {{"mse", "1"}};
  sim.step();
  EXPECT_EQ(toJson(sim.execution.status).at("progress").as_string(), "0/6");
  sim.runToEnd();
  // The branch not taken is Skipped, which counts as done.
  EXPECT_EQ(toJson(sim.execution.status).at("progress").as_string(), "6/6");
}

TEST(Plan, ParametersRecordTheirSourceAndStepsTheirConsumedValues) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-p", kT0, {{"XGBNumRounds", "150"}}));
  sim.scripts["Evaluate"].properties = {{"mse", "1"}};
  const ExecutionStatus& st = sim.runToEnd();
  ASSERT_EQ(st.parameters.size(), 5u);
  EXPECT_EQ(st.parameters[1].value, "150");
  EXPECT_EQ(st.parameters[1].source, ParameterSource::Override);
  EXPECT_EQ(st.parameters[2].source, ParameterSource::Default);
  const auto& consumed = stepOf(st, "Train").consumedParameters;
  ASSERT_EQ(consumed.size(), 2u);
  EXPECT_EQ(consumed[0].name, "XGBNumRounds");
  EXPECT_EQ(consumed[0].value, "150");
  EXPECT_EQ(stepOf(st, "MSECheck").consumedParameters.at(0).name, "MseThreshold");
  // Args are whole argv tokens.
  const auto args = sim.manifests.at("Train").at("spec").at("template").at("spec").at("containers").at(0).at("args");
  EXPECT_EQ(args.serialize(), R"(["--num-round","150","--eta","0.25"])");
}

TEST(Plan, SucceededPodWithoutADeclaredPropertyFailsTheStep) {
  Simulation sim(abalonePipeline(), makeExecution("abalone-np", kT0));
  const ExecutionStatus& st = sim.runToEnd();  // Evaluate reports no mse
  EXPECT_EQ(st.failureReason, "Step 'Evaluate' failed: property 'mse' was not reported");
}


// Properties are part of the cache key of a step that declares any: adding
// one (or moving its jsonPath) runs the step again instead of reusing a
// result that lacks it or was read from elsewhere. A step without
// properties keeps the key it had before properties joined the key.
TEST(Plan, CacheKeyCoversDeclaredPropertiesSoAddingOrMovingOneRunsTheStepAgain) {
  Pipeline plain = abalonePipeline();
  plain.spec.steps[1].inputs[0].from = "s3://datasets/fixed/train/";
  auto run = [](const Pipeline& p, const std::string& name, UnixSeconds t, std::vector<CacheEntry> index) {
    Simulation sim(p, makeExecution(name, t), t);
    sim.scripts["Evaluate"].properties = {{"mse", "4.2"}};
    sim.scripts["Train"].properties = {{"rmse", "2.1"}};
    sim.cacheIndex = std::move(index);
    sim.runToEnd();
    return sim;
  };
  const Simulation first = run(plain, "pc1", kT0, {});
  ASSERT_EQ(first.execution.status.phase, ExecutionPhase::Succeeded) << first.execution.status.failureReason;
  EXPECT_EQ(stepOf(first.execution.status, "Train").cacheKey,
            "sha256:0d73e6d3068f17878d99ff171c2f24d86e192e130c4207245ea51cc8b67c9743");

  Pipeline withRmse = plain;
  withRmse.spec.steps[1].properties = {{"rmse", "/opt/ml/model/metrics.json", "rmse"}};
  withRmse.spec.steps[4].container->args.push_back("$(steps.Train.properties.rmse)");
  const Simulation second = run(withRmse, "pc2", kT0 + 60, cacheIndexOf({first.execution}));
  const ExecutionStatus& st2 = second.execution.status;
  EXPECT_EQ(st2.phase, ExecutionPhase::Succeeded) << st2.failureReason;
  EXPECT_FALSE(stepOf(st2, "Train").cacheHitExecution.has_value());
  EXPECT_EQ(second.stepsWithJobs().count("Train"), 1u);
  EXPECT_NE(stepOf(st2, "Train").cacheKey, stepOf(first.execution.status, "Train").cacheKey);
  ASSERT_EQ(stepOf(st2, "Train").properties.size(), 1u);
  EXPECT_EQ(stepOf(st2, "Train").properties[0].value, "2.1");

  // The same declaration again: a hit that carries the property.
  const Simulation third = run(withRmse, "pc3", kT0 + 120, cacheIndexOf({first.execution, second.execution}));
  EXPECT_EQ(third.execution.status.phase, ExecutionPhase::Succeeded) << third.execution.status.failureReason;
  EXPECT_EQ(stepOf(third.execution.status, "Train").cacheHitExecution, std::optional<std::string>("pc2"));
  EXPECT_NE(third.manifests.at("Register").serialize().find("\"2.1\""), std::string::npos);

  // The property now read from another path: not the same result.
  Pipeline moved = withRmse;
  moved.spec.steps[1].properties[0].jsonPath = "metrics.rmse";
  const Simulation fourth = run(moved, "pc4", kT0 + 180, cacheIndexOf({first.execution, second.execution}));
  EXPECT_EQ(fourth.execution.status.phase, ExecutionPhase::Succeeded) << fourth.execution.status.failureReason;
  EXPECT_FALSE(stepOf(fourth.execution.status, "Train").cacheHitExecution.has_value());
  EXPECT_EQ(fourth.stepsWithJobs().count("Train"), 1u);
}

TEST(Plan, ACacheEntryLackingADeclaredPropertyIsNotAHit) {
  Pipeline p = abalonePipeline();
  p.spec.steps[1].inputs[0].from = "s3://datasets/fixed/train/";
  p.spec.steps[1].properties = {{"rmse", "/opt/ml/model/metrics.json", "rmse"}};
  p.spec.steps[4].container->args.push_back("$(steps.Train.properties.rmse)");
  Simulation a(p, makeExecution("pl1", kT0));
  a.scripts["Evaluate"].properties = {{"mse", "4.2"}};
  a.scripts["Train"].properties = {{"rmse", "2.1"}};
  a.runToEnd();
  ASSERT_EQ(a.execution.status.phase, ExecutionPhase::Succeeded) << a.execution.status.failureReason;

  // An entry with the right key but without the property (written by hand,
  // or by an older operator): it must not serve.
  std::vector<CacheEntry> index = cacheIndexOf({a.execution});
  for (auto& e : index)
    if (e.step == "Train") e.properties.clear();
  Simulation b(p, makeExecution("pl2", kT0 + 60), kT0 + 60);
  b.scripts["Evaluate"].properties = {{"mse", "4.2"}};
  b.scripts["Train"].properties = {{"rmse", "2.2"}};
  b.cacheIndex = index;
  b.runToEnd();
  const ExecutionStatus& st = b.execution.status;
  EXPECT_EQ(st.phase, ExecutionPhase::Succeeded) << st.failureReason;
  EXPECT_EQ(stepOf(st, "Train").cacheKey, stepOf(a.execution.status, "Train").cacheKey);
  EXPECT_FALSE(stepOf(st, "Train").cacheHitExecution.has_value());
  EXPECT_EQ(b.stepsWithJobs().count("Train"), 1u);
  EXPECT_EQ(stepOf(st, "Train").properties.at(0).value, "2.2");
}

TEST(Plan, ExecutionAndPipelineExpressionsRenderIntoTheJob) {
  Pipeline p = abalonePipeline();
  p.spec.steps[0].container->args = {"$(execution.name)", "$(execution.uid)", "$(execution.startTime)",
                                     "$(pipeline.name)"};
  Simulation sim(p, makeExecution("abalone-x", kT0));
  sim.step();
  const auto& args = sim.manifests.at("Preprocess").at("spec").at("template").at("spec").at("containers").at(0).at("args");
  std::vector<std::string> seen;
  for (const auto& a : args.as_array()) seen.push_back(a.as_string());
  const std::string start = *sim.execution.status.startTime;
  EXPECT_EQ(start, formatRfc3339(kT0));
  // The runner wraps nothing here (no runner image): args are the step's own.
  EXPECT_EQ(seen, (std::vector<std::string>{"abalone-x", "uid-abalone-x", start, "abalone"}));
}

TEST(Plan, StepsWithoutTheirOwnCacheOrRetryTakeThePipelineDefaults) {
  Pipeline p = abalonePipeline();
  p.spec.defaults.retry = RetrySpec{4};
  p.spec.defaults.cache = CacheSpec{true, std::nullopt, std::string("v1")};
  // Preprocess has neither cache nor retry of its own; Train has both.
  ASSERT_FALSE(p.spec.steps[0].cache || p.spec.steps[0].retry);
  ASSERT_TRUE(p.spec.steps[1].cache && p.spec.steps[1].retry);
  Simulation first(p, makeExecution("d1", kT0));
  first.scripts["Evaluate"].properties = {{"mse", "1"}};
  const ExecutionStatus& st = first.runToEnd();
  ASSERT_EQ(st.phase, ExecutionPhase::Succeeded);
  EXPECT_EQ(first.backoffLimit.at(stepOf(st, "Preprocess").jobName), 3) << "defaults.retry: 4 attempts";
  EXPECT_EQ(first.backoffLimit.at(stepOf(st, "Train").jobName), 2) << "Train's own retry wins";
  EXPECT_FALSE(stepOf(st, "Preprocess").cacheKey.empty()) << "defaults.cache enables caching";

  // A second run finds Preprocess in the cache through the defaults.
  Simulation second(p, makeExecution("d2", kT0 + 100), kT0 + 100);
  second.cacheIndex = cacheIndexOf({first.execution});
  second.scripts["Evaluate"].properties = {{"mse", "1"}};
  const ExecutionStatus& st2 = second.runToEnd();
  EXPECT_EQ(stepOf(st2, "Preprocess").reason, "CacheHit");
  EXPECT_EQ(second.stepsWithJobs().count("Preprocess"), 0u);
}

}  // namespace
}  // namespace sluice::pipeline
