#include "cli/run_request.h"

#include <algorithm>

#include "controller/sluice_resources.h"

namespace sluice::cli {

using web::json::value;

std::vector<pipeline::ParameterValue> explicitParameters(const RunRequest& request,
                                                         const std::vector<pipeline::ParameterSpec>& declared,
                                                         const std::vector<pipeline::ResolvedParameter>* earlier) {
  std::vector<pipeline::ParameterValue> out;
  auto given = [&](const std::string& name) {
    return std::any_of(request.parameters.begin(), request.parameters.end(),
                       [&](const pipeline::ParameterValue& p) { return p.name == name; });
  };
  if (earlier) {
    for (const auto& d : declared) {
      if (given(d.name)) continue;
      auto it = std::find_if(earlier->begin(), earlier->end(),
                             [&](const pipeline::ResolvedParameter& p) { return p.name == d.name; });
      if (it != earlier->end()) out.push_back({it->name, it->value});
    }
  }
  // Every -p as given, duplicates included: the planner names a duplicate.
  out.insert(out.end(), request.parameters.begin(), request.parameters.end());
  return out;
}

value executionManifest(const RunRequest& request, const std::string& ns,
                        const std::vector<pipeline::ParameterValue>& parameters) {
  value x;
  x["apiVersion"] = value::string("sluice.dev/v1alpha1");
  x["kind"] = value::string("PipelineExecution");
  x["metadata"]["generateName"] = value::string(request.pipeline + "-");
  x["metadata"]["namespace"] = value::string(ns);
  if (request.pipeline.size() <= 63)
    x["metadata"]["labels"][controller::kLabelPipeline] = value::string(request.pipeline);
  value spec;
  spec["pipelineRef"]["name"] = value::string(request.pipeline);
  if (!parameters.empty()) {
    value ps = value::array();
    for (size_t i = 0; i < parameters.size(); ++i) {
      ps[i]["name"] = value::string(parameters[i].name);
      ps[i]["value"] = value::string(parameters[i].value);
    }
    spec["parameters"] = ps;
  }
  if (request.selective()) {
    value sel;
    if (request.from) sel["sourceExecution"] = value::string(*request.from);
    auto list = [](const std::vector<std::string>& xs) {
      value a = value::array();
      for (size_t i = 0; i < xs.size(); ++i) a[i] = value::string(xs[i]);
      return a;
    };
    if (!request.steps.empty()) sel["selectedSteps"] = list(request.steps);
    if (!request.fromSteps.empty()) sel["fromSteps"] = list(request.fromSteps);
    if (request.fromFailure || (request.steps.empty() && request.fromSteps.empty())) sel["fromFailure"] = value::boolean(true);
    if (request.allowStaleReuse) sel["allowStaleReuse"] = value::boolean(true);
    spec["selectiveExecution"] = sel;
  }
  if (request.maxParallelSteps) spec["maxParallelSteps"] = value::number(*request.maxParallelSteps);
  x["spec"] = spec;
  return x;
}

}  // namespace sluice::cli
