// Reconciles one Pipeline: validates it and reports the result on its
// status (Ready condition with every problem, observedGeneration,
// stepCount), so `kubectl get pl` and `kubectl describe pl` tell a user what
// is wrong before any execution runs.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "controller/event_recorder.h"
#include "controller/execution_reconciler.h"
#include "kube/client.h"
#include "kube/store.h"

namespace sluice::controller {

class PipelineReconciler {
 public:
  PipelineReconciler(std::shared_ptr<kube::Client> client, const kube::Store& pipelines, EventRecorder& events,
                     std::function<pipeline::UnixSeconds()> now);
  ReconcileOutcome reconcile(const std::string& key);

 private:
  std::shared_ptr<kube::Client> client_;
  const kube::Store& pipelines_;
  EventRecorder& events_;
  std::function<pipeline::UnixSeconds()> now_;
};

// The status a Pipeline should have (pure): conditions Ready True/False
// and Stalled False/True with reason Valid/Invalid and the problems in the
// message.
web::json::value pipelineStatus(const web::json::value& pipelineObject, const web::json::value& oldStatus,
                                pipeline::UnixSeconds now);

}  // namespace sluice::controller
