// An in-memory Backend for the API handlers' unit tests: objects as the
// API server returns them, and a record of every write.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cli/sluice_api.h"
#include "controller/json_access.h"
#include "ui/backend.h"

namespace sluice::ui::testing {

class MemoryBackend final : public Backend {
 public:
  std::vector<web::json::value> pipelineObjects, executionObjects, podObjects;
  std::map<std::string, std::string> logs;  // pod -> text
  std::vector<web::json::value> created;
  std::vector<std::string> stopped;
  std::vector<int> tailsAsked;
  std::optional<kube::Error> failReads;  // every read fails with this

  kube::Result<std::vector<web::json::value>> pipelines(const std::string& ns) override {
    if (failReads) return *failReads;
    return inNamespace(pipelineObjects, ns);
  }
  kube::Result<web::json::value> pipeline(const std::string& ns, const std::string& name) override {
    return find(pipelineObjects, ns, name, "pipelines");
  }
  kube::Result<std::vector<web::json::value>> executions(const std::string& ns) override {
    if (failReads) return *failReads;
    auto xs = inNamespace(executionObjects, ns);
    cli::sortNewestFirst(xs);
    return xs;
  }
  kube::Result<web::json::value> execution(const std::string& ns, const std::string& name) override {
    return find(executionObjects, ns, name, "pipelineexecutions");
  }
  kube::Result<web::json::value> createExecution(const std::string& ns, const web::json::value& object) override {
    web::json::value o = object;
    o["metadata"]["namespace"] = web::json::value::string(ns);
    o["metadata"]["name"] = web::json::value::string(controller::stringAt(object, {"metadata", "generateName"}) + "x1");
    created.push_back(o);
    return o;
  }
  kube::Result<web::json::value> stopExecution(const std::string& ns, const std::string& name) override {
    auto x = execution(ns, name);
    if (x.ok()) stopped.push_back(name);
    return x;
  }
  kube::Result<std::vector<web::json::value>> podsOf(const std::string& ns, const std::string& execution) override {
    std::vector<web::json::value> out;
    for (const auto& p : inNamespace(podObjects, ns))
      if (controller::stringAt(p, {"metadata", "labels", "sluice.dev/execution"}) == execution) out.push_back(p);
    return out;
  }
  kube::Result<std::string> podLog(const std::string&, const std::string& pod, int tailLines) override {
    tailsAsked.push_back(tailLines);
    auto it = logs.find(pod);
    if (it == logs.end()) return notFound("pods", pod);
    return it->second;
  }
  kube::Result<void> watchExecutions(const std::string&, const std::function<bool(ExecutionChange&&)>&,
                                     const pplx::cancellation_token&) override {
    return kube::Result<void>();
  }

  static kube::Error notFound(const std::string& resource, const std::string& name) {
    kube::Error e;
    e.kind = kube::ErrorKind::NotFound;
    e.http_code = 404;
    e.message = resource + " \"" + name + "\" not found";
    return e;
  }

 private:
  std::vector<web::json::value> inNamespace(const std::vector<web::json::value>& xs, const std::string& ns) {
    std::vector<web::json::value> out;
    for (const auto& x : xs)
      if (controller::stringAt(x, {"metadata", "namespace"}) == ns) out.push_back(x);
    return out;
  }
  kube::Result<web::json::value> find(const std::vector<web::json::value>& xs, const std::string& ns,
                                      const std::string& name, const std::string& resource) {
    if (failReads) return *failReads;
    for (const auto& x : inNamespace(xs, ns))
      if (controller::stringAt(x, {"metadata", "name"}) == name) return x;
    return notFound(resource, name);
  }
};

}  // namespace sluice::ui::testing
