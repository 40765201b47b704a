#include "event_recorder.h"

#include <chrono>

#include "common/log.h"
#include "pipeline/plan_time.h"

namespace sluice::controller {

using web::json::value;

void EventRecorder::record(const InvolvedObject& object, const std::string& type, const std::string& reason,
                           const std::string& message) {
  const std::string now = pipeline::formatRfc3339(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  value ev = value::object();
  ev["apiVersion"] = value::string("v1");
  ev["kind"] = value::string("Event");
  ev["metadata"]["generateName"] = value::string(object.name + ".");
  ev["metadata"]["namespace"] = value::string(object.namespace_);
  value& inv = ev["involvedObject"];
  inv["apiVersion"] = value::string(object.apiVersion);
  inv["kind"] = value::string(object.kind);
  inv["namespace"] = value::string(object.namespace_);
  inv["name"] = value::string(object.name);
  inv["uid"] = value::string(object.uid);
  ev["type"] = value::string(type);
  ev["reason"] = value::string(reason);
  // The API limits an event message to 1 KiB.
  ev["message"] = value::string(message.size() > 1024 ? message.substr(0, 1021) + "..." : message);
  ev["source"]["component"] = value::string("sluice-operator");
  ev["reportingComponent"] = value::string("sluice.dev/operator");
  ev["firstTimestamp"] = value::string(now);
  ev["lastTimestamp"] = value::string(now);
  ev["count"] = value::number(1);
  auto r = client_->create(kube::resources::events(), object.namespace_, ev);
  if (!r.ok()) {
    log::warn("cannot record event", {{"object", object.namespace_ + "/" + object.name},
                                      {"reason", reason},
                                      {"error", r.error().to_string()}});
  }
}

}  // namespace sluice::controller
