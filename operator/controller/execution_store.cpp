#include "controller/execution_store.h"

#include "controller/json_access.h"
#include "controller/plan_peers.h"

namespace sluice::controller {

std::string executionPhase(const web::json::value& object) {
  std::string phase = stringAt(object, {"status", "phase"});
  return phase.empty() ? "Pending" : phase;
}

bool isFinishedExecution(const web::json::value& object) {
  const std::string phase = stringAt(object, {"status", "phase"});
  return phase == "Succeeded" || phase == "Failed" || phase == "Stopped";
}

void configureExecutionStore(kube::Informer& executions) {
  executions.add_index(kIndexPlanPeers, planPeerIndexKeys);
  executions.set_compaction(isFinishedExecution);
  executions.set_summary(executionPhase);
}

}  // namespace sluice::controller
