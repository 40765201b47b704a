// Substitution of $(...) for a step about to run: parameters from the
// execution's effective values, step outputs/properties from the statuses
// of steps that Succeeded (reused and cache-hit steps carry their original
// URIs, so downstream steps read them where they are; nothing is copied).
#pragma once

#include <map>
#include <string>
#include <variant>

#include "expression.h"
#include "job_spec.h"
#include "model.h"

namespace sluice::pipeline {

struct RenderScope {
  const PipelineExecution* execution = nullptr;  // name, uid, pipelineRef
  const ExecutionStatus* status = nullptr;       // parameters, startTime, steps
};

RefResolver makeResolver(const RenderScope& scope);

// s3://BUCKET/PREFIX/NAMESPACE/PIPELINE/EXECUTION/STEP/OUTPUT/
std::string outputUri(const std::optional<ArtifactStore>& store, const std::string& ns, const std::string& pipeline,
                      const std::string& execution, const std::string& step, const std::string& output);

// The container step with every field rendered and its output URIs fixed;
// or "FIELD: problem" when an expression cannot be rendered.
std::variant<RenderedStep, std::string> renderContainerStep(const StepSpec& step, const RenderScope& scope,
                                                            const std::optional<ArtifactStore>& store);

}  // namespace sluice::pipeline
