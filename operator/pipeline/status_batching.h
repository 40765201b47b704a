// Which status changes may wait to be written together with later ones.
//
// Writing an execution's status is the most expensive request the operator
// makes (the API server validates the whole object, tracks its managed
// fields and stores it), and a linear pipeline of short steps would write it
// once or twice per step. Like the Job controller's one-second sync batch,
// the controller may hold a change in memory and write it with the next one,
// but only a change the planner would make again, the same way, from the
// Jobs and pods if the operator died before writing it: a step's Job
// starting, its pods running and succeeding (their termination messages
// stay on the pods), a condition step's outcome and the branch it skips.
// Anything that decides rather than observes (the start and its snapshot, a
// cache hit, a failure, a stop, a timeout, the end) is written at once, and
// so is a step's success that other executions may take as a cache hit.
#pragma once

#include <vector>

#include "model.h"
#include "plan_types.h"

namespace sluice::pipeline {

// written: the status as stored on the server; planned: the planner's new
// status (possibly several transitions later); events: the transitions of
// this plan only (its Events were posted already).
bool mayBatchStatusWrite(const ExecutionStatus& written, const ExecutionStatus& planned,
                         const std::vector<PlanEvent>& events);

}  // namespace sluice::pipeline
