#include "ui/kube_backend.h"

#include "cli/sluice_api.h"
#include "controller/observe.h"
#include "controller/sluice_resources.h"

namespace sluice::ui {

using web::json::value;

kube::Result<std::vector<value>> KubeBackend::pipelines(const std::string& ns) {
  auto r = client_->list_all(controller::pipelinesResource(), ns);
  if (!r.ok()) return r.error();
  return std::move(r->items);
}

kube::Result<value> KubeBackend::pipeline(const std::string& ns, const std::string& name) {
  return client_->get(controller::pipelinesResource(), ns, name);
}

kube::Result<std::vector<value>> KubeBackend::executions(const std::string& ns) {
  return cli::SluiceApi(client_, ns).executions();
}

kube::Result<value> KubeBackend::execution(const std::string& ns, const std::string& name) {
  return client_->get(controller::executionsResource(), ns, name);
}

kube::Result<value> KubeBackend::createExecution(const std::string& ns, const value& object) {
  return client_->create(controller::executionsResource(), ns, object);
}

kube::Result<value> KubeBackend::stopExecution(const std::string& ns, const std::string& name) {
  value patch;
  patch["spec"]["stop"] = value::boolean(true);
  return client_->merge_patch(controller::executionsResource(), ns, name, patch);
}

kube::Result<std::vector<value>> KubeBackend::podsOf(const std::string& ns, const std::string& execution) {
  return cli::SluiceApi(client_, ns).podsOf(execution);
}

kube::Result<std::string> KubeBackend::podLog(const std::string& ns, const std::string& pod, int tailLines) {
  return client_->get_text(kube::resources::pods().object_path(ns, pod, "log") + "?container=" +
                           controller::kMainContainerName + "&tailLines=" + std::to_string(tailLines));
}

kube::Result<void> KubeBackend::watchExecutions(const std::string& ns,
                                                const std::function<bool(ExecutionChange&&)>& onChange,
                                                const pplx::cancellation_token& cancel) {
  kube::WatchOptions o;
  o.timeout_seconds = 240;
  o.allow_bookmarks = false;
  return client_->watch(controller::executionsResource(), ns, o, [&](kube::WatchEvent&& e) {
    const char* type = e.type == kube::WatchEventType::Added      ? "ADDED"
                       : e.type == kube::WatchEventType::Modified ? "MODIFIED"
                       : e.type == kube::WatchEventType::Deleted  ? "DELETED"
                                                                  : nullptr;
    if (!type) return true;
    return onChange(ExecutionChange{type, std::move(e.object)});
  }, cancel);
}

}  // namespace sluice::ui
