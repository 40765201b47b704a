#include "controller/plan_peers.h"

#include "controller/json_access.h"

namespace sluice::controller {

bool isPlanPeer(const web::json::value& other, const pipeline::PipelineExecution& execution) {
  return stringAt(other, {"metadata", "namespace"}) == execution.metadata.namespace_ &&
         stringAt(other, {"spec", "pipelineRef", "name"}) == execution.spec.pipelineRef &&
         stringAt(other, {"metadata", "name"}) != execution.metadata.name;
}

}  // namespace sluice::controller
