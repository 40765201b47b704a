// libFuzzer target for model parsing and validation: JSON text in, as the
// API server could hand it to the operator. Checks, besides "no crash":
//  - a Pipeline that parsed without errors round-trips through toJson
//    exactly (the pipelineSpec snapshot depends on it), and so does an
//    execution's spec and status;
//  - validation and the DAG never throw and terminate on any parsed spec.
#include <cstddef>
#include <cstdint>
#include <string>

#include <cpprest/json.h>

#include "dag.h"
#include "model_json.h"
#include "validation.h"

using namespace sluice::pipeline;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  web::json::value v;
  try {
    v = web::json::value::parse(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const web::json::json_exception&) {
    return 0;  // not JSON: the API server would never send it
  }

  auto pipeline = parsePipeline(v);
  FieldErrors problems = validatePipeline(pipeline.value.spec);
  Dag dag = Dag::build(pipeline.value.spec);
  auto order = dag.topologicalOrder();
  if (order.has_value() == dag.findCycle().has_value()) __builtin_trap();
  for (const auto& s : dag.steps()) (void)dag.ancestors(s);
  if (pipeline.ok()) {
    web::json::value written = toJson(pipeline.value.spec);
    auto again = parsePipelineSpec(written);
    if (!again.ok() || toJson(again.value) != written) __builtin_trap();
    if (validatePipeline(again.value) != problems) __builtin_trap();
  }

  auto execution = parsePipelineExecution(v);
  if (execution.ok()) {
    web::json::value status = toJson(execution.value.status);
    auto statusAgain = parseExecutionStatus(status);
    if (!statusAgain.ok() || toJson(statusAgain.value) != status) __builtin_trap();
    web::json::value spec = toJson(execution.value.spec);
    auto specAgain = parseExecutionSpec(spec);
    if (!specAgain.ok() || toJson(specAgain.value) != spec) __builtin_trap();
  }
  return 0;
}
