// Selective execution (DESIGN.md "Selective execution"), resolved once when
// an execution starts: which execution is the source, which steps run,
// which are reused from the source (and from which real producer), which
// are skipped, and whether reusing is stale. Pure code over plain data.
//
// Every rejection is a message for status.failureReason with the reason
// InvalidSelectiveExecution; nothing here creates anything.
#pragma once

#include <set>
#include <string>
#include <variant>
#include <vector>

#include "dag.h"
#include "model.h"

namespace sluice::pipeline {

struct SelectiveRejection {
  std::string message;
};

// The source: spec.selectiveExecution.sourceExecution when named, else the
// newest (creationTimestamp, then name) Succeeded/Failed/Stopped execution of
// the same Pipeline among others that really started (has a snapshot): one
// rejected or stopped before it started is passed over. A named source that
// is Pending, Executing or Stopping, that belongs to another Pipeline or
// namespace, or that never took a snapshot is rejected. The result points
// into others.
std::variant<const PipelineExecution*, SelectiveRejection> resolveSourceExecution(
    const PipelineExecution& execution, const std::vector<PipelineExecution>& others);

// The selected steps in spec order: selectedSteps as given, fromSteps plus
// everything downstream, or fromFailure: every step that did not succeed in
// the source plus everything downstream. Steps Skipped as ConditionNotMet
// or NotSelected in the source are not roots (they did not fail; they were
// not part of that run), so fromFailure on a source where nothing failed or
// was stopped is rejected, plain or selective alike. Rejects unknown names,
// zero or several of the three forms, and an empty result. sourceName is for
// messages.
std::variant<std::vector<std::string>, SelectiveRejection> expandSelection(const SelectiveExecutionSpec& spec,
                                                                          const Dag& dag,
                                                                          const ExecutionStatus& source,
                                                                          const std::string& sourceName);

// Steps on a path between two selected steps that are not selected, in spec
// order (empty = connected).
std::vector<std::string> missingConnectingSteps(const Dag& dag, const std::vector<std::string>& selected);

// Fields of a step's effective definition that differ between now and
// then, among those that determine what it produces ("container.image",
// "container.args", "inputs", "condition", "cache.cacheVersion", ...).
// Pipeline defaults count where the planner applies them to the step: the
// cacheVersion compared is the effective one (the step's own cache, else
// the defaults' cache), as in the cache key. Retries, resources, timeouts,
// service account and scheduling do not count, own or default.
std::vector<std::string> definitionDifferences(const StepSpec& now, const StepDefaults& nowDefaults,
                                               const StepSpec& then, const StepDefaults& thenDefaults);

// The execution that really produced step's outputs in source, following
// reusedFrom / cacheHit through others (chains of selective executions).
std::string realProducer(const std::string& step, const PipelineExecution& source,
                         const std::vector<PipelineExecution>& others);

struct SelectivePlan {
  ResolvedSelection selection;
  // One status per step of spec, in spec order: selected steps Pending,
  // needed steps Succeeded (reused), the rest Skipped (NotSelected).
  std::vector<StepStatus> steps;
  // Stale reuse allowed by allowStaleReuse: one line per step/parameter/field.
  std::vector<std::string> staleReuse;
};

// Everything above, in order: selection, connectivity, needed steps
// succeeded in the source, reuse, stale-reuse guard. spec is the live
// Pipeline about to be snapshotted; effective the resolved parameters.
std::variant<SelectivePlan, SelectiveRejection> planSelectiveExecution(
    const PipelineSpec& spec, const Dag& dag, const SelectiveExecutionSpec& selective,
    const PipelineExecution& source, const std::vector<PipelineExecution>& others,
    const std::vector<ResolvedParameter>& effective);

}  // namespace sluice::pipeline
