// Selective execution on the Abalone pipeline (DESIGN.md "Selective
// execution"): the four scenarios, chains, and every rejection, driven
// through plan() by the simulation loop of fixtures_abalone.h.
#include <gtest/gtest.h>

#include <functional>

#include "fixtures_abalone.h"
#include "plan.h"
#include "plan_status.h"
#include "selective.h"

namespace sluice::pipeline {
namespace {

using namespace sluice::pipeline::testing;

const Pipeline kPipeline = abalonePipeline();

Simulation selectiveRun(const std::string& name, UnixSeconds t, std::vector<ParameterValue> params,
                        SelectiveExecutionSpec sel, std::vector<PipelineExecution> history,
                        const std::string& mse = "4.37", const Pipeline& p = kPipeline) {
  Simulation sim(p, makeExecution(name, t, std::move(params), std::move(sel)), t);
  sim.others = std::move(history);
  sim.scripts["Evaluate"].properties = {{"mse", mse}};
  sim.runToEnd();
  return sim;
}

void expectReused(const ExecutionStatus& st, const ExecutionStatus& source, const std::string& step,
                  const std::string& producer) {
  const StepStatus& s = stepOf(st, step);
  EXPECT_EQ(s.phase, StepPhase::Succeeded) << step;
  EXPECT_EQ(s.reusedFromExecution, std::optional<std::string>(producer)) << step;
  const StepStatus& src = stepOf(source, step);
  ASSERT_EQ(s.outputs.size(), src.outputs.size()) << step;
  for (size_t i = 0; i < s.outputs.size(); ++i) EXPECT_EQ(s.outputs[i].uri, src.outputs[i].uri) << step;
  ASSERT_EQ(s.properties.size(), src.properties.size()) << step;
  for (size_t i = 0; i < s.properties.size(); ++i) EXPECT_EQ(s.properties[i].value, src.properties[i].value);
}

void expectNotSelected(const ExecutionStatus& st, const std::vector<std::string>& steps) {
  for (const auto& s : steps) {
    EXPECT_EQ(phaseOf(st, s), "Skipped") << s;
    EXPECT_EQ(stepOf(st, s).reason, "NotSelected") << s;
  }
}

// (1) only Train, with new hyperparameters.
TEST(Selective, Scenario1OnlyTrainWithNewHyperparameters) {
  const PipelineExecution src = completedRun(kPipeline, "abalone-src", kT0, "4.37");
  Simulation sim = selectiveRun("abalone-s1", kT0 + 3600, {{"XGBNumRounds", "150"}}, selectSteps({"Train"}), {src});
  const ExecutionStatus& st = sim.execution.status;
  EXPECT_EQ(st.phase, ExecutionPhase::Succeeded) << st.failureReason;
  EXPECT_EQ(sim.stepsWithJobs(), std::set<std::string>{"Train"});
  expectReused(st, src.status, "Preprocess", "abalone-src");
  EXPECT_EQ(outputOf(st, "Train", "model"), "s3://pipelines/ml/ml/abalone/abalone-s1/Train/model/");
  expectNotSelected(st, {"Evaluate", "MSECheck", "Register", "FailNotify"});
  ASSERT_TRUE(st.selectiveExecution.has_value());
  EXPECT_EQ(st.selectiveExecution->sourceExecution, "abalone-src");
  EXPECT_EQ(st.selectiveExecution->selectedSteps, std::vector<std::string>{"Train"});
  EXPECT_EQ(st.parameters[1].source, ParameterSource::Override);
  EXPECT_EQ(st.parameters[2].source, ParameterSource::Reference);
  // Train reads the source's data where it is: nothing is copied.
  const std::string manifest = sim.manifests.at("Train").serialize();
  EXPECT_NE(manifest.find("abalone-src/Preprocess/train/"), std::string::npos);
  EXPECT_NE(manifest.find("\"150\""), std::string::npos);
  EXPECT_TRUE(sim.hasEvent("StepReused", "'Preprocess' reused from 'abalone-src'"));
}

// (2) Train + Evaluate.
TEST(Selective, Scenario2TrainAndEvaluate) {
  const PipelineExecution src = completedRun(kPipeline, "abalone-src", kT0, "4.37");
  Simulation sim = selectiveRun("abalone-s2", kT0 + 3600, {{"XGBNumRounds", "150"}},
                                selectSteps({"Train", "Evaluate"}, "abalone-src"), {src}, "3.9");
  const ExecutionStatus& st = sim.execution.status;
  EXPECT_EQ(st.phase, ExecutionPhase::Succeeded) << st.failureReason;
  EXPECT_EQ(sim.stepsWithJobs(), (std::set<std::string>{"Train", "Evaluate"}));
  expectReused(st, src.status, "Preprocess", "abalone-src");
  expectNotSelected(st, {"MSECheck", "Register", "FailNotify"});
  EXPECT_EQ(stepOf(st, "Evaluate").properties.at(0).value, "3.9");
  EXPECT_NE(sim.manifests.at("Evaluate").serialize().find("abalone-s2/Train/model/"), std::string::npos);
}

// (3) re-run a failed Evaluate: alone, fromSteps and fromFailure.
TEST(Selective, Scenario3RerunFailedEvaluate) {
  const PipelineExecution src = completedRun(kPipeline, "abalone-bad", kT0, "4.37", {}, /*evaluateFailures=*/1);
  ASSERT_EQ(src.status.phase, ExecutionPhase::Failed);
  ASSERT_EQ(phaseOf(src.status, "Evaluate"), "Failed");

  struct Row {
    const char* name;
    SelectiveExecutionSpec sel;
    std::vector<std::string> expectedSelection;
    std::set<std::string> expectedJobs;
  };
  SelectiveExecutionSpec from;
  from.fromSteps = {"Evaluate"};
  SelectiveExecutionSpec failure;
  failure.fromFailure = true;
  const std::vector<Row> rows = {
      {"alone", selectSteps({"Evaluate"}), {"Evaluate"}, {"Evaluate"}},
      {"fromSteps", from, {"Evaluate", "MSECheck", "Register", "FailNotify"}, {"Evaluate", "Register"}},
      {"fromFailure", failure, {"Evaluate", "MSECheck", "Register", "FailNotify"}, {"Evaluate", "Register"}},
  };
  for (const auto& row : rows) {
    Simulation sim = selectiveRun(std::string("abalone-fix-") + row.name, kT0 + 3600, {}, row.sel, {src});
    const ExecutionStatus& st = sim.execution.status;
    EXPECT_EQ(st.phase, ExecutionPhase::Succeeded) << row.name << ": " << st.failureReason;
    EXPECT_EQ(st.selectiveExecution->selectedSteps, row.expectedSelection) << row.name;
    EXPECT_EQ(sim.stepsWithJobs(), row.expectedJobs) << row.name;
    expectReused(st, src.status, "Preprocess", "abalone-bad");
    expectReused(st, src.status, "Train", "abalone-bad");
    EXPECT_EQ(phaseOf(st, "Evaluate"), "Succeeded") << row.name;
    if (row.expectedSelection.size() > 1) {
      EXPECT_EQ(phaseOf(st, "Register"), "Succeeded") << row.name;
      EXPECT_EQ(stepOf(st, "FailNotify").reason, "ConditionNotMet") << row.name;
    } else {
      expectNotSelected(st, {"MSECheck", "Register", "FailNotify"});
    }
  }
}

// (4) Train + Evaluate + MSECheck + FailNotify, threshold sends the condition to else.
TEST(Selective, Scenario4ConditionTakesTheElseBranch) {
  const PipelineExecution src = completedRun(kPipeline, "abalone-src", kT0, "4.37");
  Simulation sim = selectiveRun("abalone-s4", kT0 + 3600, {{"MseThreshold", "3"}},
                                selectSteps({"Train", "Evaluate", "MSECheck", "FailNotify"}), {src});
  const ExecutionStatus& st = sim.execution.status;
  EXPECT_EQ(st.phase, ExecutionPhase::Failed);
  EXPECT_EQ(st.failureReason, "MSE 4.37 is above 3");
  EXPECT_EQ(stepOf(st, "MSECheck").conditionOutcome, std::optional<std::string>("False"));
  EXPECT_EQ(phaseOf(st, "FailNotify"), "Failed");
  expectNotSelected(st, {"Register"});
  EXPECT_EQ(sim.stepsWithJobs(), (std::set<std::string>{"Train", "Evaluate"}));
  expectReused(st, src.status, "Preprocess", "abalone-src");
}

TEST(Selective, ABranchStepBehindAReusedConditionFollowsTheReusedOutcome) {
  // Source took the if branch: Register alone runs again.
  const PipelineExecution good = completedRun(kPipeline, "abalone-good", kT0, "4.37");
  Simulation again = selectiveRun("abalone-reg", kT0 + 100, {}, selectSteps({"Register"}, "abalone-good"), {good});
  EXPECT_EQ(again.execution.status.phase, ExecutionPhase::Succeeded) << again.execution.status.failureReason;
  EXPECT_EQ(again.stepsWithJobs(), std::set<std::string>{"Register"});
  EXPECT_EQ(stepOf(again.execution.status, "MSECheck").conditionOutcome, std::optional<std::string>("True"));

  // Source took the else branch (and failed in FailNotify): the reused
  // condition still says False, so Register is skipped and nothing runs.
  const PipelineExecution low = completedRun(kPipeline, "abalone-low", kT0, "4.37", {{"MseThreshold", "3"}});
  ASSERT_EQ(low.status.phase, ExecutionPhase::Failed);
  Simulation skipped = selectiveRun("abalone-reg2", kT0 + 100, {}, selectSteps({"Register"}, "abalone-low"), {low});
  const ExecutionStatus& st = skipped.execution.status;
  EXPECT_EQ(st.phase, ExecutionPhase::Succeeded) << st.failureReason;
  EXPECT_EQ(phaseOf(st, "Register"), "Skipped");
  EXPECT_EQ(stepOf(st, "Register").reason, "ConditionNotMet");
  EXPECT_TRUE(skipped.creations.empty());
  EXPECT_EQ(st.parameters[3].value, "3") << "MseThreshold inherited from the source";
}

TEST(Selective, FromFailureOfAStoppedSourceRerunsTheStoppedStepAndEverythingAfter) {
  Simulation stopped(kPipeline, makeExecution("abalone-stopped", kT0));
  stopped.scripts["Train"].neverFinish = true;
  for (int i = 0; i < 6; ++i) stopped.step();
  stopped.execution.spec.stop = true;
  stopped.runToEnd();
  ASSERT_EQ(stopped.execution.status.phase, ExecutionPhase::Stopped);
  ASSERT_EQ(phaseOf(stopped.execution.status, "Train"), "Stopped");

  SelectiveExecutionSpec sel;
  sel.fromFailure = true;
  Simulation sim = selectiveRun("abalone-resume", kT0 + 1000, {}, sel, {stopped.execution});
  const ExecutionStatus& st = sim.execution.status;
  EXPECT_EQ(st.phase, ExecutionPhase::Succeeded) << st.failureReason;
  EXPECT_EQ(st.selectiveExecution->selectedSteps,
            (std::vector<std::string>{"Train", "Evaluate", "MSECheck", "Register", "FailNotify"}));
  expectReused(st, stopped.execution.status, "Preprocess", "abalone-stopped");
  EXPECT_EQ(sim.stepsWithJobs(), (std::set<std::string>{"Train", "Evaluate", "Register"}));
}

TEST(Selective, ChainOfThreeSelectiveExecutionsNamesTheOriginalProducer) {
  const PipelineExecution x1 = completedRun(kPipeline, "x1", kT0, "4.37");
  Simulation s2 = selectiveRun("x2", kT0 + 100, {{"XGBNumRounds", "150"}}, selectSteps({"Train"}), {x1});
  ASSERT_EQ(s2.execution.status.phase, ExecutionPhase::Succeeded) << s2.execution.status.failureReason;
  Simulation s3 = selectiveRun("x3", kT0 + 200, {}, selectSteps({"Evaluate"}), {x1, s2.execution}, "4.0");
  ASSERT_EQ(s3.execution.status.phase, ExecutionPhase::Succeeded) << s3.execution.status.failureReason;
  Simulation s4 =
      selectiveRun("x4", kT0 + 300, {}, selectSteps({"MSECheck", "Register"}), {x1, s2.execution, s3.execution});
  const ExecutionStatus& st = s4.execution.status;
  ASSERT_EQ(st.phase, ExecutionPhase::Succeeded) << st.failureReason;
  EXPECT_EQ(st.selectiveExecution->sourceExecution, "x3");  // newest terminal
  expectReused(st, x1.status, "Preprocess", "x1");
  expectReused(st, s2.execution.status, "Train", "x2");
  expectReused(st, s3.execution.status, "Evaluate", "x3");
  EXPECT_EQ(outputOf(st, "Preprocess", "train"), "s3://pipelines/ml/ml/abalone/x1/Preprocess/train/");
  EXPECT_EQ(outputOf(st, "Train", "model"), "s3://pipelines/ml/ml/abalone/x2/Train/model/");
  // Parameters inherit through the chain: x3 and x4 took x2's 150.
  EXPECT_EQ(st.parameters[1].value, "150");
  EXPECT_EQ(st.parameters[1].source, ParameterSource::Reference);
  EXPECT_NE(s4.manifests.at("Register").serialize().find("x2/Train/model/"), std::string::npos);
  EXPECT_EQ(s4.stepsWithJobs(), std::set<std::string>{"Register"});
}

TEST(Selective, RealProducerFollowsAChainWrittenHopByHop) {
  // Statuses that name only the previous execution are followed to the end.
  PipelineExecution a = makeExecution("a", kT0), b = makeExecution("b", kT0), c = makeExecution("c", kT0);
  StepStatus sa = pendingStep("Train");
  sa.phase = StepPhase::Succeeded;
  StepStatus sb = sa, sc = sa;
  sb.reusedFromExecution = "a";
  sc.cacheHitExecution = "b";
  a.status.steps = {sa};
  b.status.steps = {sb};
  c.status.steps = {sc};
  EXPECT_EQ(realProducer("Train", c, {a, b}), "a");
  EXPECT_EQ(realProducer("Train", a, {b, c}), "a");
  // A loop in bad data ends instead of spinning.
  a.status.steps[0].reusedFromExecution = "c";
  EXPECT_FALSE(realProducer("Train", c, {a, b}).empty());
}

struct Rejection {
  const char* name;
  std::function<Simulation()> run;
  std::vector<std::string> messageParts;
};

TEST(Selective, RejectionsFailTheExecutionBeforeAnyJob) {
  const PipelineExecution ok = completedRun(kPipeline, "abalone-ok", kT0, "4.37");
  const PipelineExecution bad = completedRun(kPipeline, "abalone-bad", kT0 + 10, "4.37", {}, 1);
  PipelineExecution running = makeExecution("abalone-running", kT0 + 20);
  running.status = ok.status;
  running.status.phase = ExecutionPhase::Executing;
  PipelineExecution pending = makeExecution("abalone-pending", kT0 + 30);  // no status yet
  PipelineExecution stopping = running;
  stopping.metadata.name = "abalone-stopping";
  stopping.status.phase = ExecutionPhase::Stopping;
  PipelineExecution otherPipeline = ok;
  otherPipeline.metadata.name = "other-run";
  otherPipeline.spec.pipelineRef = "other";

  Pipeline changed = kPipeline;
  changed.spec.steps[0].container->image = "registry.example/abalone:1.1";

  SelectiveExecutionSpec twoForms = selectSteps({"Train"});
  twoForms.fromSteps = {"Evaluate"};
  SelectiveExecutionSpec fromFailure;
  fromFailure.fromFailure = true;
  fromFailure.sourceExecution = "abalone-ok";

  const std::vector<Rejection> rows = {
      {"unconnected selection names the missing step",
       [&] { return selectiveRun("r1", kT0 + 99, {}, selectSteps({"Train", "MSECheck"}), {ok}); },
       {"not connected", "'Evaluate'"}},
      {"source still Executing",
       [&] { return selectiveRun("r2", kT0 + 99, {}, selectSteps({"Train"}, "abalone-running"), {ok, running}); },
       {"'abalone-running' is Executing"}},
      {"upstream step failed in the source",
       [&] { return selectiveRun("r3", kT0 + 99, {}, selectSteps({"MSECheck"}, "abalone-bad"), {bad}); },
       {"'Evaluate' (Failed)", "'abalone-bad'"}},
      {"stale parameter",
       [&] {
         return selectiveRun("r4", kT0 + 99, {{"InputData", "s3://datasets/abalone/v2.csv"}}, selectSteps({"Train"}),
                             {ok});
       },
       {"step 'Preprocess': parameter 'InputData'", "allowStaleReuse"}},
      {"changed step definition",
       [&] { return selectiveRun("r5", kT0 + 99, {}, selectSteps({"Train"}), {ok}, "4.37", changed); },
       {"step 'Preprocess': container.image differs"}},
      {"reused condition with a changed threshold is stale",
       [&] { return selectiveRun("r6", kT0 + 99, {{"MseThreshold", "3"}}, selectSteps({"Register"}), {ok}); },
       {"step 'MSECheck': parameter 'MseThreshold'"}},
      {"source of another pipeline",
       [&] { return selectiveRun("r7", kT0 + 99, {}, selectSteps({"Train"}, "other-run"), {otherPipeline}); },
       {"runs pipeline 'other'"}},
      {"missing source", [&] { return selectiveRun("r8", kT0 + 99, {}, selectSteps({"Train"}, "gone"), {ok}); },
       {"'gone' not found"}},
      {"no terminal execution", [&] { return selectiveRun("r9", kT0 + 99, {}, selectSteps({"Train"}), {running}); },
       {"no Succeeded, Failed or Stopped execution"}},
      {"unknown step", [&] { return selectiveRun("r10", kT0 + 99, {}, selectSteps({"Tran"}), {ok}); },
       {"unknown step(s) in selection: 'Tran'"}},
      {"two forms", [&] { return selectiveRun("r11", kT0 + 99, {}, twoForms, {ok}); }, {"exactly one of"}},
      {"source still Pending",
       [&] { return selectiveRun("r13", kT0 + 99, {}, selectSteps({"Train"}, "abalone-pending"), {ok, pending}); },
       {"'abalone-pending' is Pending"}},
      {"source still Stopping",
       [&] { return selectiveRun("r14", kT0 + 99, {}, selectSteps({"Train"}, "abalone-stopping"), {ok, stopping}); },
       {"'abalone-stopping' is Stopping"}},
      {"itself as the source",
       [&] { return selectiveRun("r15", kT0 + 99, {}, selectSteps({"Train"}, "r15"), {ok}); }, {"'r15'"}},
      {"fromFailure on a source without failures",
       [&] { return selectiveRun("r12", kT0 + 99, {}, fromFailure, {ok}); },
       {"no step failed or was stopped in source execution 'abalone-ok'"}},
  };
  for (const auto& row : rows) {
    Simulation sim = row.run();
    const ExecutionStatus& st = sim.execution.status;
    EXPECT_EQ(st.phase, ExecutionPhase::Failed) << row.name;
    EXPECT_TRUE(sim.creations.empty()) << row.name;
    ASSERT_FALSE(st.conditions.empty()) << row.name;
    EXPECT_EQ(st.conditions.back().reason, "InvalidSelectiveExecution") << row.name;
    EXPECT_FALSE(st.pipelineSpec.has_value()) << row.name;
    for (const auto& part : row.messageParts)
      EXPECT_NE(st.failureReason.find(part), std::string::npos) << row.name << ": " << st.failureReason;
    EXPECT_TRUE(sim.hasEvent("ValidationFailed")) << row.name;
  }
}

TEST(Selective, NewestTerminalExecutionIsTheDefaultSourceAndRunningOnesAreSkipped) {
  const PipelineExecution older = completedRun(kPipeline, "abalone-older", kT0, "4.37");
  const PipelineExecution newer = completedRun(kPipeline, "abalone-newer", kT0 + 500, "4.37");
  PipelineExecution running = makeExecution("abalone-running", kT0 + 900);
  running.status.phase = ExecutionPhase::Executing;
  Simulation sim = selectiveRun("abalone-s", kT0 + 1000, {}, selectSteps({"Train"}), {older, running, newer});
  EXPECT_EQ(sim.execution.status.phase, ExecutionPhase::Succeeded);
  EXPECT_EQ(sim.execution.status.selectiveExecution->sourceExecution, "abalone-newer");
  expectReused(sim.execution.status, newer.status, "Preprocess", "abalone-newer");
}

TEST(Selective, AllowStaleReuseRunsAndRecordsAStaleReuseCondition) {
  const PipelineExecution ok = completedRun(kPipeline, "abalone-ok", kT0, "4.37");
  SelectiveExecutionSpec sel = selectSteps({"Train"});
  sel.allowStaleReuse = true;
  Simulation sim = selectiveRun("abalone-stale", kT0 + 99, {{"InputData", "s3://datasets/abalone/v2.csv"}}, sel, {ok});
  const ExecutionStatus& st = sim.execution.status;
  EXPECT_EQ(st.phase, ExecutionPhase::Succeeded) << st.failureReason;
  const StatusCondition* stale = findCondition(st.conditions, "StaleReuse");
  ASSERT_NE(stale, nullptr);
  EXPECT_EQ(stale->status, "True");
  EXPECT_NE(stale->message.find("step 'Preprocess': parameter 'InputData'"), std::string::npos) << stale->message;
  EXPECT_TRUE(sim.hasEvent("StaleReuse"));
  // The reused step keeps the values it really ran with.
  EXPECT_EQ(stepOf(st, "Preprocess").consumedParameters.at(0).value, "s3://datasets/abalone/abalone.csv");
}

TEST(Selective, ASourceWithoutConsumedParametersIsJudgedByItsEffectiveValues) {
  PipelineExecution old = completedRun(kPipeline, "abalone-old", kT0, "4.37", {{"InputData", "s3://d/v1.csv"}});
  for (auto& s : old.status.steps) s.consumedParameters.clear();  // as an older operator wrote it
  // Inherited value: not stale, and the record is filled in for the next link.
  Simulation same = selectiveRun("abalone-n1", kT0 + 100, {}, selectSteps({"Train"}), {old});
  ASSERT_EQ(same.execution.status.phase, ExecutionPhase::Succeeded) << same.execution.status.failureReason;
  const auto& consumed = stepOf(same.execution.status, "Preprocess").consumedParameters;
  ASSERT_EQ(consumed.size(), 1u);
  EXPECT_EQ(consumed[0].value, "s3://d/v1.csv");
  // A new value for it: stale.
  Simulation changed =
      selectiveRun("abalone-n2", kT0 + 100, {{"InputData", "s3://d/v2.csv"}}, selectSteps({"Train"}), {old});
  EXPECT_EQ(changed.execution.status.phase, ExecutionPhase::Failed);
  EXPECT_NE(changed.execution.status.failureReason.find("parameter 'InputData' was \"s3://d/v1.csv\""),
            std::string::npos)
      << changed.execution.status.failureReason;
}

TEST(Selective, ConnectivityTable) {
  const Dag dag = Dag::build(kPipeline.spec);
  struct Row {
    std::vector<std::string> selected;
    std::vector<std::string> missing;
  };
  const std::vector<Row> rows = {
      {{"Train", "MSECheck"}, {"Evaluate"}},
      {{"Preprocess", "Register"}, {"Train", "Evaluate", "MSECheck"}},
      {{"Preprocess", "Evaluate"}, {"Train"}},
      {{"Train", "Evaluate"}, {}},
      {{"Register", "FailNotify"}, {}},
      {{"Train"}, {}},
  };
  for (const auto& row : rows) EXPECT_EQ(missingConnectingSteps(dag, row.selected), row.missing);
}

TEST(Selective, DefinitionDifferencesTable) {
  const StepSpec base = kPipeline.spec.steps[1];
  const StepDefaults& defaults = kPipeline.spec.defaults;
  struct Row {
    const char* name;
    std::function<void(StepSpec&)> change;
    std::vector<std::string> fields;
  };
  const std::vector<Row> rows = {
      {"same", [](StepSpec&) {}, {}},
      {"image", [](StepSpec& s) { s.container->image = "x"; }, {"container.image"}},
      {"args", [](StepSpec& s) { s.container->args.push_back("--more"); }, {"container.args"}},
      {"env", [](StepSpec& s) { s.container->env.push_back({"A", "1"}); }, {"container.env"}},
      {"inputs", [](StepSpec& s) { s.inputs[0].from = "s3://x/"; }, {"inputs"}},
      {"outputs", [](StepSpec& s) { s.outputs[0].path = "/other"; }, {"outputs"}},
      {"cacheVersion", [](StepSpec& s) { s.cache->cacheVersion = "2"; }, {"cache.cacheVersion"}},
      {"retries do not count", [](StepSpec& s) { s.retry->maxAttempts = 5; }, {}},
      {"resources do not count", [](StepSpec& s) { s.resources.gpu = 2; }, {}},
  };
  for (const auto& row : rows) {
    StepSpec now = base;
    row.change(now);
    EXPECT_EQ(definitionDifferences(now, defaults, base, defaults), row.fields) << row.name;
  }
}

// The guard judges the effective definition the way the planner applies it:
// a step without its own cache takes defaults.cache (its cacheVersion is in
// the step's cache key), a step with one ignores the defaults; retries and
// the service account do not count, from the step or from the defaults.
TEST(Selective, DefinitionDifferencesJudgeTheEffectiveCacheVersion) {
  const StepSpec preprocess = kPipeline.spec.steps[0];  // no cache of its own
  const StepSpec train = kPipeline.spec.steps[1];       // cache of its own
  const StepDefaults then = kPipeline.spec.defaults;
  struct Row {
    const char* name;
    std::function<void(StepDefaults&, StepSpec&)> change;  // of the new defaults and Preprocess
    std::vector<std::string> fields;                        // Preprocess's differences
  };
  const std::vector<Row> rows = {
      {"defaults cacheVersion set", [](StepDefaults& d, StepSpec&) { d.cache.cacheVersion = "2"; },
       {"cache.cacheVersion"}},
      {"own cache without a version replaces versioned defaults",
       [](StepDefaults& d, StepSpec& s) {
         d.cache.cacheVersion = "2";
         s.cache = CacheSpec{true, std::nullopt, std::nullopt};
       },
       {}},
      {"defaults retry", [](StepDefaults& d, StepSpec&) { d.retry.maxAttempts = 4; }, {}},
      {"defaults serviceAccountName", [](StepDefaults& d, StepSpec&) { d.serviceAccountName = "other"; }, {}},
      {"defaults cache enabled", [](StepDefaults& d, StepSpec&) { d.cache.enabled = true; }, {}},
  };
  for (const auto& row : rows) {
    StepDefaults now = then;
    StepSpec p = preprocess;
    row.change(now, p);
    EXPECT_EQ(definitionDifferences(p, now, preprocess, then), row.fields) << row.name;
    // Train's own cache decides for it, whatever the defaults say.
    EXPECT_EQ(definitionDifferences(train, now, train, then), std::vector<std::string>{}) << row.name;
  }
  // A changed defaults.cache.cacheVersion makes reusing Preprocess stale,
  // not Train, whose own cache has no version either way.
  const PipelineExecution ok = completedRun(kPipeline, "abalone-ok", kT0, "4.37");
  Pipeline bumped = kPipeline;
  bumped.spec.defaults.cache.cacheVersion = "2";
  Simulation sim = selectiveRun("abalone-bump", kT0 + 99, {}, selectSteps({"Evaluate"}), {ok}, "4.37", bumped);
  const ExecutionStatus& st = sim.execution.status;
  EXPECT_EQ(st.phase, ExecutionPhase::Failed);
  EXPECT_TRUE(sim.creations.empty());
  EXPECT_NE(st.failureReason.find("step 'Preprocess': cache.cacheVersion differs"), std::string::npos)
      << st.failureReason;
  EXPECT_EQ(st.failureReason.find("step 'Train'"), std::string::npos) << st.failureReason;
  // allowStaleReuse lets it run and says so.
  SelectiveExecutionSpec allow = selectSteps({"Evaluate"});
  allow.allowStaleReuse = true;
  Simulation allowed = selectiveRun("abalone-bump2", kT0 + 99, {}, allow, {ok}, "4.37", bumped);
  EXPECT_EQ(allowed.execution.status.phase, ExecutionPhase::Succeeded) << allowed.execution.status.failureReason;
  const StatusCondition* stale = findCondition(allowed.execution.status.conditions, "StaleReuse");
  ASSERT_NE(stale, nullptr);
  EXPECT_NE(stale->message.find("step 'Preprocess': cache.cacheVersion differs"), std::string::npos)
      << stale->message;
}

// The default source is the newest execution that really started: one
// rejected before it started (no snapshot) has nothing to reuse, and users
// expect "the last run that did something".
TEST(Selective, DefaultSourceSkipsExecutionsThatNeverStarted) {
  const PipelineExecution a = completedRun(kPipeline, "abalone-a", kT0, "4.37");
  // b is rejected as stale, c is stopped before it started: both terminal,
  // both newer than a, neither has a snapshot.
  const std::vector<ParameterValue> v2 = {{"InputData", "s3://datasets/abalone/v2.csv"}};
  Simulation b = selectiveRun("abalone-b", kT0 + 100, v2, selectSteps({"Train"}), {a});
  ASSERT_EQ(b.execution.status.phase, ExecutionPhase::Failed);
  ASSERT_FALSE(b.execution.status.pipelineSpec.has_value());
  ASSERT_NE(b.execution.status.failureReason.find("allowStaleReuse"), std::string::npos);
  Simulation c(kPipeline, makeExecution("abalone-c", kT0 + 150), kT0 + 150);
  c.execution.spec.stop = true;
  c.runToEnd();
  ASSERT_EQ(c.execution.status.phase, ExecutionPhase::Stopped);
  ASSERT_FALSE(c.execution.status.pipelineSpec.has_value());

  // As the rejection suggested: allowStaleReuse, no source named.
  SelectiveExecutionSpec sel = selectSteps({"Train"});
  sel.allowStaleReuse = true;
  Simulation d = selectiveRun("abalone-d", kT0 + 200, v2, sel, {a, b.execution, c.execution});
  const ExecutionStatus& st = d.execution.status;
  EXPECT_EQ(st.phase, ExecutionPhase::Succeeded) << st.failureReason;
  ASSERT_TRUE(st.selectiveExecution.has_value());
  EXPECT_EQ(st.selectiveExecution->sourceExecution, "abalone-a");
  expectReused(st, a.status, "Preprocess", "abalone-a");
  EXPECT_NE(findCondition(st.conditions, "StaleReuse"), nullptr);

  // Named explicitly, a source that never started is still rejected clearly.
  Simulation named = selectiveRun("abalone-e", kT0 + 300, {}, selectSteps({"Train"}, "abalone-b"), {a, b.execution});
  EXPECT_EQ(named.execution.status.phase, ExecutionPhase::Failed);
  EXPECT_NE(named.execution.status.failureReason.find("source execution 'abalone-b' never started"),
            std::string::npos)
      << named.execution.status.failureReason;
  EXPECT_TRUE(named.creations.empty());

  // Nothing that started at all: no source.
  Simulation none = selectiveRun("abalone-f", kT0 + 400, {}, selectSteps({"Train"}), {b.execution, c.execution});
  EXPECT_EQ(none.execution.status.phase, ExecutionPhase::Failed);
  EXPECT_NE(none.execution.status.failureReason.find("no Succeeded, Failed or Stopped execution"), std::string::npos)
      << none.execution.status.failureReason;
  EXPECT_TRUE(none.creations.empty());
}

// fromFailure re-runs what failed (or was stopped) in the source. Steps a
// selective source skipped as NotSelected did not fail: they were not part
// of that run, so they are not re-run.
TEST(Selective, FromFailureOfASelectiveSourceRerunsOnlyWhatFailedThere) {
  const PipelineExecution x1 = completedRun(kPipeline, "x1", kT0, "4.37");
  Simulation x2(kPipeline, makeExecution("x2", kT0 + 100, {}, selectSteps({"Register"})), kT0 + 100);
  x2.others = {x1};
  x2.scripts["Register"].failuresBeforeSuccess = 1;
  x2.runToEnd();
  ASSERT_EQ(x2.execution.status.phase, ExecutionPhase::Failed);
  ASSERT_EQ(stepOf(x2.execution.status, "FailNotify").reason, "NotSelected");

  SelectiveExecutionSpec failure;
  failure.fromFailure = true;
  Simulation x3 = selectiveRun("x3", kT0 + 200, {}, failure, {x1, x2.execution});
  const ExecutionStatus& st = x3.execution.status;
  EXPECT_EQ(st.phase, ExecutionPhase::Succeeded) << st.failureReason;
  EXPECT_EQ(st.selectiveExecution->sourceExecution, "x2");
  EXPECT_EQ(st.selectiveExecution->selectedSteps, std::vector<std::string>{"Register"});
  EXPECT_EQ(x3.stepsWithJobs(), std::set<std::string>{"Register"});
  expectNotSelected(st, {"FailNotify"});
  for (const char* step : {"Preprocess", "Train", "Evaluate", "MSECheck"})
    expectReused(st, x1.status, step, "x1");

  // A selective source in which everything it ran succeeded: nothing to
  // re-run, as for a plain source where every step succeeded.
  Simulation onlyTrain = selectiveRun("x4", kT0 + 300, {{"XGBNumRounds", "150"}}, selectSteps({"Train"}), {x1});
  ASSERT_EQ(onlyTrain.execution.status.phase, ExecutionPhase::Succeeded);
  SelectiveExecutionSpec again;
  again.fromFailure = true;
  again.sourceExecution = "x4";
  Simulation x5 = selectiveRun("x5", kT0 + 400, {}, again, {x1, onlyTrain.execution});
  EXPECT_EQ(x5.execution.status.phase, ExecutionPhase::Failed);
  EXPECT_NE(x5.execution.status.failureReason.find("no step failed or was stopped in source execution 'x4'"),
            std::string::npos)
      << x5.execution.status.failureReason;
  EXPECT_TRUE(x5.creations.empty());
}

// A -> C <- B. x2 re-ran only A, which failed; B was NotSelected there.
// fromFailure on x2 re-runs A and C, and C needs B, which has no result in
// x2: rejected with a message that says why and what to do, rather than
// recomputing B (it did not fail) or reaching past x2 for it.
TEST(Selective, FromFailureNeedingAStepTheSelectiveSourceDidNotRunIsRejectedClearly) {
  Pipeline p;
  p.metadata = kPipeline.metadata;
  p.spec.artifactStore = kPipeline.spec.artifactStore;
  StepSpec a = containerStep("A", "registry.example/x:1", {"a"});
  a.outputs = {{"out", "/out"}};
  StepSpec b = containerStep("B", "registry.example/x:1", {"b"});
  b.outputs = {{"out", "/out"}};
  StepSpec c = containerStep("C", "registry.example/x:1", {"c"});
  c.inputs = {{"a", "$(steps.A.outputs.out)", "/in/a"}, {"b", "$(steps.B.outputs.out)", "/in/b"}};
  p.spec.steps = {a, b, c};

  Simulation x1(p, makeExecution("x1", kT0), kT0);
  x1.runToEnd();
  ASSERT_EQ(x1.execution.status.phase, ExecutionPhase::Succeeded) << x1.execution.status.failureReason;
  Simulation x2(p, makeExecution("x2", kT0 + 100, {}, selectSteps({"A"})), kT0 + 100);
  x2.others = {x1.execution};
  x2.scripts["A"].failuresBeforeSuccess = 1;
  x2.runToEnd();
  ASSERT_EQ(x2.execution.status.phase, ExecutionPhase::Failed);
  ASSERT_EQ(stepOf(x2.execution.status, "B").reason, "NotSelected");

  SelectiveExecutionSpec failure;
  failure.fromFailure = true;
  Simulation x3 = selectiveRun("x3", kT0 + 200, {}, failure, {x1.execution, x2.execution}, "4.37", p);
  const ExecutionStatus& st = x3.execution.status;
  EXPECT_EQ(st.phase, ExecutionPhase::Failed);
  EXPECT_TRUE(x3.creations.empty());
  for (const char* part : {"need 'B' (Skipped: NotSelected)", "source execution 'x2'",
                           "or choose a source execution where they succeeded"})
    EXPECT_NE(st.failureReason.find(part), std::string::npos) << st.failureReason;
}

}  // namespace
}  // namespace sluice::pipeline
