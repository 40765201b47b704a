// Typed model of the sluice.dev/v1alpha1 resources (see shared DESIGN.md).
//
// Plain data only: no I/O, no JSON library types in the structs, so the
// planner and validator are pure functions over these values. Parsing from
// the resources' JSON lives in model_json.h; structural problems found while
// parsing are reported as FieldErrors, never thrown past the parser.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::pipeline {

// A problem at a field path, the way Kubernetes reports field errors:
// path "spec.steps[2].container.args[1]", message "unknown parameter \"X\"".
struct FieldError {
  std::string path;
  std::string message;
  bool operator==(const FieldError& o) const { return path == o.path && message == o.message; }
};
using FieldErrors = std::vector<FieldError>;

enum class ParamType { String, Integer, Float, Boolean };

struct ParameterSpec {
  std::string name;
  ParamType type = ParamType::String;
  std::optional<std::string> defaultValue;  // values are strings, checked against type
  std::string description;
};

struct SecretRef {
  std::string name;
  std::string accessKeyIdKey = "AWS_ACCESS_KEY_ID";
  std::string secretAccessKeyKey = "AWS_SECRET_ACCESS_KEY";
};

struct S3Store {
  std::string endpoint;  // empty = AWS default for the region
  std::string bucket;
  std::string prefix;
  std::string region = "us-east-1";
  bool forcePathStyle = true;
  std::optional<SecretRef> credentialsSecret;
};

struct ArtifactStore {
  std::optional<S3Store> s3;
};

struct CacheSpec {
  bool enabled = false;
  std::optional<std::string> expireAfter;  // ISO-8601 duration, e.g. P30D, PT12H
  std::optional<std::string> cacheVersion;
};

struct RetrySpec {
  int maxAttempts = 1;  // 1..20, maps to Job backoffLimit = maxAttempts - 1
};

struct EnvVar {
  std::string name;
  std::string value;  // may contain $(...) expressions
};

struct ContainerSpec {
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<EnvVar> env;
  std::string workingDir;
  std::string imagePullPolicy;
};

struct InputSpec {
  std::string name;
  std::string from;  // expression $(steps.S.outputs.O) / $(params.P), or literal s3:// URI
  std::string path;  // where the step reads it
};

struct OutputSpec {
  std::string name;
  std::string path;  // where the step writes it
};

struct PropertySpec {
  std::string name;
  std::string file;      // JSON file the step writes
  std::string jsonPath;  // dotted path, e.g. regression_metrics.mse.value
};

struct Resources {
  std::string cpu;
  std::string memory;
  int gpu = 0;
  std::string ephemeralStorage;
};

// Passed through to the pod spec untouched (already JSON text, kept opaque).
struct PodPassThrough {
  std::map<std::string, std::string> nodeSelector;
  std::string tolerationsJson;  // JSON array text, "" when absent
  std::string affinityJson;     // JSON object text, "" when absent
};

// Condition expressions. Comparison types use left/right; In uses
// value/values; Not uses the single child; Or uses children.
enum class ConditionType {
  Equals,
  NotEquals,
  GreaterThan,
  GreaterThanOrEqualTo,
  LessThan,
  LessThanOrEqualTo,
  In,
  Not,
  Or
};

struct Condition {
  ConditionType type = ConditionType::Equals;
  std::string left, right;          // comparisons
  std::string value;                // In
  std::vector<std::string> values;  // In
  std::vector<Condition> children;  // Not (exactly one) / Or (one or more)
};

struct ConditionStep {
  std::vector<Condition> conditions;  // AND-ed
  std::vector<std::string> ifSteps;
  std::vector<std::string> elseSteps;
};

struct FailStep {
  std::string message;  // may contain $(...) expressions
};

enum class StepKind { Container, Condition, Fail };

struct StepSpec {
  std::string name;
  StepKind kind = StepKind::Container;
  std::optional<ContainerSpec> container;
  std::optional<ConditionStep> condition;
  std::optional<FailStep> fail;
  std::vector<std::string> dependsOn;
  std::vector<InputSpec> inputs;
  std::vector<OutputSpec> outputs;
  std::vector<PropertySpec> properties;
  Resources resources;
  PodPassThrough pod;
  std::optional<CacheSpec> cache;  // absent = pipeline defaults
  std::optional<RetrySpec> retry;  // absent = pipeline defaults
  std::optional<std::string> timeout;  // Go-style duration "2h", "30m", "90s"
  std::optional<std::string> serviceAccountName;
};

struct StepDefaults {
  std::string serviceAccountName;
  CacheSpec cache;
  RetrySpec retry;
};

struct PipelineSpec {
  std::string description;
  std::vector<ParameterSpec> parameters;
  std::optional<ArtifactStore> artifactStore;
  int maxParallelSteps = 0;  // 0 = unlimited
  StepDefaults defaults;
  std::vector<StepSpec> steps;
};

struct ObjectMeta {
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string resourceVersion;
  int64_t generation = 0;
  std::string creationTimestamp;  // RFC 3339
  std::map<std::string, std::string> labels;
};

struct Pipeline {
  ObjectMeta metadata;
  PipelineSpec spec;
};

// ---- PipelineExecution ----

struct ParameterValue {
  std::string name;
  std::string value;
};

struct SelectiveExecutionSpec {
  std::optional<std::string> sourceExecution;  // absent = newest terminal execution
  std::vector<std::string> selectedSteps;
  std::vector<std::string> fromSteps;
  bool fromFailure = false;
  bool allowStaleReuse = false;
};

struct ExecutionSpec {
  std::string pipelineRef;  // spec.pipelineRef.name
  std::vector<ParameterValue> parameters;
  std::optional<SelectiveExecutionSpec> selectiveExecution;
  std::optional<int> maxParallelSteps;
  bool stop = false;
};

enum class ExecutionPhase { Pending, Executing, Stopping, Stopped, Failed, Succeeded };
enum class StepPhase { Pending, Starting, Executing, Stopping, Stopped, Failed, Succeeded, Skipped };
enum class ParameterSource { Override, Reference, Default };

struct ResolvedParameter {
  std::string name;
  std::string value;
  ParameterSource source = ParameterSource::Default;
};

struct OutputStatus {
  std::string name;
  std::string uri;
  std::optional<int64_t> size;
  std::string sha256;
};

struct PropertyStatus {
  std::string name;
  std::string value;
};

struct StepStatus {
  std::string name;
  StepPhase phase = StepPhase::Pending;
  std::string reason;   // NotSelected, ConditionNotMet, ...
  std::string message;  // human-readable detail
  std::optional<std::string> startTime, endTime;  // RFC 3339
  int attemptCount = 0;
  std::string jobName;
  std::optional<std::string> reusedFromExecution;  // reusedFrom.execution
  std::optional<std::string> cacheHitExecution;    // cacheHit.execution
  std::vector<OutputStatus> outputs;
  std::vector<PropertyStatus> properties;
  std::string cacheKey;
  std::optional<std::string> conditionOutcome;  // "True" / "False" for condition steps
  // Effective parameter values this step consumed when it ran; the stale-reuse
  // guard compares them with the new execution's values.
  std::vector<ParameterValue> consumedParameters;
};

// kstatus-compatible condition.
struct StatusCondition {
  std::string type;    // Ready, Succeeded, StaleReuse
  std::string status;  // "True" / "False" / "Unknown"
  std::string reason;
  std::string message;
  std::string lastTransitionTime;
  int64_t observedGeneration = 0;
};

struct ResolvedSelection {
  std::string sourceExecution;
  std::vector<std::string> selectedSteps;  // the resolved list
};

struct ExecutionStatus {
  int64_t observedGeneration = 0;
  ExecutionPhase phase = ExecutionPhase::Pending;
  std::vector<StatusCondition> conditions;
  std::optional<std::string> startTime, endTime;
  std::string failureReason;
  int64_t pipelineGeneration = 0;
  std::optional<PipelineSpec> pipelineSpec;  // snapshot taken at start
  std::vector<ResolvedParameter> parameters;
  std::optional<ResolvedSelection> selectiveExecution;
  std::vector<StepStatus> steps;
};

// "3/6": steps done (Succeeded or Skipped) over all steps. Written to
// status.progress for the printer column; derived, never read back.
std::string progressOf(const ExecutionStatus& status);

struct PipelineExecution {
  ObjectMeta metadata;
  ExecutionSpec spec;
  ExecutionStatus status;
};

// Names used on the wire ("Succeeded", "LessThanOrEqualTo", ...).
const char* toString(ParamType);
const char* toString(ConditionType);
const char* toString(ExecutionPhase);
const char* toString(StepPhase);
const char* toString(ParameterSource);
std::optional<ParamType> paramTypeFromString(const std::string&);
std::optional<ConditionType> conditionTypeFromString(const std::string&);
std::optional<ExecutionPhase> executionPhaseFromString(const std::string&);
std::optional<StepPhase> stepPhaseFromString(const std::string&);
std::optional<ParameterSource> parameterSourceFromString(const std::string&);

inline bool isTerminal(ExecutionPhase p) {
  return p == ExecutionPhase::Succeeded || p == ExecutionPhase::Failed || p == ExecutionPhase::Stopped;
}
inline bool isTerminal(StepPhase p) {
  return p == StepPhase::Succeeded || p == StepPhase::Failed || p == StepPhase::Stopped ||
         p == StepPhase::Skipped;
}

}  // namespace sluice::pipeline
