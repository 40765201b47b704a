// The largest pipeline Sluice accepts (kMaxSteps) must leave its
// executions far below etcd's 1.5 MiB object limit: a PipelineExecution
// holds the pipeline snapshot and one status entry per step, and a status
// write etcd refuses would leave the execution stuck. These tests build
// the largest execution object of kMaxSteps steps with the real rendering
// code (toJson, outputUri, capStatusMessages, jobName) and check its
// serialized size against the budget. README.md "Limits" quotes the sizes.
#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <string>

#include "job_spec.h"
#include "model_json.h"
#include "plan_render.h"
#include "plan_status.h"
#include "validation.h"

namespace sluice::pipeline {
namespace {

constexpr std::size_t kBudgetBytes = 1024 * 1024;  // etcd refuses 1.5 MiB; keep a third spare
constexpr std::size_t kEtcdLimitBytes = 1536 * 1024;

// Longest names the API allows: Kubernetes object names (namespace 63,
// pipeline 253), step/output/property/parameter names 64.
const std::string kNamespace(63, 'n');
const std::string kPipeline(253, 'p');
// A generated execution name (generateName: Kubernetes cuts the base to 58
// characters and adds 5): what `kubectl sluice start` and the SDK create.
const std::string kGeneratedExecution(std::string(58, 'p') + "x62pb");
const std::string kLongExecution(253, 'x');  // a hand-picked name at the limit

std::string name64(char c, std::size_t i) {
  std::string n = std::to_string(i);
  return std::string(64 - n.size(), c) + n;
}

ArtifactStore longStore() {
  S3Store s3;
  s3.endpoint = "http://minio.minio:9000";
  s3.bucket = std::string(63, 'b');
  s3.prefix = std::string(64, 'f');
  return ArtifactStore{s3};
}

// The snapshot: every step a container step with a 64-character name, one
// input from its upstream step, one output, one property and cache on.
PipelineSpec snapshot(std::size_t steps) {
  PipelineSpec p;
  p.artifactStore = longStore();
  p.parameters = {{name64('P', 0), ParamType::String, std::string(64, 'v'), ""},
                  {name64('P', 1), ParamType::String, std::string(64, 'v'), ""}};
  for (std::size_t i = 0; i < steps; ++i) {
    StepSpec s;
    s.name = name64('S', i);
    s.container = ContainerSpec{};
    s.container->image = "registry.example/team/training-image:1.0.0";
    s.container->command = {"python", "step.py"};
    s.container->args = {"--p0", "$(params." + name64('P', 0) + ")", "--p1", "$(params." + name64('P', 1) + ")"};
    if (i > 0)
      s.inputs = {{"in", "$(steps." + name64('S', i - 1) + ".outputs." + name64('o', 0) + ")", "/in"}};
    s.outputs = {{name64('o', 0), "/out"}};
    s.properties = {{name64('q', 0), "/out/metrics.json", "metrics.value"}};
    s.cache = CacheSpec{true, std::string("P30D"), std::nullopt};
    p.steps.push_back(std::move(s));
  }
  return p;
}

ExecutionStatus baseStatus(const PipelineSpec& spec) {
  ExecutionStatus st;
  st.observedGeneration = 2;
  st.phase = ExecutionPhase::Failed;
  st.startTime = st.endTime = "2026-12-02T20:50:17Z";
  st.pipelineGeneration = 7;
  st.pipelineSpec = spec;
  st.failureReason = std::string(2 * kMaxStatusMessageBytes, 'r');
  for (const char* type : {"Ready", "Succeeded", "Reconciling", "Stalled", "StaleReuse"})
    st.conditions.push_back({type, "False", "StepFailed", std::string(2 * kMaxStatusMessageBytes, 'c'),
                             "2026-12-02T20:50:17Z", 2});
  for (const auto& p : spec.parameters) st.parameters.push_back({p.name, *p.defaultValue, ParameterSource::Override});
  return st;
}

std::vector<ParameterValue> consumed(const PipelineSpec& spec) {
  std::vector<ParameterValue> out;
  for (const auto& p : spec.parameters) out.push_back({p.name, *p.defaultValue});
  return out;
}

// Every field the operator itself writes at its longest: a failed step
// keeps the (capped) failure message, the Job name, 20 attempts and the
// cache key. Its outputs and properties are gone (a failed step has none).
StepStatus failedStep(const PipelineSpec& spec, std::size_t i) {
  StepStatus s;
  s.name = spec.steps[i].name;
  s.phase = StepPhase::Failed;
  s.reason = "BackoffLimitExceeded";
  s.message = std::string(4 * kMaxStepMessageBytes, 'm');
  s.startTime = s.endTime = "2026-12-02T20:50:17Z";
  s.attemptCount = 20;
  s.jobName = jobName(kLongExecution, "0f8e2a6c-3c1d-4c1e-9a55-6c0d8f4f1e2b", s.name);
  s.cacheKey = "sha256:" + std::string(64, 'a');
  s.consumedParameters = consumed(spec);
  return s;
}

// A step that succeeded from the cache of another execution: the longest
// succeeded entry the operator writes for the snapshot's step shape (one
// output with its URI, size and digest, one property).
StepStatus cachedStep(const PipelineSpec& spec, std::size_t i, const std::string& producer,
                      std::size_t propertyBytes) {
  StepStatus s;
  s.name = spec.steps[i].name;
  s.phase = StepPhase::Succeeded;
  s.reason = "CacheHit";
  s.message = "cached result of execution '" + producer + "'";
  s.startTime = s.endTime = "2026-12-02T20:50:17Z";
  s.attemptCount = 20;
  s.jobName = jobName(producer, "0f8e2a6c-3c1d-4c1e-9a55-6c0d8f4f1e2b", s.name);
  s.cacheHitExecution = producer;
  for (const auto& o : spec.steps[i].outputs)
    s.outputs.push_back({o.name, outputUri(spec.artifactStore, kNamespace, kPipeline, producer, s.name, o.name),
                         INT64_MAX, std::string(64, 'd')});
  for (const auto& p : spec.steps[i].properties) s.properties.push_back({p.name, std::string(propertyBytes, '7')});
  s.cacheKey = "sha256:" + std::string(64, 'a');
  s.conditionOutcome = "False";
  s.consumedParameters = consumed(spec);
  return s;
}

// The whole object as the API server stores it: metadata, spec, status.
std::size_t objectBytes(const std::string& executionName, ExecutionStatus status) {
  capStatusMessages(status);
  ExecutionSpec spec;
  spec.pipelineRef = kPipeline;
  for (const auto& p : status.parameters) spec.parameters.push_back({p.name, p.value});
  web::json::value o = web::json::value::object();
  o["apiVersion"] = web::json::value::string("sluice.dev/v1alpha1");
  o["kind"] = web::json::value::string("PipelineExecution");
  o["metadata"]["name"] = web::json::value::string(executionName);
  o["metadata"]["namespace"] = web::json::value::string(kNamespace);
  o["metadata"]["uid"] = web::json::value::string("0f8e2a6c-3c1d-4c1e-9a55-6c0d8f4f1e2b");
  o["metadata"]["labels"]["sluice.dev/pipeline"] = web::json::value::string(kPipeline.substr(0, 63));
  o["spec"] = toJson(spec);
  o["status"] = toJson(status);
  return o.serialize().size();
}

TEST(StatusSize, EveryStepFailedAtTheLargestPipeline) {
  const PipelineSpec spec = snapshot(kMaxSteps);
  ASSERT_EQ(validatePipeline(spec), FieldErrors{});
  ExecutionStatus st = baseStatus(spec);
  for (std::size_t i = 0; i < kMaxSteps; ++i) st.steps.push_back(failedStep(spec, i));
  const std::size_t bytes = objectBytes(kLongExecution, st);
  std::cout << kMaxSteps << " failed steps, longest names: " << bytes << " bytes\n";
  EXPECT_LT(bytes, kBudgetBytes);
}

TEST(StatusSize, EveryStepCachedAtTheLargestPipeline) {
  // Every name at its maximum except the execution's, which is generated:
  // past the budget, but still under etcd's limit.
  const PipelineSpec spec = snapshot(kMaxSteps);
  ExecutionStatus st = baseStatus(spec);
  st.phase = ExecutionPhase::Succeeded;
  for (std::size_t i = 0; i < kMaxSteps; ++i) st.steps.push_back(cachedStep(spec, i, kGeneratedExecution, 64));
  const std::size_t bytes = objectBytes(kGeneratedExecution, st);
  std::cout << kMaxSteps << " cached steps, longest names: " << bytes << " bytes\n";
  EXPECT_LT(bytes, kEtcdLimitBytes);
}

TEST(StatusSize, ShortStepNamesAtTheLargestPipeline) {
  // Step, output, property and parameter names and the store of the length
  // people use, half the steps failed and half cached; the namespace and
  // pipeline names stay at their maximum: inside the budget.
  PipelineSpec spec = snapshot(kMaxSteps);
  spec.artifactStore->s3->bucket = "ml-pipelines";
  spec.artifactStore->s3->prefix = "team-a";
  for (auto& p : spec.parameters) p.name = p.name.substr(52);
  for (std::size_t i = 0; i < spec.steps.size(); ++i) {
    StepSpec& s = spec.steps[i];
    s.name = "train-" + std::to_string(i);
    s.container->args = {"--p0", "$(params." + spec.parameters[0].name + ")", "--p1",
                         "$(params." + spec.parameters[1].name + ")"};
    s.outputs = {{"model", "/out"}};
    s.properties = {{"score", "/out/metrics.json", "metrics.value"}};
    if (i > 0) s.inputs = {{"in", "$(steps.train-" + std::to_string(i - 1) + ".outputs.model)", "/in"}};
  }
  ASSERT_EQ(validatePipeline(spec), FieldErrors{});
  ExecutionStatus st = baseStatus(spec);
  for (std::size_t i = 0; i < kMaxSteps; ++i)
    st.steps.push_back(i % 2 ? failedStep(spec, i) : cachedStep(spec, i, "nightly-training-x62pb", 64));
  const std::size_t bytes = objectBytes("nightly-training-7f2kq", st);
  std::cout << kMaxSteps << " steps, short step names: " << bytes << " bytes\n";
  EXPECT_LT(bytes, kBudgetBytes);
}

TEST(StatusSize, OneStepMoreIsRefused) {
  const FieldErrors errors = validatePipeline(snapshot(kMaxSteps + 1));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "spec.steps");
  const std::string expected =
      std::to_string(kMaxSteps + 1) + " steps; Sluice supports at most " + std::to_string(kMaxSteps);
  EXPECT_EQ(errors[0].message.rfind(expected, 0), 0u) << errors[0].message;
}

}  // namespace
}  // namespace sluice::pipeline
