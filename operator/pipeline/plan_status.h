// Status bookkeeping shared by the planner's stages: kstatus-compatible
// conditions on the execution, and the events that describe the difference
// between the status before and after a plan.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model.h"
#include "plan_time.h"
#include "plan_types.h"

namespace sluice::pipeline {

// Reasons of the Succeeded/Ready conditions when an execution is rejected
// before it starts (no Job exists for it).
inline constexpr const char* kReasonInvalidSpec = "InvalidSpec";  // the execution itself does not parse
inline constexpr const char* kReasonPipelineInvalid = "PipelineInvalid";
inline constexpr const char* kReasonInvalidParameters = "InvalidParameters";
inline constexpr const char* kReasonInvalidSelective = "InvalidSelectiveExecution";
inline constexpr const char* kReasonPipelineNotFound = "PipelineNotFound";
inline constexpr const char* kReasonStepFailed = "StepFailed";

// A Pending status for step name.
StepStatus pendingStep(const std::string& name);

// Sets (or updates) a condition; lastTransitionTime moves only when the
// status value changes.
void setCondition(std::vector<StatusCondition>& conditions, const std::string& type, const std::string& status,
                  const std::string& reason, const std::string& message, UnixSeconds now, int64_t generation);
const StatusCondition* findCondition(const std::vector<StatusCondition>& conditions, const std::string& type);

// Moves the execution to phase and sets its conditions to match; terminal
// phases also set endTime (once). reason/message describe why. The
// conditions, by phase (what kstatus and Argo CD read, see
// charts/sluice/argocd-health.md):
//   phase                      Ready  Succeeded Reconciling Stalled
//   Pending, Executing,        False  Unknown   True        False
//     Stopping
//   Succeeded                  True   True      False       False
//   Failed                     False  False     False       True
//   Stopped                    False  False     False       True
// Each carries reason (e.g. Executing, PipelineNotFound, StepFailed,
// PipelineInvalid); message is kept where the condition is True.
void setExecutionPhase(ExecutionStatus& st, ExecutionPhase phase, const std::string& reason,
                       const std::string& message, UnixSeconds now, int64_t generation);

// The Reconciling and Stalled rows of the table above.
void setProgressConditions(std::vector<StatusCondition>& conditions, ExecutionPhase phase, const std::string& reason,
                           const std::string& message, UnixSeconds now, int64_t generation);

// "a.b: message; c: message", for condition messages.
std::string joinFieldErrors(const FieldErrors& errors);

// StepStarted, StepSucceeded, StepReused, CacheHit, StepFailed,
// ExecutionSucceeded, ExecutionFailed, ExecutionStopped, ValidationFailed,
// StaleReuse: one per transition from before to after.
std::vector<PlanEvent> transitionEvents(const ExecutionStatus& before, const ExecutionStatus& after);

// Messages are built from user input (rendered fail messages, every field
// error of a large spec), and an over-long one would make the API server
// refuse the whole status write, forever. So each is cut, on a UTF-8
// boundary and marked, to at most these many bytes.
inline constexpr std::size_t kMaxStatusMessageBytes = 4096;  // failureReason, conditions
inline constexpr std::size_t kMaxStepMessageBytes = 256;     // per step: 500 steps x 256 B = 125 KiB
// (the first failure keeps up to kMaxStatusMessageBytes in failureReason)
void capStatusMessages(ExecutionStatus& st);

// A finished execution acts on nothing more, but its spec may still change
// (stop, maxParallelSteps): record that this generation was seen, in the
// status and its conditions, so kstatus tools take it as current. A
// finished status recorded without Reconciling/Stalled (by an older
// operator) gets them, derived from its Succeeded condition. Returns
// whether anything changed (false: no status write is needed).
bool acknowledgeGeneration(ExecutionStatus& st, int64_t generation, UnixSeconds now);
std::string truncateUtf8(const std::string& text, std::size_t maxBytes);

}  // namespace sluice::pipeline
