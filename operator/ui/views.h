// The JSON the page reads, built from the cluster's objects. Pure: parsing
// is the operator's own (pipeline/model_json), the graph is pipeline::Dag.
#pragma once

#include <cpprest/json.h>

namespace sluice::ui {

// {name, description, steps, parameters[{name,type,default,description}], executions}
web::json::value pipelineSummary(const web::json::value& pipeline, size_t executionCount);

// {name, pipeline, phase, created, startTime, endTime, progress, source, selectedSteps}
web::json::value executionSummary(const web::json::value& execution);

// One execution for the graph page: the summary fields, conditions,
// failureReason, order (topological), steps[] (kind, direct dependencies,
// the branch that gates it, status, outputs, properties, reuse and cache
// producers) and parameters[] with the source execution's value beside
// each. The graph comes from the execution's pipeline snapshot, or from
// livePipeline (may be null) before the operator took one.
web::json::value executionDetail(const web::json::value& execution, const web::json::value* livePipeline,
                                 const web::json::value* sourceExecution);

// The execution this one links outputs from: its resolved source, else the
// one its spec names; "" when none.
std::string sourceExecutionOf(const web::json::value& execution);

}  // namespace sluice::ui
