// Which executions a plan may look at besides its own: those of the same
// Pipeline in the same namespace (DESIGN.md: nothing crosses namespaces).
// They are the source candidates of a selective run and the cache index.
// The reconciler and kubectl-sluice's plan preview both filter with this,
// so the preview sees exactly what the operator will. Pure.
#pragma once

#include <cpprest/json.h>

#include "pipeline/model.h"

namespace sluice::controller {

bool isPlanPeer(const web::json::value& other, const pipeline::PipelineExecution& execution);

}  // namespace sluice::controller
