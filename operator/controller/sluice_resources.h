// The API resources the controller works with.
#pragma once

#include "kube/resource.h"

namespace sluice::controller {

inline kube::Resource pipelinesResource() { return {"sluice.dev", "v1alpha1", "pipelines", true}; }
inline kube::Resource executionsResource() { return {"sluice.dev", "v1alpha1", "pipelineexecutions", true}; }

inline constexpr const char* kLabelPipeline = "sluice.dev/pipeline";
inline constexpr const char* kLabelExecution = "sluice.dev/execution";
inline constexpr const char* kComponent = "sluice-operator";

}  // namespace sluice::controller
