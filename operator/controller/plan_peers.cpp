#include "controller/plan_peers.h"

#include "controller/json_access.h"

namespace sluice::controller {

bool isPlanPeer(const web::json::value& other, const pipeline::PipelineExecution& execution) {
  return stringAt(other, {"metadata", "namespace"}) == execution.metadata.namespace_ &&
         stringAt(other, {"spec", "pipelineRef", "name"}) == execution.spec.pipelineRef &&
         stringAt(other, {"metadata", "name"}) != execution.metadata.name;
}

std::vector<std::string> planPeerIndexKeys(const web::json::value& object) {
  // Always one value, even for missing fields (""), so the index holds
  // exactly the objects isPlanPeer compares equal on both fields. '/' cannot
  // occur in a namespace name, so the key splits back unambiguously.
  return {stringAt(object, {"metadata", "namespace"}) + "/" + stringAt(object, {"spec", "pipelineRef", "name"})};
}

std::string planPeerIndexKey(const pipeline::PipelineExecution& execution) {
  return execution.metadata.namespace_ + "/" + execution.spec.pipelineRef;
}

}  // namespace sluice::controller
