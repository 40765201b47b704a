// The Abalone pipeline and executions of it as the API server returns them
// (JSON resources), built from the planner tests' fixtures.
#pragma once

#include <cpprest/json.h>

#include "fixtures_abalone.h"
#include "model_json.h"

namespace sluice::cli::testing {

using namespace sluice::pipeline;
using namespace sluice::pipeline::testing;

inline web::json::value metadataJson(const ObjectMeta& m) {
  web::json::value j;
  j["name"] = web::json::value::string(m.name);
  j["namespace"] = web::json::value::string(m.namespace_);
  j["uid"] = web::json::value::string(m.uid);
  j["generation"] = web::json::value::number(m.generation);
  j["resourceVersion"] = web::json::value::string("1");
  if (!m.creationTimestamp.empty()) j["creationTimestamp"] = web::json::value::string(m.creationTimestamp);
  return j;
}

inline web::json::value resourceJson(const Pipeline& p) {
  web::json::value j;
  j["apiVersion"] = web::json::value::string("sluice.dev/v1alpha1");
  j["kind"] = web::json::value::string("Pipeline");
  j["metadata"] = metadataJson(p.metadata);
  j["spec"] = toJson(p.spec);
  return j;
}

inline web::json::value resourceJson(const PipelineExecution& x) {
  web::json::value j;
  j["apiVersion"] = web::json::value::string("sluice.dev/v1alpha1");
  j["kind"] = web::json::value::string("PipelineExecution");
  j["metadata"] = metadataJson(x.metadata);
  j["spec"] = toJson(x.spec);
  j["status"] = toJson(x.status);
  return j;
}

}  // namespace sluice::cli::testing
