// The plan preview reads what the operator's planner decides for a new
// execution. Each case runs the planner-side truth (pipeline::plan on the
// same input) next to the preview, so the preview can only report, never
// decide; the golden file pins the JSON contract.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli/cli_args.h"
#include "cli/object_output.h"
#include "cli/plan_preview.h"
#include "cli/run_request.h"
#include "cli_fixtures.h"

namespace sluice::cli {
namespace {

using namespace sluice::cli::testing;
using web::json::value;

const UnixSeconds kNow = kT0 + 3600;

struct World {
  Pipeline pipeline = abalonePipeline();
  std::vector<value> executions;
  void add(const PipelineExecution& x) { executions.push_back(resourceJson(x)); }
};

PlanPreview previewOf(const World& w, const RunRequest& r) {
  const value p = resourceJson(w.pipeline);
  const value manifest = executionManifest(r, "ml", r.parameters);
  return previewPlan(buildPlanInput(manifest, &p, w.executions, kNow));
}

RunRequest request(std::vector<std::string> steps, std::optional<std::string> from = std::nullopt) {
  RunRequest r;
  r.pipeline = "abalone";
  r.steps = std::move(steps);
  r.from = std::move(from);
  return r;
}

const StepPreview& step(const PlanPreview& p, const std::string& name) {
  for (const auto& s : p.steps)
    if (s.name == name) return s;
  throw std::runtime_error("no step " + name);
}

std::string golden(const std::string& name) {
  std::ifstream f(std::string(SLUICE_CLI_GOLDEN_DIR) + "/" + name);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// SLUICE_UPDATE_GOLDEN=1 rewrites the golden files from the current output
// (then review the diff before committing).
void expectGolden(const std::string& name, const std::string& actual) {
  if (std::getenv("SLUICE_UPDATE_GOLDEN")) std::ofstream(std::string(SLUICE_CLI_GOLDEN_DIR) + "/" + name) << actual;
  EXPECT_EQ(actual, golden(name)) << "golden " << name << " differs; actual:\n" << actual;
}

TEST(PlanPreview, TrainAndEvaluateReusePreprocessFromItsProducer) {
  World w;
  w.add(completedRun(w.pipeline, "full", kT0, "4.37"));
  RunRequest r = request({"Train", "Evaluate"}, "full");
  r.parameters = {{"XGBNumRounds", "200"}};  // a new value: Train runs instead of hitting full's cache
  auto p = previewOf(w, r);
  ASSERT_TRUE(p.accepted) << p.message;
  EXPECT_EQ(p.sourceExecution.value_or(""), "full");
  EXPECT_EQ(p.selectedSteps.value_or(std::vector<std::string>{}), (std::vector<std::string>{"Train", "Evaluate"}));
  EXPECT_EQ(step(p, "Preprocess").action, "reuse");
  EXPECT_EQ(step(p, "Preprocess").producer, "full");
  EXPECT_EQ(step(p, "Train").action, "run");
  EXPECT_TRUE(step(p, "Train").startsImmediately);
  EXPECT_EQ(step(p, "Evaluate").action, "run");
  EXPECT_EQ(step(p, "Evaluate").waitsFor, std::vector<std::string>{"Train"});
  for (const char* s : {"MSECheck", "Register", "FailNotify"}) {
    EXPECT_EQ(step(p, s).action, "skip") << s;
    EXPECT_EQ(step(p, s).reason, "NotSelected") << s;
  }
  // The steps come in DAG order.
  std::vector<std::string> order;
  for (const auto& s : p.steps) order.push_back(s.name);
  EXPECT_EQ(order, (std::vector<std::string>{"Preprocess", "Train", "Evaluate", "MSECheck", "Register", "FailNotify"}));
  expectGolden("plan-train-evaluate.json", toPrettyJson(toJson(p)));
  expectGolden("plan-train-evaluate.txt", renderPlan(p));
}

TEST(PlanPreview, AChainOfSelectiveRunsNamesTheRealProducer) {
  World w;
  auto full = completedRun(w.pipeline, "full", kT0, "4.37");
  w.add(full);
  // train-only: a selective run whose Preprocess was reused from full.
  // A new XGBNumRounds, so Train really runs (no cache hit on full).
  auto r1 = request({"Train"}, "full");
  r1.parameters = {{"XGBNumRounds", "200"}};
  const value manifest = executionManifest(r1, "ml", r1.parameters);
  auto in = buildPlanInput(manifest, nullptr, w.executions, kNow);
  in.pipeline = w.pipeline;
  auto planned = plan(in);
  PipelineExecution trainOnly = in.execution;
  trainOnly.metadata.name = "train-only";
  trainOnly.metadata.creationTimestamp = formatRfc3339(kT0 + 60);
  trainOnly.status = planned.status;
  for (auto& s : trainOnly.status.steps)
    if (s.name == "Train") {
      ASSERT_EQ(s.phase, StepPhase::Starting) << "Train runs in train-only";
      s.phase = StepPhase::Succeeded;
      s.endTime = formatRfc3339(kT0 + 120);
      s.outputs = {{"model", "s3://pipelines/ml/ml/abalone/train-only/Train/model/", std::nullopt, ""}};
    }
  trainOnly.status.phase = ExecutionPhase::Succeeded;
  w.add(trainOnly);
  auto p = previewOf(w, request({"Evaluate"}, "train-only"));
  ASSERT_TRUE(p.accepted) << p.message;
  EXPECT_EQ(step(p, "Preprocess").producer, "full");
  EXPECT_EQ(step(p, "Train").action, "reuse");
  EXPECT_EQ(step(p, "Train").producer, "train-only");
  EXPECT_TRUE(step(p, "Evaluate").startsImmediately);
}

TEST(PlanPreview, RefusalsCarryTheOperatorsReasonAndMessage) {
  World w;
  w.add(completedRun(w.pipeline, "full", kT0, "4.37"));
  struct Case {
    RunRequest r;
    std::string reason, messagePart;
  };
  RunRequest unknownParam = request({"Train"}, "full");
  unknownParam.parameters = {{"Nope", "1"}};
  RunRequest wrongType = request({"Train"}, "full");
  wrongType.parameters = {{"XGBNumRounds", "many"}};
  const std::vector<Case> cases = {
      {request({"Train", "MSECheck"}, "full"), "InvalidSelectiveExecution", "Evaluate"},
      {request({"Trian"}, "full"), "InvalidSelectiveExecution", "Trian"},
      {request({"Train"}, "missing"), "InvalidSelectiveExecution", "missing"},
      {unknownParam, "InvalidParameters", "Nope"},
      {wrongType, "InvalidParameters", "XGBNumRounds"},
  };
  for (const auto& c : cases) {
    auto p = previewOf(w, c.r);
    EXPECT_FALSE(p.accepted) << c.messagePart;
    EXPECT_EQ(p.reason, c.reason) << p.message;
    EXPECT_NE(p.message.find(c.messagePart), std::string::npos) << p.message;
    EXPECT_TRUE(p.steps.empty());
    // The same words the operator writes: plan() itself, on the same input.
    const value pj = resourceJson(w.pipeline);
    const auto truth = plan(buildPlanInput(executionManifest(c.r, "ml", c.r.parameters), &pj, w.executions, kNow));
    EXPECT_EQ(p.message, truth.status.failureReason);
  }
}

TEST(PlanPreview, ARunningSourceIsRefused) {
  World w;
  PipelineExecution running = makeExecution("busy", kT0);
  running.status.phase = ExecutionPhase::Executing;
  running.status.pipelineSpec = w.pipeline.spec;
  w.add(running);
  auto p = previewOf(w, request({"Train"}, "busy"));
  EXPECT_FALSE(p.accepted);
  EXPECT_EQ(p.reason, "InvalidSelectiveExecution");
  EXPECT_NE(p.message.find("busy"), std::string::npos) << p.message;
  EXPECT_NE(renderPlan(p).find("Nothing would be created."), std::string::npos);
}

TEST(PlanPreview, APlainRunShowsBranchesThatAConditionMayStillSkip) {
  World w;
  RunRequest r;
  r.pipeline = "abalone";
  auto p = previewOf(w, r);
  ASSERT_TRUE(p.accepted) << p.message;
  EXPECT_FALSE(p.sourceExecution.has_value());
  EXPECT_EQ(step(p, "Preprocess").action, "run");
  EXPECT_TRUE(step(p, "Preprocess").startsImmediately);
  ASSERT_EQ(step(p, "Register").onBranchOf.size(), 1u);
  EXPECT_EQ(step(p, "Register").onBranchOf[0].condition, "MSECheck");
  EXPECT_EQ(step(p, "Register").onBranchOf[0].branch, "if");
  EXPECT_EQ(step(p, "FailNotify").onBranchOf.at(0).branch, "else");
  EXPECT_TRUE(step(p, "Evaluate").onBranchOf.empty());
}

TEST(PlanPreview, ACacheHitIsReportedWithItsProducer) {
  World w;
  auto full = completedRun(w.pipeline, "full", kT0, "4.37");
  w.add(full);
  // Train is cached (P30D) and its input (Preprocess, reused) is the same:
  // the planner serves it from full's result.
  auto p = previewOf(w, request({"Train"}, "full"));
  ASSERT_TRUE(p.accepted) << p.message;
  EXPECT_EQ(step(p, "Train").action, "cacheHit");
  EXPECT_EQ(step(p, "Train").producer, "full");
  EXPECT_FALSE(step(p, "Train").outputs.empty());
}

TEST(PlanPreview, StaleReuseIsAWarningWhenAllowed) {
  World w;
  w.add(completedRun(w.pipeline, "full", kT0, "4.37"));
  RunRequest r = request({"Evaluate"}, "full");
  r.parameters = {{"XGBNumRounds", "300"}};  // Train, reused, consumed it
  auto refused = previewOf(w, r);
  EXPECT_FALSE(refused.accepted);
  EXPECT_NE(refused.message.find("Train"), std::string::npos) << refused.message;
  r.allowStaleReuse = true;
  auto allowed = previewOf(w, r);
  ASSERT_TRUE(allowed.accepted) << allowed.message;
  ASSERT_EQ(allowed.warnings.size(), 1u);
  EXPECT_NE(allowed.warnings[0].find("XGBNumRounds"), std::string::npos) << allowed.warnings[0];
}

TEST(PlanPreview, OtherNamespacesAndPipelinesAreNeverCandidates) {
  World w;
  auto elsewhere = completedRun(w.pipeline, "full", kT0, "4.37");
  elsewhere.metadata.namespace_ = "other";
  w.add(elsewhere);
  auto p = previewOf(w, request({"Train"}));
  EXPECT_FALSE(p.accepted);
  EXPECT_EQ(p.reason, "InvalidSelectiveExecution");
}

}  // namespace
}  // namespace sluice::cli
