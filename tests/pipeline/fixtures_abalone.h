// The six-step Abalone pipeline of DESIGN.md, executions of it, and a tiny
// simulation loop that plays the Job controller and kubelet: it feeds the
// Jobs the planner asked for back into plan() as observed Jobs/Pods, moving
// each pod Pending -> Running -> Succeeded/Failed by a per-step script, with
// an injected clock that advances by a fixed tick. No sleeps, no cluster.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "plan.h"
#include "plan_time.h"

namespace sluice::pipeline::testing {

inline const UnixSeconds kT0 = *parseRfc3339("2026-11-20T10:00:00Z");

inline Condition compare(ConditionType t, std::string l, std::string r) {
  Condition c;
  c.type = t;
  c.left = std::move(l);
  c.right = std::move(r);
  return c;
}

inline StepSpec containerStep(std::string name, std::string image, std::vector<std::string> command,
                              std::vector<std::string> args = {}) {
  StepSpec s;
  s.name = std::move(name);
  s.kind = StepKind::Container;
  s.container = ContainerSpec{};
  s.container->image = std::move(image);
  s.container->command = std::move(command);
  s.container->args = std::move(args);
  return s;
}

// Preprocess -> Train -> Evaluate -> MSECheck -> {Register | FailNotify},
// exactly as in DESIGN.md.
inline Pipeline abalonePipeline() {
  Pipeline p;
  p.metadata.name = "abalone";
  p.metadata.namespace_ = "ml";
  p.metadata.uid = "pl-uid";
  p.metadata.generation = 3;
  PipelineSpec& s = p.spec;
  s.description = "Train and gate an XGBoost regressor";
  s.parameters = {
      {"InputData", ParamType::String, "s3://datasets/abalone/abalone.csv", ""},
      {"XGBNumRounds", ParamType::Integer, "120", ""},
      {"XGBETA", ParamType::Float, "0.25", ""},
      {"MseThreshold", ParamType::Float, "6", ""},
      {"Approve", ParamType::Boolean, "false", ""},
  };
  S3Store s3;
  s3.endpoint = "http://minio.minio:9000";
  s3.bucket = "pipelines";
  s3.prefix = "ml";
  s3.credentialsSecret = SecretRef{"s3-creds", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"};
  s.artifactStore = ArtifactStore{s3};
  s.maxParallelSteps = 4;
  s.defaults.serviceAccountName = "pipeline-steps";
  s.defaults.cache.enabled = false;
  s.defaults.retry.maxAttempts = 1;

  StepSpec pre = containerStep("Preprocess", "registry.example/abalone:1.0", {"python", "preprocess.py"},
                               {"--input", "$(params.InputData)"});
  pre.outputs = {{"train", "/opt/ml/processing/train"}, {"test", "/opt/ml/processing/test"}};
  pre.resources.cpu = "1";
  pre.resources.memory = "2Gi";

  StepSpec train = containerStep("Train", "registry.example/abalone:1.0", {"python", "train.py"},
                                 {"--num-round", "$(params.XGBNumRounds)", "--eta", "$(params.XGBETA)"});
  train.inputs = {{"train", "$(steps.Preprocess.outputs.train)", "/opt/ml/input/data/train"}};
  train.outputs = {{"model", "/opt/ml/model"}};
  train.resources.cpu = "4";
  train.resources.memory = "8Gi";
  train.resources.gpu = 1;
  train.cache = CacheSpec{true, std::string("P30D"), std::nullopt};
  train.retry = RetrySpec{3};
  train.timeout = "2h";

  StepSpec eval = containerStep("Evaluate", "registry.example/abalone:1.0", {"python", "evaluate.py"});
  eval.inputs = {{"model", "$(steps.Train.outputs.model)", "/opt/ml/processing/model"},
                 {"test", "$(steps.Preprocess.outputs.test)", "/opt/ml/processing/test"}};
  eval.outputs = {{"evaluation", "/opt/ml/processing/evaluation"}};
  eval.properties = {{"mse", "/opt/ml/processing/evaluation/evaluation.json", "regression_metrics.mse.value"}};

  StepSpec check;
  check.name = "MSECheck";
  check.kind = StepKind::Condition;
  check.condition = ConditionStep{
      {compare(ConditionType::LessThanOrEqualTo, "$(steps.Evaluate.properties.mse)", "$(params.MseThreshold)")},
      {"Register"},
      {"FailNotify"}};

  StepSpec reg = containerStep("Register", "registry.example/registry-client:1.0", {},
                               {"$(steps.Train.outputs.model)"});

  StepSpec failNotify;
  failNotify.name = "FailNotify";
  failNotify.kind = StepKind::Fail;
  failNotify.fail = FailStep{"MSE $(steps.Evaluate.properties.mse) is above $(params.MseThreshold)"};

  s.steps = {pre, train, eval, check, reg, failNotify};
  return p;
}

inline PipelineExecution makeExecution(const std::string& name, UnixSeconds created,
                                       std::vector<ParameterValue> params = {},
                                       std::optional<SelectiveExecutionSpec> selective = std::nullopt) {
  PipelineExecution x;
  x.metadata.name = name;
  x.metadata.namespace_ = "ml";
  x.metadata.uid = "uid-" + name;
  x.metadata.generation = 1;
  x.metadata.creationTimestamp = formatRfc3339(created);
  x.spec.pipelineRef = "abalone";
  x.spec.parameters = std::move(params);
  x.spec.selectiveExecution = std::move(selective);
  return x;
}

inline SelectiveExecutionSpec selectSteps(std::vector<std::string> steps, std::string source = "") {
  SelectiveExecutionSpec s;
  if (!source.empty()) s.sourceExecution = source;
  s.selectedSteps = std::move(steps);
  return s;
}

inline const StepStatus& stepOf(const ExecutionStatus& st, const std::string& name) {
  for (const auto& s : st.steps)
    if (s.name == name) return s;
  ADD_FAILURE() << "no status for step " << name;
  static StepStatus none;
  return none;
}

inline std::string phaseOf(const ExecutionStatus& st, const std::string& name) {
  return toString(stepOf(st, name).phase);
}

inline std::string outputOf(const ExecutionStatus& st, const std::string& step, const std::string& output) {
  for (const auto& o : stepOf(st, step).outputs)
    if (o.name == output) return o.uri;
  return "";
}

// What a step's pods do.
struct PodScript {
  int failuresBeforeSuccess = 0;  // > maxAttempts - 1 means the step fails
  std::string failReason = "exit code 1";
  std::vector<PropertyStatus> properties;
  bool neverFinish = false;  // stays Running (for stop / parallelism tests)
};

// Cache index the controller would build: every Succeeded step with a key
// that really ran in an execution (reused / cache-hit entries point back to
// their producer, which is indexed itself).
inline std::vector<CacheEntry> cacheIndexOf(const std::vector<PipelineExecution>& executions) {
  std::vector<CacheEntry> index;
  for (const auto& x : executions)
    for (const auto& s : x.status.steps)
      if (s.phase == StepPhase::Succeeded && !s.cacheKey.empty() && !s.reusedFromExecution && !s.cacheHitExecution)
        index.push_back({s.cacheKey, x.metadata.name, s.name, s.outputs, s.properties,
                         parseRfc3339(s.endTime.value_or("")).value_or(0)});
  return index;
}

class Simulation {
 public:
  static constexpr int kTick = 10;  // seconds per plan() round

  Simulation(Pipeline pipeline, PipelineExecution execution, UnixSeconds start = kT0)
      : execution(std::move(execution)), now(start) {
    input.pipeline = std::move(pipeline);
  }

  PipelineExecution execution;
  std::vector<PipelineExecution> others;
  std::vector<CacheEntry> cacheIndex;
  std::map<std::string, PodScript> scripts;  // by step
  std::map<std::string, ObservedJob> jobs;   // by Job name
  std::map<std::string, int> backoffLimit;   // by Job name, from the manifest
  std::map<std::string, int> creations;      // Job name -> times the planner asked to create it
  std::vector<std::string> deleted;
  std::vector<PlanEvent> events;
  std::map<std::string, web::json::value> manifests;  // by step
  UnixSeconds now;
  PlanInput input;
  int maxConcurrentJobs = 0;  // the most Jobs active at once

  // One plan() round: plan, apply, let pods progress one notch.
  PlanOutput step() {
    input.execution = execution;
    input.otherExecutions = others;
    input.cacheIndex = CacheIndex(cacheIndex);
    input.now = now;
    input.jobs.clear();
    for (const auto& [name, j] : jobs) input.jobs.push_back(j);
    PlanOutput out = plan(input);
    apply(out);
    progressPods();
    now += kTick;
    return out;
  }

  // Rounds until the execution is terminal (or a bound, which fails the test).
  const ExecutionStatus& runToEnd(int maxRounds = 100) {
    for (int i = 0; i < maxRounds && !isTerminal(execution.status.phase); ++i) step();
    EXPECT_TRUE(isTerminal(execution.status.phase)) << "still " << toString(execution.status.phase);
    return execution.status;
  }

  std::set<std::string> stepsWithJobs() const {
    std::set<std::string> out;
    for (const auto& [name, j] : jobs) out.insert(j.step);
    return out;
  }

  bool hasEvent(const std::string& reason, const std::string& messagePart = "") const {
    for (const auto& e : events)
      if (e.reason == reason && e.message.find(messagePart) != std::string::npos) return true;
    return false;
  }

 private:
  void apply(const PlanOutput& out) {
    execution.status = out.status;
    events.insert(events.end(), out.events.begin(), out.events.end());
    for (const auto& j : out.jobsToCreate) {
      ++creations[j.name];
      if (jobs.count(j.name)) continue;  // AlreadyExists: adopt
      ObservedJob job;
      job.name = j.name;
      job.step = j.step;
      job.active = 1;
      job.pods.push_back(newPod(j.name, 0));
      jobs[j.name] = job;
      backoffLimit[j.name] = j.manifest.at("spec").at("backoffLimit").as_integer();
      manifests[j.step] = j.manifest;
    }
    for (const auto& name : out.jobsToDelete) {
      deleted.push_back(name);
      jobs.erase(name);  // deletion is immediate in this simulation
    }
    int active = 0;
    for (const auto& [n, j] : jobs) active += j.active;
    maxConcurrentJobs = std::max(maxConcurrentJobs, active);
  }

  ObservedPod newPod(const std::string& job, int attempt) {
    ObservedPod p;
    p.name = job + "-" + std::to_string(attempt);
    p.phase = PodPhase::Pending;
    return p;
  }

  void progressPods() {
    for (auto& [name, job] : jobs) {
      if (job.pods.empty() || job.jobFailed || job.succeeded) continue;
      ObservedPod& pod = job.pods.back();
      const PodScript& script = scripts[job.step];
      if (pod.phase == PodPhase::Pending) {
        pod.phase = PodPhase::Running;
        pod.startTime = now;
      } else if (pod.phase == PodPhase::Running && !script.neverFinish) {
        pod.endTime = now;
        if (job.failed < script.failuresBeforeSuccess) {
          pod.phase = PodPhase::Failed;
          pod.errorReason = script.failReason;
          ++job.failed;
          job.active = 0;
          if (job.failed > backoffLimit[name]) {
            job.jobFailed = true;
            job.jobFailedReason = "BackoffLimitExceeded";
            job.jobFailedMessage = "Job has reached the specified backoff limit";
          } else {
            job.pods.push_back(newPod(name, job.failed));
            job.active = 1;
          }
        } else {
          pod.phase = PodPhase::Succeeded;
          pod.properties = script.properties;
          job.succeeded = 1;
          job.active = 0;
        }
      }
    }
  }
};

// Runs a plain (non-selective) execution of the pipeline to its end and
// returns it, as the source for selective executions.
inline PipelineExecution completedRun(const Pipeline& p, const std::string& name, UnixSeconds created,
                                      const std::string& mse, std::vector<ParameterValue> params = {},
                                      int evaluateFailures = 0) {
  Simulation sim(p, makeExecution(name, created, std::move(params)), created);
  sim.scripts["Evaluate"].properties = {{"mse", mse}};
  sim.scripts["Evaluate"].failuresBeforeSuccess = evaluateFailures;
  sim.scripts["Evaluate"].failReason = "exit code 2";
  sim.runToEnd();
  return sim.execution;
}

}  // namespace sluice::pipeline::testing
