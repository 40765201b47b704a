// The PipelineExecution that `start`, `rerun` and `plan` ask for, built
// from the command line. Pure.
#pragma once

#include <string>
#include <vector>

#include <cpprest/json.h>

#include "cli/cli_args.h"
#include "pipeline/model.h"

namespace sluice::cli {

// Explicit values for the run: an earlier execution's effective values
// (--params-from; only those the Pipeline still declares), then -p values,
// which win. Order: the Pipeline's declaration order, then -p's.
std::vector<pipeline::ParameterValue> explicitParameters(const RunRequest& request,
                                                         const std::vector<pipeline::ParameterSpec>& declared,
                                                         const std::vector<pipeline::ResolvedParameter>* earlier);

// The resource to create: generateName "PIPELINE-", the pipeline label,
// spec.pipelineRef, parameters, selectiveExecution, maxParallelSteps.
// A request with a source but no selection (rerun without one) selects
// fromFailure.
web::json::value executionManifest(const RunRequest& request, const std::string& ns,
                                   const std::vector<pipeline::ParameterValue>& parameters);

}  // namespace sluice::cli
