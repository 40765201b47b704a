// Which parameters a step reads, and with which values: the record
// (status.steps[].consumedParameters) the stale-reuse guard compares later.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "model.h"

namespace sluice::pipeline {

// Names of every $(params.X) in the step's expression-bearing fields.
// Fields that do not parse contribute nothing (the validator reports them).
std::set<std::string> referencedParameters(const StepSpec& step);

// The referenced parameters with their effective values, in the order of
// effective (i.e. the Pipeline's declaration order).
std::vector<ParameterValue> consumedParameters(const StepSpec& step, const std::vector<ResolvedParameter>& effective);

}  // namespace sluice::pipeline
