#include "pipeline_reconciler.h"

#include "common/log.h"
#include "controller/json_access.h"
#include "controller/sluice_resources.h"
#include "pipeline/model_json.h"
#include "pipeline/plan_status.h"
#include "pipeline/validation.h"

namespace sluice::controller {

using web::json::value;

namespace {
// The API server rejects very long condition messages; a user fixes the
// first problems first anyway.
constexpr size_t kMaxConditionMessage = 4000;
}  // namespace

value pipelineStatus(const value& object, const value& oldStatus, pipeline::UnixSeconds now) {
  auto parsed = pipeline::parsePipeline(object);
  pipeline::FieldErrors errors = parsed.errors;
  if (parsed.ok()) errors = pipeline::validatePipeline(parsed.value.spec);

  std::vector<pipeline::StatusCondition> conditions;
  if (oldStatus.is_object() && oldStatus.has_field("conditions") && oldStatus.at("conditions").is_array()) {
    // Keep lastTransitionTime stable across reconciles.
    for (const auto& c : oldStatus.at("conditions").as_array()) {
      pipeline::StatusCondition sc;
      if (!c.is_object()) continue;
      auto s = [&](const char* f) { return c.has_field(f) && c.at(f).is_string() ? c.at(f).as_string() : ""; };
      sc.type = s("type");
      sc.status = s("status");
      sc.reason = s("reason");
      sc.message = s("message");
      sc.lastTransitionTime = s("lastTransitionTime");
      if (c.has_field("observedGeneration")) sc.observedGeneration = asInt64(c.at("observedGeneration")).value_or(0);
      conditions.push_back(sc);
    }
  }
  std::string message;
  for (const auto& e : errors) message += (message.empty() ? "" : "; ") + e.path + ": " + e.message;
  message = pipeline::truncateUtf8(message, kMaxConditionMessage);
  const int64_t gen = parsed.value.metadata.generation;
  // Stalled=True is what kstatus (Flux) reads as Failed: an invalid
  // Pipeline stays invalid until someone edits it.
  if (errors.empty()) {
    pipeline::setCondition(conditions, "Ready", "True", "Valid", "Pipeline is valid", now, gen);
    pipeline::setCondition(conditions, "Stalled", "False", "Valid", "", now, gen);
  } else {
    pipeline::setCondition(conditions, "Ready", "False", "Invalid", message, now, gen);
    pipeline::setCondition(conditions, "Stalled", "True", "Invalid", message, now, gen);
  }
  value status = value::object();
  status["observedGeneration"] = value::number(static_cast<int64_t>(gen));
  status["stepCount"] = value::number(static_cast<int64_t>(parsed.value.spec.steps.size()));
  std::vector<value> conds;
  for (const auto& c : conditions) {
    value v;
    v["type"] = value::string(c.type);
    v["status"] = value::string(c.status);
    v["reason"] = value::string(c.reason);
    v["message"] = value::string(c.message);
    v["lastTransitionTime"] = value::string(c.lastTransitionTime);
    v["observedGeneration"] = value::number(c.observedGeneration);
    conds.push_back(v);
  }
  status["conditions"] = value::array(conds);
  return status;
}

PipelineReconciler::PipelineReconciler(std::shared_ptr<kube::Client> client, const kube::Store& pipelines,
                                       EventRecorder& events, std::function<pipeline::UnixSeconds()> now)
    : client_(std::move(client)), pipelines_(pipelines), events_(events), now_(std::move(now)) {}

ReconcileOutcome PipelineReconciler::reconcile(const std::string& key) {
  kube::ObjectPtr object = pipelines_.get(key);
  if (!object) return {};
  value oldStatus = object->has_field("status") ? object->at("status") : value::object();
  value status = pipelineStatus(*object, oldStatus, now_());
  if (status == oldStatus) return {};
  value updated = *object;
  updated["status"] = status;
  const std::string ns = updated["metadata"]["namespace"].as_string();
  auto r = client_->update_status(pipelinesResource(), ns, updated);
  if (!r.ok()) {
    if (r.error().is(kube::ErrorKind::NotFound)) return {};
    return {true, r.error().to_string(), std::nullopt};
  }
  const auto& ready = status.at("conditions");
  for (const auto& c : ready.as_array()) {
    if (c.at("type").as_string() != "Ready") continue;
    InvolvedObject inv{"sluice.dev/v1alpha1", "Pipeline", ns, updated["metadata"]["name"].as_string(),
                       updated["metadata"].has_field("uid") ? updated["metadata"]["uid"].as_string() : ""};
    if (c.at("status").as_string() == "False") {
      events_.record(inv, "Warning", "ValidationFailed", c.at("message").as_string());
      log::warn("pipeline invalid", {{"pipeline", key}, {"problems", c.at("message").as_string()}});
    }
  }
  return {};
}

}  // namespace sluice::controller
