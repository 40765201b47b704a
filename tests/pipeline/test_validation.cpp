#include <gtest/gtest.h>

#include <functional>

#include "validation.h"

namespace sluice::pipeline {
namespace {

StepSpec container(const std::string& name, std::vector<std::string> args = {}) {
  StepSpec s;
  s.name = name;
  s.kind = StepKind::Container;
  s.container = ContainerSpec{};
  s.container->image = "registry.example/abalone:1.0";
  s.container->args = std::move(args);
  return s;
}

Condition compare(ConditionType t, std::string left, std::string right) {
  Condition c;
  c.type = t;
  c.left = std::move(left);
  c.right = std::move(right);
  return c;
}

// The six-step Abalone pipeline of DESIGN.md: valid as built.
PipelineSpec abalone() {
  PipelineSpec p;
  p.parameters = {{"InputData", ParamType::String, "s3://datasets/abalone.csv", ""},
                  {"XGBNumRounds", ParamType::Integer, "120", ""},
                  {"XGBETA", ParamType::Float, "0.25", ""},
                  {"MseThreshold", ParamType::Float, "6", ""},
                  {"Approve", ParamType::Boolean, "false", ""}};
  S3Store s3;
  s3.bucket = "pipelines";
  p.artifactStore = ArtifactStore{s3};
  StepSpec pre = container("Preprocess", {"--input", "$(params.InputData)"});
  pre.outputs = {{"train", "/opt/ml/processing/train"}, {"test", "/opt/ml/processing/test"}};
  StepSpec train = container("Train", {"--num-round", "$(params.XGBNumRounds)", "--eta", "$(params.XGBETA)"});
  train.inputs = {{"train", "$(steps.Preprocess.outputs.train)", "/opt/ml/input/data/train"}};
  train.outputs = {{"model", "/opt/ml/model"}};
  train.resources.gpu = 1;
  train.cache = CacheSpec{true, "P30D", std::nullopt};
  train.retry = RetrySpec{3};
  train.timeout = "2h";
  StepSpec eval = container("Evaluate");
  eval.inputs = {{"model", "$(steps.Train.outputs.model)", "/m"}, {"test", "$(steps.Preprocess.outputs.test)", "/t"}};
  eval.outputs = {{"evaluation", "/opt/ml/processing/evaluation"}};
  eval.properties = {{"mse", "/opt/ml/processing/evaluation/evaluation.json", "regression_metrics.mse.value"}};
  StepSpec check;
  check.name = "MSECheck";
  check.kind = StepKind::Condition;
  check.condition = ConditionStep{
      {compare(ConditionType::LessThanOrEqualTo, "$(steps.Evaluate.properties.mse)", "$(params.MseThreshold)")},
      {"Register"},
      {"FailNotify"}};
  StepSpec reg = container("Register", {"$(steps.Train.outputs.model)"});
  StepSpec fail;
  fail.name = "FailNotify";
  fail.kind = StepKind::Fail;
  fail.fail = FailStep{"MSE $(steps.Evaluate.properties.mse) is above $(params.MseThreshold)"};
  p.steps = {pre, train, eval, check, reg, fail};
  return p;
}

// Step index in abalone().
enum { Preprocess, Train, Evaluate, MSECheck, Register, FailNotify };

struct Case {
  const char* name;
  std::function<void(PipelineSpec&)> mutate;
  FieldErrors want;
};

void runCases(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    PipelineSpec p = abalone();
    c.mutate(p);
    FieldErrors got = validatePipeline(p);
    EXPECT_EQ(got, c.want) << c.name;
    if (got != c.want) {
      for (const auto& e : got) ADD_FAILURE() << c.name << " got: " << e.path << ": " << e.message;
    }
  }
}

TEST(Validation, AbaloneIsValid) { EXPECT_EQ(validatePipeline(abalone()), FieldErrors{}); }

TEST(Validation, Names) {
  runCases({
      {"duplicate step name", [](PipelineSpec& p) { p.steps.push_back(container("Train")); },
       {{"spec.steps[6].name", "Duplicate value: \"Train\""}}},
      {"step name with space",
       [](PipelineSpec& p) {
         p.steps[Register].name = "Reg ister";
         p.steps[MSECheck].condition->ifSteps = {"Reg ister"};
       },
       {{"spec.steps[4].name", "Invalid value: \"Reg ister\": must be 1-64 characters of A-Z a-z 0-9 _ -"}}},
      {"step name too long",
       [](PipelineSpec& p) {
         std::string longName(65, 'a');
         p.steps.push_back(container(longName));
       },
       {{"spec.steps[6].name", "Invalid value: \"" + std::string(65, 'a') + "\": must be 1-64 characters of A-Z a-z 0-9 _ -"}}},
      {"64 characters is fine", [](PipelineSpec& p) { p.steps.push_back(container(std::string(64, 'a'))); }, {}},
      {"empty step name", [](PipelineSpec& p) { p.steps.push_back(container("")); },
       {{"spec.steps[6].name", "Required value"}}},
      {"duplicate parameter", [](PipelineSpec& p) { p.parameters.push_back({"XGBETA", ParamType::String, {}, ""}); },
       {{"spec.parameters[5].name", "Duplicate value: \"XGBETA\""}}},
      {"parameter name with dot",
       [](PipelineSpec& p) { p.parameters.push_back({"a.b", ParamType::String, {}, ""}); },
       {{"spec.parameters[5].name", "Invalid value: \"a.b\": must be 1-64 characters of A-Z a-z 0-9 _ -"}}},
      {"duplicate output", [](PipelineSpec& p) { p.steps[Train].outputs.push_back({"model", "/x"}); },
       {{"spec.steps[1].outputs[1].name", "Duplicate value: \"model\""}}},
      {"duplicate property",
       [](PipelineSpec& p) { p.steps[Evaluate].properties.push_back({"mse", "/f", "a"}); },
       {{"spec.steps[2].properties[1].name", "Duplicate value: \"mse\""}}},
      {"empty image", [](PipelineSpec& p) { p.steps[Register].container->image = ""; },
       {{"spec.steps[4].container.image", "must not be empty"}}},
      {"no steps", [](PipelineSpec& p) { p.steps.clear(); },
       {{"spec.steps", "Required value: a pipeline needs at least one step"}}},
  });
}

TEST(Validation, ParameterDefaults) {
  runCases({
      {"integer default not integer", [](PipelineSpec& p) { p.parameters[1].defaultValue = "12.5"; },
       {{"spec.parameters[1].default", "Invalid value: \"12.5\": must be an Integer, got \"12.5\""}}},
      {"float default not float", [](PipelineSpec& p) { p.parameters[2].defaultValue = "fast"; },
       {{"spec.parameters[2].default", "Invalid value: \"fast\": must be a Float, got \"fast\""}}},
      {"boolean default capitalised", [](PipelineSpec& p) { p.parameters[4].defaultValue = "True"; },
       {{"spec.parameters[4].default", "Invalid value: \"True\": must be true or false, got \"True\""}}},
      {"string default anything", [](PipelineSpec& p) { p.parameters[0].defaultValue = ""; }, {}},
      {"no default is fine", [](PipelineSpec& p) { p.parameters[1].defaultValue.reset(); }, {}},
  });
}

TEST(Validation, ParameterValues) {
  struct Row {
    ParamType type;
    std::string value;
    bool ok;
  };
  const std::vector<Row> rows = {
      {ParamType::Integer, "120", true},        {ParamType::Integer, "-3", true},
      {ParamType::Integer, "+7", true},         {ParamType::Integer, "", false},
      {ParamType::Integer, "1e3", false},       {ParamType::Integer, " 1", false},
      {ParamType::Integer, "99999999999999999999", false},
      {ParamType::Float, "0.25", true},         {ParamType::Float, "6", true},
      {ParamType::Float, "-1.5e-3", true},      {ParamType::Float, ".5", true},
      {ParamType::Float, "5.", true},           {ParamType::Float, "nan", false},
      {ParamType::Float, "inf", false},         {ParamType::Float, "1e999", false},
      {ParamType::Float, "0x10", false},        {ParamType::Float, "1e", false},
      {ParamType::Float, ".", false},           {ParamType::Float, "1.2.3", false},
      {ParamType::Boolean, "true", true},       {ParamType::Boolean, "false", true},
      {ParamType::Boolean, "yes", false},       {ParamType::Boolean, "1", false},
      {ParamType::String, "", true},            {ParamType::String, "any $(thing)", true},
  };
  for (const auto& r : rows) {
    auto err = validateParameterValue(r.type, r.value);
    EXPECT_EQ(!err.has_value(), r.ok) << toString(r.type) << " " << r.value << (err ? ": " + *err : "");
  }
  EXPECT_EQ(validateParameterValue(ParamType::Integer, "x"), "must be an Integer, got \"x\"");
}

TEST(Validation, References) {
  runCases({
      {"unknown parameter in args", [](PipelineSpec& p) { p.steps[Train].container->args[1] = "$(params.Rounds)"; },
       {{"spec.steps[1].container.args[1]", "unknown parameter \"Rounds\""}}},
      {"unknown step in input",
       [](PipelineSpec& p) { p.steps[Train].inputs[0].from = "$(steps.Prep.outputs.train)"; },
       {{"spec.steps[1].inputs[0].from", "unknown step \"Prep\""}}},
      {"unknown output",
       [](PipelineSpec& p) { p.steps[Register].container->args[0] = "$(steps.Train.outputs.weights)"; },
       {{"spec.steps[4].container.args[0]", "step \"Train\" has no output \"weights\""}}},
      {"unknown property in condition",
       [](PipelineSpec& p) { p.steps[MSECheck].condition->conditions[0].left = "$(steps.Evaluate.properties.rmse)"; },
       {{"spec.steps[3].condition.conditions[0].left", "step \"Evaluate\" has no property \"rmse\""}}},
      {"unknown property in fail message",
       [](PipelineSpec& p) { p.steps[FailNotify].fail->message = "$(steps.Train.properties.mse)"; },
       {{"spec.steps[5].fail.message", "step \"Train\" has no property \"mse\""}}},
      {"unknown parameter in env",
       [](PipelineSpec& p) { p.steps[Register].container->env = {{"X", "$(params.Nope)"}}; },
       {{"spec.steps[4].container.env[0].value", "unknown parameter \"Nope\""}}},
      {"expression syntax error with position",
       [](PipelineSpec& p) { p.steps[Train].container->args[3] = "--eta=$(params.XGBETA"; },
       {{"spec.steps[1].container.args[3]", "invalid expression at position 6: unterminated expression (missing \")\")"}}},
      {"unknown root",
       [](PipelineSpec& p) { p.steps[Register].container->command = {"$(param.X)"}; },
       {{"spec.steps[4].container.command[0]",
         "invalid expression at position 2: unknown root \"param\" (expected params, steps, execution or pipeline)"}}},
      {"unknown dependsOn", [](PipelineSpec& p) { p.steps[Register].dependsOn = {"Evaluate", "Deploy"}; },
       {{"spec.steps[4].dependsOn[1]", "unknown step \"Deploy\""}}},
      {"input from a plain path",
       [](PipelineSpec& p) { p.steps[Train].inputs[0].from = "/data/train"; },
       {{"spec.steps[1].inputs[0].from",
         "Invalid value: \"/data/train\": must be an expression such as $(steps.STEP.outputs.NAME) or an s3:// URI"}}},
      {"input from literal s3 URI is fine",
       [](PipelineSpec& p) { p.steps[Train].inputs[0].from = "s3://datasets/train/"; }, {}},
      {"execution and pipeline references are fine",
       [](PipelineSpec& p) {
         p.steps[Register].container->args.push_back("$(execution.name)/$(execution.uid)/$(pipeline.name)");
       },
       {}},
      {"escaped expression is literal", [](PipelineSpec& p) { p.steps[Register].container->args.push_back("$$(nope)"); },
       {}},
      {"outputs used without artifactStore", [](PipelineSpec& p) { p.artifactStore.reset(); },
       {{"spec.artifactStore",
         "Required value: outputs are used (steps \"Preprocess\", \"Train\", \"Evaluate\", \"Register\") but no "
         "artifactStore is set"}}},
      {"no outputs, no store needed",
       [](PipelineSpec& p) {
         p.artifactStore.reset();
         p.steps = {container("Only", {"$(params.InputData)"})};
       },
       {}},
      {"several problems all reported",
       [](PipelineSpec& p) {
         p.steps[Train].container->args[1] = "$(params.A)";
         p.steps[Train].container->args[3] = "$(params.B)";
         p.steps[Register].dependsOn = {"C"};
       },
       {{"spec.steps[1].container.args[1]", "unknown parameter \"A\""},
        {"spec.steps[1].container.args[3]", "unknown parameter \"B\""},
        {"spec.steps[4].dependsOn[0]", "unknown step \"C\""}}},
  });
}

TEST(Validation, Cycles) {
  runCases({
      {"two-step cycle through dependsOn", [](PipelineSpec& p) { p.steps[Preprocess].dependsOn = {"Train"}; },
       {{"spec.steps[0]", "dependency cycle: Preprocess -> Train -> Preprocess"}}},
      {"longer cycle through a reference",
       [](PipelineSpec& p) { p.steps[Preprocess].container->args.push_back("$(steps.Evaluate.properties.mse)"); },
       {{"spec.steps[0]", "dependency cycle: Preprocess -> Evaluate -> Preprocess"}}},
      {"self dependency", [](PipelineSpec& p) { p.steps[Register].dependsOn = {"Register"}; },
       {{"spec.steps[4]", "dependency cycle: Register -> Register"}}},
      {"cycle through a condition branch", [](PipelineSpec& p) { p.steps[MSECheck].condition->ifSteps = {"Train"}; },
       {{"spec.steps[1]", "dependency cycle: Train -> Evaluate -> MSECheck -> Train"}}},
  });
}

TEST(Validation, ConditionBranches) {
  runCases({
      {"step in both branches", [](PipelineSpec& p) { p.steps[MSECheck].condition->elseSteps.push_back("Register"); },
       {{"spec.steps[3].condition.elseSteps[1]", "step \"Register\" is in both ifSteps and elseSteps"}}},
      {"step in branches of two conditions",
       [](PipelineSpec& p) {
         StepSpec second;
         second.name = "ApproveCheck";
         second.kind = StepKind::Condition;
         second.condition = ConditionStep{{compare(ConditionType::Equals, "$(params.Approve)", "true")}, {"Register"}, {}};
         p.steps.push_back(second);
       },
       {{"spec.steps[6].condition.ifSteps[0]", "step \"Register\" is already in a branch of condition \"MSECheck\""}}},
      {"unknown branch step", [](PipelineSpec& p) { p.steps[MSECheck].condition->ifSteps = {"Deploy"}; },
       {{"spec.steps[3].condition.ifSteps[0]", "unknown step \"Deploy\""}}},
      {"condition branches to itself", [](PipelineSpec& p) { p.steps[MSECheck].condition->elseSteps = {"MSECheck"}; },
       {{"spec.steps[3].condition.elseSteps[0]", "a condition cannot list itself in a branch"},
        {"spec.steps[3]", "dependency cycle: MSECheck -> MSECheck"}}},
  });
}

TEST(Validation, ConditionShape) {
  auto setCondition = [](Condition c) {
    return [c](PipelineSpec& p) { p.steps[MSECheck].condition->conditions = {c}; };
  };
  Condition in;
  in.type = ConditionType::In;
  in.value = "$(params.Approve)";
  Condition notEmpty;
  notEmpty.type = ConditionType::Not;
  Condition notTwo = notEmpty;
  notTwo.children = {compare(ConditionType::Equals, "a", "b"), compare(ConditionType::Equals, "c", "d")};
  Condition orEmpty;
  orEmpty.type = ConditionType::Or;
  Condition orWithBadIn = orEmpty;
  orWithBadIn.children = {compare(ConditionType::Equals, "a", "b"), in};
  Condition notOk = notEmpty;
  notOk.children = {compare(ConditionType::GreaterThan, "$(params.XGBETA)", "0.1")};
  runCases({
      {"In without values", setCondition(in),
       {{"spec.steps[3].condition.conditions[0].values", "Required value: In needs at least one value"}}},
      {"Not without child", setCondition(notEmpty),
       {{"spec.steps[3].condition.conditions[0].condition", "Required value: Not needs exactly one condition"}}},
      {"Not with two children", setCondition(notTwo),
       {{"spec.steps[3].condition.conditions[0].conditions", "Not takes exactly one condition, got 2"}}},
      {"Or without children", setCondition(orEmpty),
       {{"spec.steps[3].condition.conditions[0].conditions", "Required value: Or needs at least one condition"}}},
      {"nested In inside Or", setCondition(orWithBadIn),
       {{"spec.steps[3].condition.conditions[0].conditions[1].values", "Required value: In needs at least one value"}}},
      {"Not with one child is fine", setCondition(notOk), {}},
      {"no conditions", [](PipelineSpec& p) { p.steps[MSECheck].condition->conditions.clear(); },
       {{"spec.steps[3].condition.conditions", "Required value: at least one condition"}}},
  });
}

TEST(Validation, StepSettings) {
  runCases({
      {"maxAttempts 0", [](PipelineSpec& p) { p.steps[Train].retry->maxAttempts = 0; },
       {{"spec.steps[1].retry.maxAttempts", "Invalid value: 0: must be between 1 and 20"}}},
      {"maxAttempts 21", [](PipelineSpec& p) { p.steps[Train].retry->maxAttempts = 21; },
       {{"spec.steps[1].retry.maxAttempts", "Invalid value: 21: must be between 1 and 20"}}},
      {"maxAttempts 20 is fine", [](PipelineSpec& p) { p.steps[Train].retry->maxAttempts = 20; }, {}},
      {"defaults maxAttempts", [](PipelineSpec& p) { p.defaults.retry.maxAttempts = 50; },
       {{"spec.defaults.retry.maxAttempts", "Invalid value: 50: must be between 1 and 20"}}},
      {"bad timeout", [](PipelineSpec& p) { p.steps[Train].timeout = "2 hours"; },
       {{"spec.steps[1].timeout", "Invalid value: \"2 hours\": unknown unit \" hours\" (use h, m, s or ms)"}}},
      {"zero timeout", [](PipelineSpec& p) { p.steps[Train].timeout = "0s"; },
       {{"spec.steps[1].timeout", "Invalid value: \"0s\": must be longer than zero"}}},
      {"bad expireAfter", [](PipelineSpec& p) { p.steps[Train].cache->expireAfter = "30 days"; },
       {{"spec.steps[1].cache.expireAfter",
         "Invalid value: \"30 days\": must start with \"P\" (ISO-8601, e.g. P30D or PT12H)"}}},
      {"defaults expireAfter in years", [](PipelineSpec& p) { p.defaults.cache.expireAfter = "P1Y"; },
       {{"spec.defaults.cache.expireAfter",
         "Invalid value: \"P1Y\": years and months are not supported (their length varies); use days, e.g. P30D"}}},
      {"negative gpu", [](PipelineSpec& p) { p.steps[Train].resources.gpu = -1; },
       {{"spec.steps[1].resources.gpu", "Invalid value: -1: must be >= 0"}}},
      {"negative maxParallelSteps", [](PipelineSpec& p) { p.maxParallelSteps = -2; },
       {{"spec.maxParallelSteps", "Invalid value: -2: must be >= 0 (0 means unlimited)"}}},
      {"outputs on a fail step", [](PipelineSpec& p) { p.steps[FailNotify].outputs = {{"o", "/o"}}; },
       {{"spec.steps[5].outputs", "only container steps have outputs"}}},
      {"store without bucket", [](PipelineSpec& p) { p.artifactStore->s3->bucket = ""; },
       {{"spec.artifactStore.s3.bucket", "Required value"}}},
  });
}

TEST(Validation, PathPrefixForSnapshots) {
  PipelineSpec p = abalone();
  p.steps[Register].dependsOn = {"Nope"};
  EXPECT_EQ(validatePipeline(p, "status.pipelineSpec"),
            (FieldErrors{{"status.pipelineSpec.steps[4].dependsOn[0]", "unknown step \"Nope\""}}));
}

// A fan-out of n steps: Start -> W0..W(n-3) -> End.
PipelineSpec fanOut(size_t n) {
  PipelineSpec p;
  p.steps.push_back(container("Start"));
  StepSpec end = container("End");
  for (size_t i = 0; i + 2 < n; ++i) {
    StepSpec w = container("W" + std::to_string(i));
    w.dependsOn = {"Start"};
    end.dependsOn.push_back(w.name);
    p.steps.push_back(w);
  }
  p.steps.push_back(end);
  return p;
}

TEST(Validation, StepCountLimit) {
  EXPECT_EQ(validatePipeline(fanOut(kMaxSteps)), FieldErrors{});
  EXPECT_EQ(validatePipeline(fanOut(kMaxSteps + 1)),
            (FieldErrors{{"spec.steps", std::to_string(kMaxSteps + 1) + " steps; Sluice supports at most " +
                                            std::to_string(kMaxSteps) +
                                            " (an execution records every step in its status, which must stay "
                                            "below etcd's 1.5 MiB object limit): split the pipeline"}}));
}

}  // namespace
}  // namespace sluice::pipeline
