// Start of an execution (see plan.h): validation, source, parameters,
// selective plan and snapshot, in that order.
#pragma once

#include <string>

#include "plan_types.h"

namespace sluice::pipeline {

// Requires input.pipeline. On success fills st (snapshot, parameters,
// selection, initial step statuses, phase Executing) and returns true. On a
// rejection st ends Failed (PipelineInvalid / InvalidParameters /
// InvalidSelectiveExecution) and it returns false.
bool startExecution(const PlanInput& input, ExecutionStatus& st);

// Ends st Failed with reason and message before any Job exists (startTime is
// set if missing, so the execution shows when it was judged).
void rejectBeforeStart(ExecutionStatus& st, const char* reason, const std::string& message, const PlanInput& input);

}  // namespace sluice::pipeline
