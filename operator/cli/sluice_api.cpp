#include "cli/sluice_api.h"

#include <algorithm>

#include "controller/json_access.h"
#include "controller/sluice_resources.h"

namespace sluice::cli {

using controller::stringAt;
using web::json::value;

void sortNewestFirst(std::vector<value>& xs) {
  std::stable_sort(xs.begin(), xs.end(), [](const value& a, const value& b) {
    const std::string ta = stringAt(a, {"metadata", "creationTimestamp"});
    const std::string tb = stringAt(b, {"metadata", "creationTimestamp"});
    if (ta != tb) return ta > tb;  // RFC 3339 in UTC sorts as text
    return stringAt(a, {"metadata", "name"}) > stringAt(b, {"metadata", "name"});
  });
}

std::string describeError(const kube::Error& e, const std::string& what) {
  if (e.is(kube::ErrorKind::NotFound)) return what + " not found";
  if (e.is(kube::ErrorKind::Unavailable)) return "cannot reach the cluster: " + e.message;
  if (e.is(kube::ErrorKind::Forbidden) || e.is(kube::ErrorKind::Unauthorized)) return "not allowed: " + e.message;
  return what + ": " + e.to_string();
}

kube::Result<value> SluiceApi::pipeline(const std::string& name) {
  return client_->get(controller::pipelinesResource(), ns_, name);
}

kube::Result<value> SluiceApi::execution(const std::string& name) {
  auto resolved = resolveExecutionName(name);
  if (!resolved.ok()) return resolved.error();
  return client_->get(controller::executionsResource(), ns_, *resolved);
}

kube::Result<std::vector<value>> SluiceApi::executions(const std::string& labelSelector, bool allNamespaces) {
  kube::ListOptions o;
  o.label_selector = labelSelector;
  o.limit = 500;
  auto r = client_->list_all(controller::executionsResource(), allNamespaces ? "" : ns_, o);
  if (!r.ok()) return r.error();
  std::vector<value> items = std::move(r->items);
  sortNewestFirst(items);
  return items;
}

kube::Result<std::string> SluiceApi::resolveExecutionName(const std::string& ref, const std::string& pipelineName) {
  if (ref != kLatest) return ref;
  auto all = executions();
  if (!all.ok()) return all.error();
  for (const auto& x : *all) {
    if (pipelineName.empty() || stringAt(x, {"spec", "pipelineRef", "name"}) == pipelineName)
      return stringAt(x, {"metadata", "name"});
  }
  kube::Error e;
  e.kind = kube::ErrorKind::NotFound;
  e.message = "no execution" + (pipelineName.empty() ? "" : " of pipeline '" + pipelineName + "'") +
              " in namespace '" + ns_ + "' for @latest";
  return e;
}

kube::Result<value> SluiceApi::createExecution(const value& object) {
  return client_->create(controller::executionsResource(), ns_, object);
}

kube::Result<value> SluiceApi::patchExecution(const std::string& name, const value& patch) {
  return client_->merge_patch(controller::executionsResource(), ns_, name, patch);
}

kube::Result<std::vector<value>> SluiceApi::podsOf(const std::string& execution) {
  kube::ListOptions o;
  o.label_selector = std::string(controller::kLabelExecution) + "=" + execution;
  auto r = client_->list_all(kube::resources::pods(), ns_, o);
  if (!r.ok()) return r.error();
  return std::move(r->items);
}

}  // namespace sluice::cli
