// The model to and from the resources' JSON (cpprestsdk web::json::value),
// with the wire names of DESIGN.md.
//
// Parsing never throws on bad input: every structural problem (wrong type,
// missing required field, not exactly one of container/condition/fail) is a
// FieldError with its full path, e.g. "spec.steps[2].container.image:
// Required value", and the value holds whatever could be read. Semantic
// rules (references, cycles, types of defaults, ...) are validation.h's job.
//
// Writing omits empty/absent fields, so parse(toJson(x)) == x for every
// model value: the pipelineSpec snapshot and the status round-trip exactly.
#pragma once

#include <string>

#include <cpprest/json.h>

#include "model.h"

namespace sluice::pipeline {

template <typename T>
struct ParseResult {
  T value;
  FieldErrors errors;
  bool ok() const { return errors.empty(); }
};

// Whole resources: metadata, spec and (for executions) status.
ParseResult<Pipeline> parsePipeline(const web::json::value& resource);
ParseResult<PipelineExecution> parsePipelineExecution(const web::json::value& resource);

// Parts; path is where the value sits in its resource (prefix of error paths).
ParseResult<ObjectMeta> parseObjectMeta(const web::json::value& metadata, const std::string& path = "metadata");
ParseResult<PipelineSpec> parsePipelineSpec(const web::json::value& spec, const std::string& path = "spec");
ParseResult<StepSpec> parseStepSpec(const web::json::value& step, const std::string& path);
ParseResult<ExecutionSpec> parseExecutionSpec(const web::json::value& spec, const std::string& path = "spec");
ParseResult<ExecutionStatus> parseExecutionStatus(const web::json::value& status,
                                                  const std::string& path = "status");

web::json::value toJson(const PipelineSpec& spec);
// One step alone: the planner compares steps of two snapshots with it.
web::json::value toJson(const StepSpec& step);
web::json::value toJson(const ExecutionSpec& spec);
web::json::value toJson(const ExecutionStatus& status);

}  // namespace sluice::pipeline
