// Reduces what the informers cached (Jobs and Pods as JSON) to the plain
// data the planner reads (pipeline/plan_types.h). Pure: no I/O.
//
// A step's result comes from its pod, not from the Job controller's batched
// condition: a pod in phase Succeeded or Failed ends the step at once, and
// the main container's termination message (JSON written by sluice-runner)
// carries its outputs and properties. A Succeeded pod whose message is
// missing, oversized or not the runner's JSON is reported with an
// errorReason, which the planner turns into a step failure with that reason.
#pragma once

#include <cpprest/json.h>

#include <string>
#include <vector>

#include "pipeline/plan_types.h"

namespace sluice::controller {

// The name of the step's main container in the Job manifest.
inline constexpr const char* kMainContainerName = "main";
// Kubernetes keeps at most this many bytes of a termination message.
inline constexpr size_t kMaxTerminationMessageBytes = 4096;

// Decodes a sluice-runner termination message into pod's outputs,
// properties and errorReason. Returns false (with errorReason set) when the
// message is empty, too large or malformed.
bool decodeTerminationMessage(const std::string& message, pipeline::ObservedPod& pod);

// One pod, as JSON, to ObservedPod. expectRunnerMessage is false for steps
// that run without sluice-runner (Job annotation sluice.dev/runner=none):
// they report no outputs, so an empty message is fine.
pipeline::ObservedPod observePod(const web::json::value& pod, bool expectRunnerMessage = true);

// Jobs (JSON) plus all pods of this execution (JSON) to ObservedJobs: each
// pod is attached to the Job named by its "job-name" label (or its
// controller owner reference). Jobs without a sluice.dev/step annotation or
// label are ignored (not ours).
std::vector<pipeline::ObservedJob> observeJobs(const std::vector<web::json::value>& jobs,
                                               const std::vector<web::json::value>& pods);

}  // namespace sluice::controller
