#include "status_batching.h"

#include <map>
#include <string>

namespace sluice::pipeline {

namespace {

bool sameConditions(const std::vector<StatusCondition>& a, const std::vector<StatusCondition>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].status != b[i].status || a[i].reason != b[i].reason ||
        a[i].message != b[i].message || a[i].observedGeneration != b[i].observedGeneration)
      return false;
  }
  return true;
}

// A step moving forward as its Job and pods show, or a branch not taken.
bool observedStepChange(const StepStatus* was, const StepStatus& now) {
  const StepPhase from = was ? was->phase : StepPhase::Pending;
  if (now.reusedFromExecution || now.cacheHitExecution) {
    return was && was->phase == now.phase && was->reusedFromExecution == now.reusedFromExecution &&
           was->cacheHitExecution == now.cacheHitExecution;
  }
  if (from == now.phase) return true;  // attempts, start times: read from the Job again
  switch (now.phase) {
    case StepPhase::Starting:
      return from == StepPhase::Pending;
    case StepPhase::Executing:
      return from == StepPhase::Pending || from == StepPhase::Starting;
    case StepPhase::Succeeded:
      // A result with a cache key is one other executions may take as a
      // cache hit: they read it from the stored status, so it is written at once.
      if (!now.cacheKey.empty()) return false;
      return from == StepPhase::Pending || from == StepPhase::Starting || from == StepPhase::Executing;
    case StepPhase::Skipped:
      return from == StepPhase::Pending && now.reason == "ConditionNotMet";
    default:
      return false;  // Failed, Stopping, Stopped: decisions, written at once
  }
}

}  // namespace

bool mayBatchStatusWrite(const ExecutionStatus& written, const ExecutionStatus& planned,
                         const std::vector<PlanEvent>& events) {
  // The start (snapshot, parameters, selection) and every phase change of
  // the execution are written at once; so is a new generation's acknowledgement.
  if (!written.pipelineSpec || !planned.pipelineSpec) return false;
  if (written.phase != ExecutionPhase::Executing || planned.phase != ExecutionPhase::Executing) return false;
  if (written.observedGeneration != planned.observedGeneration) return false;
  if (!written.failureReason.empty() || !planned.failureReason.empty()) return false;
  if (!sameConditions(written.conditions, planned.conditions)) return false;
  for (const auto& e : events)
    if (e.reason != "StepStarted" && e.reason != "StepSucceeded") return false;

  std::map<std::string, const StepStatus*> before;
  for (const auto& s : written.steps) before[s.name] = &s;
  for (const auto& s : planned.steps) {
    const auto it = before.find(s.name);
    if (!observedStepChange(it == before.end() ? nullptr : it->second, s)) return false;
  }
  return true;
}

}  // namespace sluice::pipeline
