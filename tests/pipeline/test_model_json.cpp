#include <gtest/gtest.h>

#include "model.h"
#include "model_json.h"

namespace sluice::pipeline {
namespace {

// Every enum value survives toString -> fromString, and names are the wire names.
TEST(ModelNames, EnumsRoundTrip) {
  for (auto v : {ParamType::String, ParamType::Integer, ParamType::Float, ParamType::Boolean})
    EXPECT_EQ(paramTypeFromString(toString(v)), v);
  for (int i = 0; i <= static_cast<int>(ConditionType::Or); ++i) {
    auto v = static_cast<ConditionType>(i);
    EXPECT_EQ(conditionTypeFromString(toString(v)), v) << toString(v);
  }
  for (int i = 0; i <= static_cast<int>(ExecutionPhase::Succeeded); ++i) {
    auto v = static_cast<ExecutionPhase>(i);
    EXPECT_EQ(executionPhaseFromString(toString(v)), v) << toString(v);
  }
  for (int i = 0; i <= static_cast<int>(StepPhase::Skipped); ++i) {
    auto v = static_cast<StepPhase>(i);
    EXPECT_EQ(stepPhaseFromString(toString(v)), v) << toString(v);
  }
  for (auto v : {ParameterSource::Override, ParameterSource::Reference, ParameterSource::Default})
    EXPECT_EQ(parameterSourceFromString(toString(v)), v);
}

TEST(ModelNames, WireNames) {
  EXPECT_STREQ(toString(ConditionType::LessThanOrEqualTo), "LessThanOrEqualTo");
  EXPECT_STREQ(toString(StepPhase::Skipped), "Skipped");
  EXPECT_STREQ(toString(ExecutionPhase::Stopping), "Stopping");
  EXPECT_STREQ(toString(ParameterSource::Reference), "Reference");
  EXPECT_STREQ(toString(ParamType::Boolean), "Boolean");
}

TEST(ModelNames, UnknownAndCaseMismatchRejected) {
  for (const char* s : {"", "string", "INTEGER", "Bool", " String"}) EXPECT_FALSE(paramTypeFromString(s)) << s;
  EXPECT_FALSE(conditionTypeFromString("lessThan"));
  EXPECT_FALSE(executionPhaseFromString("Running"));
  EXPECT_FALSE(stepPhaseFromString("succeeded"));
  EXPECT_FALSE(parameterSourceFromString("Explicit"));
}


// The Pipeline of DESIGN.md, as the API server returns it (JSON).
const char* kAbalonePipeline = R"j({
  "apiVersion": "sluice.dev/v1alpha1", "kind": "Pipeline",
  "metadata": {"name": "abalone", "namespace": "ml", "uid": "u-1", "generation": 3,
               "resourceVersion": "42", "labels": {"team": "ds"}},
  "spec": {
    "description": "Train and gate an XGBoost regressor",
    "parameters": [
      {"name": "InputData", "type": "String", "default": "s3://datasets/abalone/abalone.csv"},
      {"name": "XGBNumRounds", "type": "Integer", "default": "120"},
      {"name": "XGBETA", "type": "Float", "default": "0.25"},
      {"name": "MseThreshold", "type": "Float", "default": "6"},
      {"name": "Approve", "type": "Boolean", "default": "false"}],
    "artifactStore": {"s3": {"endpoint": "http://minio.minio:9000", "bucket": "pipelines", "prefix": "ml",
                             "region": "us-east-1", "credentialsSecret": {"name": "s3-creds"}}},
    "maxParallelSteps": 4,
    "defaults": {"serviceAccountName": "pipeline-steps", "cache": {"enabled": false}, "retry": {"maxAttempts": 1}},
    "steps": [
      {"name": "Preprocess",
       "container": {"image": "registry.example/abalone:1.0", "command": ["python", "preprocess.py"],
                     "args": ["--input", "$(params.InputData)"]},
       "outputs": [{"name": "train", "path": "/opt/ml/processing/train"},
                   {"name": "test", "path": "/opt/ml/processing/test"}],
       "resources": {"cpu": 1, "memory": "2Gi"}},
      {"name": "Train",
       "container": {"image": "registry.example/abalone:1.0", "command": ["python", "train.py"],
                     "args": ["--num-round", "$(params.XGBNumRounds)", "--eta", "$(params.XGBETA)"],
                     "env": [{"name": "MODE", "value": "fast"}]},
       "inputs": [{"name": "train", "from": "$(steps.Preprocess.outputs.train)", "path": "/opt/ml/input/data/train"}],
       "outputs": [{"name": "model", "path": "/opt/ml/model"}],
       "resources": {"cpu": "4", "memory": "8Gi", "gpu": 1},
       "nodeSelector": {"pool": "gpu"},
       "tolerations": [{"key": "dedicated", "operator": "Exists"}],
       "affinity": {"nodeAffinity": {}},
       "cache": {"enabled": true, "expireAfter": "P30D"},
       "retry": {"maxAttempts": 3},
       "timeout": "2h"},
      {"name": "Evaluate",
       "container": {"image": "registry.example/abalone:1.0", "command": ["python", "evaluate.py"]},
       "inputs": [{"name": "model", "from": "$(steps.Train.outputs.model)", "path": "/opt/ml/processing/model"},
                  {"name": "test", "from": "$(steps.Preprocess.outputs.test)", "path": "/opt/ml/processing/test"}],
       "outputs": [{"name": "evaluation", "path": "/opt/ml/processing/evaluation"}],
       "properties": [{"name": "mse", "file": "/opt/ml/processing/evaluation/evaluation.json",
                       "jsonPath": "regression_metrics.mse.value"}]},
      {"name": "MSECheck",
       "condition": {"conditions": [
           {"type": "LessThanOrEqualTo", "left": "$(steps.Evaluate.properties.mse)", "right": "$(params.MseThreshold)"},
           {"type": "Not", "condition": {"type": "In", "value": "$(params.Approve)", "values": ["no", 0]}},
           {"type": "Or", "conditions": [{"type": "Equals", "left": "a", "right": 6}]}],
         "ifSteps": ["Register"], "elseSteps": ["FailNotify"]}},
      {"name": "Register", "dependsOn": ["Evaluate"],
       "container": {"image": "registry.example/registry-client:1.0", "args": ["$(steps.Train.outputs.model)"]},
       "serviceAccountName": "registrar"},
      {"name": "FailNotify",
       "fail": {"message": "MSE $(steps.Evaluate.properties.mse) is above $(params.MseThreshold)"}}]
  }
})j";

web::json::value parseJson(const std::string& text) { return web::json::value::parse(text); }

TEST(ModelJson, ParsesAbalonePipeline) {
  auto got = parsePipeline(parseJson(kAbalonePipeline));
  ASSERT_TRUE(got.ok()) << got.errors.front().path << ": " << got.errors.front().message;
  const Pipeline& p = got.value;
  EXPECT_EQ(p.metadata.name, "abalone");
  EXPECT_EQ(p.metadata.namespace_, "ml");
  EXPECT_EQ(p.metadata.generation, 3);
  EXPECT_EQ(p.metadata.labels.at("team"), "ds");
  const PipelineSpec& s = p.spec;
  ASSERT_EQ(s.parameters.size(), 5u);
  EXPECT_EQ(s.parameters[1].type, ParamType::Integer);
  EXPECT_EQ(s.parameters[1].defaultValue, "120");
  ASSERT_TRUE(s.artifactStore && s.artifactStore->s3);
  EXPECT_EQ(s.artifactStore->s3->bucket, "pipelines");
  EXPECT_EQ(s.artifactStore->s3->credentialsSecret->name, "s3-creds");
  EXPECT_EQ(s.artifactStore->s3->credentialsSecret->accessKeyIdKey, "AWS_ACCESS_KEY_ID");
  EXPECT_EQ(s.maxParallelSteps, 4);
  EXPECT_EQ(s.defaults.serviceAccountName, "pipeline-steps");
  ASSERT_EQ(s.steps.size(), 6u);
  EXPECT_EQ(s.steps[0].resources.cpu, "1");  // number accepted as a quantity
  const StepSpec& train = s.steps[1];
  EXPECT_EQ(train.kind, StepKind::Container);
  EXPECT_EQ(train.container->args[1], "$(params.XGBNumRounds)");
  EXPECT_EQ(train.container->env[0].value, "fast");
  EXPECT_EQ(train.inputs[0].from, "$(steps.Preprocess.outputs.train)");
  EXPECT_EQ(train.resources.gpu, 1);
  EXPECT_EQ(train.pod.nodeSelector.at("pool"), "gpu");
  EXPECT_EQ(parseJson(train.pod.tolerationsJson), parseJson(R"j([{"key":"dedicated","operator":"Exists"}])j"));
  EXPECT_EQ(train.cache->expireAfter, "P30D");
  EXPECT_EQ(train.retry->maxAttempts, 3);
  EXPECT_EQ(train.timeout, "2h");
  EXPECT_EQ(s.steps[2].properties[0].jsonPath, "regression_metrics.mse.value");
  const StepSpec& check = s.steps[3];
  EXPECT_EQ(check.kind, StepKind::Condition);
  ASSERT_EQ(check.condition->conditions.size(), 3u);
  EXPECT_EQ(check.condition->conditions[0].type, ConditionType::LessThanOrEqualTo);
  const Condition& notIn = check.condition->conditions[1];
  ASSERT_EQ(notIn.children.size(), 1u);
  EXPECT_EQ(notIn.children[0].values, (std::vector<std::string>{"no", "0"}));
  EXPECT_EQ(check.condition->conditions[2].children[0].right, "6");
  EXPECT_EQ(check.condition->elseSteps, (std::vector<std::string>{"FailNotify"}));
  EXPECT_EQ(s.steps[4].dependsOn, (std::vector<std::string>{"Evaluate"}));
  EXPECT_EQ(s.steps[4].serviceAccountName, "registrar");
  EXPECT_EQ(s.steps[5].kind, StepKind::Fail);
}

TEST(ModelJson, PipelineSpecRoundTripsExactly) {
  auto first = parsePipeline(parseJson(kAbalonePipeline));
  ASSERT_TRUE(first.ok());
  web::json::value written = toJson(first.value.spec);
  auto second = parsePipelineSpec(written);
  ASSERT_TRUE(second.ok()) << second.errors.front().path << ": " << second.errors.front().message;
  EXPECT_EQ(toJson(second.value), written);
  EXPECT_EQ(toJson(second.value.steps[1]), written.at("steps").at(1));
}

TEST(ModelJson, DefaultsSurviveRoundTrip) {
  PipelineSpec empty;
  auto back = parsePipelineSpec(toJson(empty));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back.value.artifactStore);
  EXPECT_EQ(back.value.defaults.retry.maxAttempts, 1);
  EXPECT_EQ(toJson(back.value), toJson(empty));
}

const char* kExecution = R"j({
  "metadata": {"name": "abalone-7f2kq", "namespace": "ml", "generation": 1},
  "spec": {"pipelineRef": {"name": "abalone"},
           "parameters": [{"name": "XGBNumRounds", "value": "150"}],
           "selectiveExecution": {"sourceExecution": "abalone-x62pb", "selectedSteps": ["Train", "Evaluate"],
                                  "allowStaleReuse": true},
           "maxParallelSteps": 2, "stop": false},
  "status": {
    "observedGeneration": 1, "phase": "Succeeded",
    "conditions": [{"type": "Succeeded", "status": "True", "reason": "Succeeded", "message": "done",
                    "lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": 1}],
    "startTime": "2026-01-01T00:00:00Z", "endTime": "2026-01-01T01:00:00Z",
    "failureReason": "Step 'Evaluate' failed: exit code 2", "pipelineGeneration": 3,
    "pipelineSpec": {"steps": [{"name": "A", "container": {"image": "i"}}]},
    "parameters": [{"name": "XGBNumRounds", "value": "150", "source": "Override"},
                   {"name": "XGBETA", "value": "0.25", "source": "Reference"}],
    "selectiveExecution": {"sourceExecution": "abalone-x62pb", "selectedSteps": ["Train", "Evaluate"]},
    "steps": [
      {"name": "Preprocess", "phase": "Succeeded", "reusedFrom": {"execution": "abalone-ksm2m"},
       "outputs": [{"name": "train", "uri": "s3://b/abalone-ksm2m/Preprocess/train/", "size": 1024, "sha256": "ab"}]},
      {"name": "Train", "phase": "Succeeded", "startTime": "2026-01-01T00:00:01Z", "endTime": "2026-01-01T00:30:00Z",
       "attemptCount": 2, "jobName": "abalone-7f2kq-train-3k9x2", "cacheKey": "sha256:00",
       "cacheHit": {"execution": "abalone-old"}, "consumedParameters": [{"name": "XGBNumRounds", "value": "150"}]},
      {"name": "Evaluate", "phase": "Failed", "reason": "Error", "message": "exit code 2",
       "properties": [{"name": "mse", "value": "4.37"}]},
      {"name": "MSECheck", "phase": "Skipped", "reason": "NotSelected", "condition": {"outcome": "False"}}]
  }
})j";

TEST(ModelJson, ParsesExecutionWithStatus) {
  auto got = parsePipelineExecution(parseJson(kExecution));
  ASSERT_TRUE(got.ok()) << got.errors.front().path << ": " << got.errors.front().message;
  const PipelineExecution& e = got.value;
  EXPECT_EQ(e.spec.pipelineRef, "abalone");
  EXPECT_EQ(e.spec.parameters[0].value, "150");
  ASSERT_TRUE(e.spec.selectiveExecution);
  EXPECT_EQ(e.spec.selectiveExecution->sourceExecution, "abalone-x62pb");
  EXPECT_TRUE(e.spec.selectiveExecution->allowStaleReuse);
  EXPECT_EQ(e.spec.maxParallelSteps, 2);
  const ExecutionStatus& s = e.status;
  EXPECT_EQ(s.phase, ExecutionPhase::Succeeded);
  EXPECT_EQ(s.conditions[0].observedGeneration, 1);
  EXPECT_EQ(s.pipelineGeneration, 3);
  ASSERT_TRUE(s.pipelineSpec);
  EXPECT_EQ(s.pipelineSpec->steps[0].container->image, "i");
  EXPECT_EQ(s.parameters[1].source, ParameterSource::Reference);
  EXPECT_EQ(s.selectiveExecution->selectedSteps, (std::vector<std::string>{"Train", "Evaluate"}));
  ASSERT_EQ(s.steps.size(), 4u);
  EXPECT_EQ(s.steps[0].reusedFromExecution, "abalone-ksm2m");
  EXPECT_EQ(s.steps[0].outputs[0].size, 1024);
  EXPECT_EQ(s.steps[1].attemptCount, 2);
  EXPECT_EQ(s.steps[1].cacheHitExecution, "abalone-old");
  EXPECT_EQ(s.steps[1].consumedParameters[0].name, "XGBNumRounds");
  EXPECT_EQ(s.steps[2].phase, StepPhase::Failed);
  EXPECT_EQ(s.steps[2].properties[0].value, "4.37");
  EXPECT_EQ(s.steps[3].conditionOutcome, "False");
}

TEST(ModelJson, ExecutionSpecAndStatusRoundTrip) {
  auto first = parsePipelineExecution(parseJson(kExecution));
  ASSERT_TRUE(first.ok());
  web::json::value status = toJson(first.value.status);
  auto second = parseExecutionStatus(status);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(toJson(second.value), status);
  // Wire names the planner relies on.
  EXPECT_EQ(status.at("steps").at(0).at("reusedFrom").at("execution").as_string(), "abalone-ksm2m");
  EXPECT_EQ(status.at("steps").at(1).at("cacheHit").at("execution").as_string(), "abalone-old");
  EXPECT_EQ(status.at("steps").at(3).at("condition").at("outcome").as_string(), "False");
  EXPECT_EQ(status.at("parameters").at(0).at("source").as_string(), "Override");

  web::json::value spec = toJson(first.value.spec);
  auto specBack = parseExecutionSpec(spec);
  ASSERT_TRUE(specBack.ok());
  EXPECT_EQ(toJson(specBack.value), spec);
}

struct ErrorCase {
  const char* name;
  std::string json;  // a Pipeline resource
  FieldErrors want;
};

std::string pipelineWithSteps(const std::string& steps) {
  return R"j({"metadata": {"name": "p"}, "spec": {"steps": )j" + steps + "}}";
}

TEST(ModelJson, StructuralErrorsCarryPaths) {
  const std::vector<ErrorCase> cases = {
      {"not an object", "[]", {{"", "must be an object"}}},
      {"missing spec", R"j({"metadata": {}})j", {{"spec", "Required value"}}},
      {"spec not object", R"j({"spec": 1})j", {{"spec", "must be an object"}}},
      {"missing steps", R"j({"spec": {}})j", {{"spec.steps", "Required value"}}},
      {"steps not array", R"j({"spec": {"steps": {}}})j", {{"spec.steps", "must be an array"}}},
      {"step not object", pipelineWithSteps("[1]"), {{"spec.steps[0]", "must be an object"}}},
      {"missing image",
       pipelineWithSteps(R"j([{"name": "a", "container": {}}, {"name": "b", "fail": {"message": "m"}},
                             {"name": "c", "container": {"args": []}}])j"),
       {{"spec.steps[0].container.image", "Required value"}, {"spec.steps[2].container.image", "Required value"}}},
      {"no kind", pipelineWithSteps(R"j([{"name": "a"}])j"),
       {{"spec.steps[0]", "exactly one of container, condition, fail must be set"}}},
      {"two kinds", pipelineWithSteps(R"j([{"name": "a", "container": {"image": "i"}, "fail": {"message": "m"}}])j"),
       {{"spec.steps[0]", "exactly one of container, condition, fail must be set"}}},
      {"missing name", pipelineWithSteps(R"j([{"fail": {"message": "m"}}])j"), {{"spec.steps[0].name", "Required value"}}},
      {"wrong scalar types",
       pipelineWithSteps(R"j([{"name": 5, "container": {"image": "i", "args": ["a", 3]}, "retry": {"maxAttempts": "3"},
                              "resources": {"gpu": 1.5}, "timeout": 7}])j"),
       {{"spec.steps[0].name", "must be a string"},
        {"spec.steps[0].container.args[1]", "must be a string"},
        {"spec.steps[0].resources.gpu", "must be an integer"},
        {"spec.steps[0].retry.maxAttempts", "must be an integer"},
        {"spec.steps[0].timeout", "must be a string"}}},
      {"bad parameter type and default",
       R"j({"spec": {"parameters": [{"name": "X", "type": "Number", "default": 5}], "steps": []}})j",
       {{"spec.parameters[0].type",
         "Unsupported value: \"Number\": supported values: \"String\", \"Integer\", \"Float\", \"Boolean\""},
        {"spec.parameters[0].default", "must be a string"}}},
      {"bad condition type",
       pipelineWithSteps(R"j([{"name": "c", "condition": {"conditions": [{"type": "Maybe"}]}}])j"),
       {{"spec.steps[0].condition.conditions[0].type",
         "Unsupported value: \"Maybe\": supported values: \"Equals\", \"NotEquals\", \"GreaterThan\", "
         "\"GreaterThanOrEqualTo\", \"LessThan\", \"LessThanOrEqualTo\", \"In\", \"Not\", \"Or\""}}},
      {"condition without conditions", pipelineWithSteps(R"j([{"name": "c", "condition": {"ifSteps": ["x"]}}])j"),
       {{"spec.steps[0].condition.conditions", "Required value"}}},
      {"nested condition error",
       pipelineWithSteps(R"j([{"name": "c", "condition": {"conditions": [{"type": "Or", "conditions": [{"left": "a"}]}]}}])j"),
       {{"spec.steps[0].condition.conditions[0].conditions[0].type", "Required value"}}},
      {"s3 without bucket", R"j({"spec": {"artifactStore": {"s3": {"prefix": "p"}}, "steps": []}})j",
       {{"spec.artifactStore.s3.bucket", "Required value"}}},
      {"input fields required", pipelineWithSteps(R"j([{"name": "a", "container": {"image": "i"}, "inputs": [{}]}])j"),
       {{"spec.steps[0].inputs[0].name", "Required value"},
        {"spec.steps[0].inputs[0].from", "Required value"},
        {"spec.steps[0].inputs[0].path", "Required value"}}},
      {"tolerations not array",
       pipelineWithSteps(R"j([{"name": "a", "container": {"image": "i"}, "tolerations": {}, "nodeSelector": {"k": 1}}])j"),
       {{"spec.steps[0].nodeSelector.k", "must be a string"}, {"spec.steps[0].tolerations", "must be an array"}}},
      {"null is absent", pipelineWithSteps(R"j([{"name": "a", "container": {"image": "i"}, "cache": null}])j"), {}},
  };
  for (const auto& c : cases) {
    auto got = parsePipeline(parseJson(c.json));
    EXPECT_EQ(got.errors, c.want) << c.name << ": got " << got.errors.size() << " errors"
                                  << (got.errors.empty() ? "" : ", first " + got.errors[0].path + ": " +
                                                                    got.errors[0].message);
  }
}

TEST(ModelJson, ExecutionStructuralErrors) {
  const std::vector<ErrorCase> cases = {
      {"missing pipelineRef", R"j({"spec": {}})j", {{"spec.pipelineRef", "Required value"}}},
      {"missing ref name", R"j({"spec": {"pipelineRef": {}}})j", {{"spec.pipelineRef.name", "Required value"}}},
      {"parameter value number", R"j({"spec": {"pipelineRef": {"name": "p"}, "parameters": [{"name": "a", "value": 1}]}})j",
       {{"spec.parameters[0].value", "must be a string"}}},
      {"bad phases",
       R"j({"spec": {"pipelineRef": {"name": "p"}}, "status": {"phase": "Running", "steps": [{"name": "a", "phase": "Done"}]}})j",
       {{"status.phase", "Unsupported value: \"Running\""}, {"status.steps[0].phase", "Unsupported value: \"Done\""}}},
      {"snapshot errors are under status.pipelineSpec",
       R"j({"spec": {"pipelineRef": {"name": "p"}}, "status": {"pipelineSpec": {"steps": [{"name": "a"}]}}})j",
       {{"status.pipelineSpec.steps[0]", "exactly one of container, condition, fail must be set"}}},
  };
  for (const auto& c : cases) {
    auto got = parsePipelineExecution(parseJson(c.json));
    EXPECT_EQ(got.errors, c.want) << c.name << ": got " << got.errors.size() << " errors"
                                  << (got.errors.empty() ? "" : ", first " + got.errors[0].path + ": " +
                                                                    got.errors[0].message);
  }
}

// cpprestsdk itself stops at 128 levels; our own limit is lower.
TEST(ModelJson, DeepConditionNestingIsRejectedNotRecursed) {
  std::string cond = R"j({"type": "Equals", "left": "a", "right": "b"})j";
  for (int i = 0; i < 60; ++i) cond = R"j({"type": "Not", "condition": )j" + cond + "}";
  auto got = parsePipeline(parseJson(pipelineWithSteps(R"j([{"name": "c", "condition": {"conditions": [)j" + cond + "]}}]")));
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_NE(got.errors[0].message.find("nested deeper than 32 levels"), std::string::npos);
}

}  // namespace
}  // namespace sluice::pipeline
