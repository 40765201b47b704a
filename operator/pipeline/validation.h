// Semantic validation of a pipeline: every problem as a FieldError (path,
// message), the way Kubernetes reports them, so a user fixes them all in one
// round. Structural problems (wrong JSON types, missing required fields) are
// model_json.h's job; this checks what a well-formed spec can still get
// wrong. Pure, never throws on bad input.
//
// Paths start at pathPrefix ("spec" for a Pipeline, "status.pipelineSpec"
// for a snapshot), e.g. "spec.steps[2].container.args[1]".
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "model.h"

namespace sluice::pipeline {

// The most steps a pipeline may have. Every step has an entry in a
// PipelineExecution's status, next to the pipeline snapshot, and the whole
// object must stay below etcd's 1.5 MiB. At 500 steps with every name at its
// longest, an execution is 0.93 MB when all steps failed and 1.41 MB when
// all were cache hits with an output and a property each; with short step
// names 0.77 MB (test_status_size; README.md "Limits"). The CRD's
// spec.steps maxItems says the same at apply time; its CEL cost estimate
// still passes at 1000 and fails at 2000.
inline constexpr std::size_t kMaxSteps = 500;

// Rules: step and parameter names (pattern, duplicates); parameter defaults
// against their type; references in $(...) and dependsOn to unknown steps,
// parameters, outputs and properties, and expression syntax (with position);
// input sources; dependency cycles ("dependency cycle: A -> B -> A");
// condition branches (unknown steps, a step in both branches, a step in
// branches of two conditions) and condition shape (In needs values, Not
// exactly one condition, Or at least one); outputs without artifactStore;
// retry.maxAttempts in 1..20; timeout, cache.expireAfter; gpu >= 0;
// maxParallelSteps >= 0; at most kMaxSteps steps.
FieldErrors validatePipeline(const PipelineSpec& spec, const std::string& pathPrefix = "spec");

// nullopt when value is valid for type, else a message such as
// "must be an Integer, got \"abc\"". Integer: optional sign and digits
// (64-bit); Float: decimal or exponent notation, finite; Boolean: exactly
// "true" or "false"; String: anything.
std::optional<std::string> validateParameterValue(ParamType type, const std::string& value);

// True when name is 1-64 characters of [A-Za-z0-9_-] (steps, parameters,
// outputs, properties: they appear in $(...), Job names and S3 keys).
bool isValidName(const std::string& name);

}  // namespace sluice::pipeline
