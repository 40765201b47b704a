#include "controller/execution_store.h"

#include "controller/json_access.h"
#include "controller/plan_peers.h"
#include "pipeline/model_json.h"
#include "pipeline/plan_status.h"

namespace sluice::controller {

std::string executionPhase(const web::json::value& object) {
  std::string phase = stringAt(object, {"status", "phase"});
  return phase.empty() ? "Pending" : phase;
}

bool isFinishedExecution(const web::json::value& object) {
  const std::string phase = stringAt(object, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed" || phase == "Stopped";
}

namespace {

bool isSettled(const pipeline::PipelineExecution& parsed) {
  pipeline::ExecutionStatus status = parsed.status;
  // The same test the reconciler makes before writing an acknowledgement
  // (the time only goes into what it would write).
  return pipeline::isTerminal(status.phase) && !pipeline::acknowledgeGeneration(status, parsed.metadata.generation, 0);
}

}  // namespace

bool isSettledExecution(const web::json::value& object) {
  return isFinishedExecution(object) && isSettled(pipeline::parsePipelineExecution(object).value);
}

void configureExecutionStore(kube::Informer& executions, SettledExecutionObserver onSettled) {
  executions.add_index(kIndexPlanPeers, planPeerIndexKeys);
  executions.set_compaction([onSettled = std::move(onSettled)](const web::json::value& object) {
    if (!isFinishedExecution(object)) return false;
    const auto parsed = pipeline::parsePipelineExecution(object);
    if (!isSettled(parsed.value)) return false;
    if (onSettled) onSettled(object, parsed.value);
    return true;
  });
  executions.set_summary(executionPhase);
}

}  // namespace sluice::controller
