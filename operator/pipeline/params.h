// Effective parameters of an execution (DESIGN.md "Selective execution",
// Parameters): an explicit value wins; else the source execution's effective
// value (selective executions only); else the Pipeline default. Each value
// records its source and is checked against the declared type.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model.h"

namespace sluice::pipeline {

// Every problem, joined into one message for the InvalidParameters reason.
struct ParameterError {
  std::vector<std::string> problems;
  std::string message() const;
};

// declared: the pipeline's parameters; overrides: spec.parameters;
// sourceParameters: the source execution's status.parameters, or nullptr
// when the execution is not selective. Problems: unknown override name,
// duplicate override, value not matching the type (validation.h's
// validateParameterValue), no value at all.
std::variant<std::vector<ResolvedParameter>, ParameterError> resolveParameters(
    const std::vector<ParameterSpec>& declared, const std::vector<ParameterValue>& overrides,
    const std::vector<ResolvedParameter>* sourceParameters);

}  // namespace sluice::pipeline
