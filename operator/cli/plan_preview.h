// `kubectl sluice plan` (and `start --dry-run`): what a new execution would
// do, judged by the operator's own planner. The input is built exactly as
// ExecutionReconciler::reconcile builds it for an execution that has not
// started (the live Pipeline, every other execution of that Pipeline in the
// namespace as source candidates, their cache index, now), and
// pipeline::plan() - the very function the operator calls - is run once on
// it. Nothing here decides a step's fate: it only reads the status plan()
// returns. Pure.
//
// The JSON form (-o json) is a stable contract for the Python SDK and the
// web view; README.md "Plan JSON" documents it. formatVersion changes only
// when a field changes meaning or goes away.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <cpprest/json.h>

#include "pipeline/plan_types.h"

namespace sluice::cli {

inline constexpr int kPlanFormatVersion = 1;

// The planner's input for a not-yet-created execution, from what the CLI
// read: the execution resource `start` would create, the live Pipeline
// (nullptr: not found) and every execution in the namespace.
pipeline::PlanInput buildPlanInput(const web::json::value& newExecution, const web::json::value* livePipeline,
                                   const std::vector<web::json::value>& executionsInNamespace,
                                   pipeline::UnixSeconds now);

struct BranchGuard {
  std::string condition;  // a condition step not yet evaluated
  std::string branch;     // "if" or "else": the step runs only if it is taken
};

struct StepPreview {
  std::string name;
  std::string kind;    // Container, Condition, Fail
  std::string action;  // run, reuse, cacheHit, skip, fail
  bool startsImmediately = false;          // run: its Job is created (or it is evaluated) at once
  std::vector<std::string> waitsFor;       // run: dependencies that must succeed first
  std::vector<BranchGuard> onBranchOf;     // run: conditions that may still skip it
  std::string producer;                    // reuse/cacheHit: the execution that produced the outputs
  std::string reason, message;             // as the operator writes them to status.steps[]
  std::optional<std::string> conditionOutcome;
  std::vector<pipeline::OutputStatus> outputs;  // reuse/cacheHit: the linked URIs
};

struct PlanPreview {
  std::string pipeline, namespace_;
  bool accepted = false;
  std::string phase;    // the execution's phase after the first reconcile
  std::string reason;   // the Succeeded condition's reason (InvalidSelectiveExecution, ...)
  std::string message;  // status.failureReason, or the condition message
  std::vector<std::string> warnings;  // e.g. "StaleReuse: reused despite allowStaleReuse: ..."
  std::optional<std::string> sourceExecution;
  std::optional<std::vector<std::string>> selectedSteps;  // the resolved selection
  std::vector<pipeline::ResolvedParameter> parameters;
  std::vector<StepPreview> steps;  // DAG (topological) order; empty when refused
};

// Runs pipeline::plan(input) and reads its result.
PlanPreview previewPlan(const pipeline::PlanInput& input);

web::json::value toJson(const PlanPreview& preview);
// The human form: verdict, source/selection, one line per step, parameters.
std::string renderPlan(const PlanPreview& preview);

}  // namespace sluice::cli
