// The planner: one pure function from what the controller observed to what
// it should do (DESIGN.md "Architecture": observe -> plan -> apply).
//
// plan() reads nothing but its input and returns:
//   - Jobs to create (complete manifests with deterministic names; a step
//     whose Job was observed is never in this list, and re-listing a Job the
//     cache has not shown yet is harmless: AlreadyExists means adopt),
//   - Jobs to delete (on stop),
//   - the new status (the controller writes it only when it differs),
//   - events for the transitions between the old and the new status.
// It is level-based: the same input gives the same output, so the
// controller may call it as often as it likes. It never throws on bad user
// input; problems end up in the status.
//
// What it covers, in order: start (validation, source resolution,
// parameters, selective plan, snapshot) -> observe Jobs/Pods -> stop ->
// schedule (readiness, branch skipping, conditions, fail steps, cache hits,
// maxParallelSteps) -> completion.
//
// status.steps[].reason, for a step that did not simply succeed:
//   Skipped:   NotSelected, ConditionNotMet, ExecutionFailed, Stopped
//   Succeeded: Reused, CacheHit
//   Failed:    PodFailed, BackoffLimitExceeded, DeadlineExceeded (the Job's
//              condition reason), InvalidResult (unreadable result or a
//              missing property), JobDeleted, ConditionError, FailStep,
//              RenderError, InvalidJobSpec
//   Stopped:   Stopped
// The execution's Succeeded/Ready/Stalled condition reason on failure is StepFailed,
// InvalidSpec, PipelineInvalid, InvalidParameters or
// InvalidSelectiveExecution (the last four before any Job exists), and
// PipelineNotFound while Pending.
#pragma once

#include "plan_types.h"

namespace sluice::pipeline {

PlanOutput plan(const PlanInput& input);


}  // namespace sluice::pipeline
