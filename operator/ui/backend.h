// What the web view reads and writes in the cluster, one namespace per call.
// KubeBackend is the real one; the API handlers' unit tests give them an
// in-memory one, so routing and views are tested without a server.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <cpprest/json.h>
#include <pplx/pplxtasks.h>

#include "kube/result.h"

namespace sluice::ui {

struct ExecutionChange {
  std::string type;  // ADDED, MODIFIED, DELETED
  web::json::value object;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual kube::Result<std::vector<web::json::value>> pipelines(const std::string& ns) = 0;
  virtual kube::Result<web::json::value> pipeline(const std::string& ns, const std::string& name) = 0;
  // Newest first.
  virtual kube::Result<std::vector<web::json::value>> executions(const std::string& ns) = 0;
  virtual kube::Result<web::json::value> execution(const std::string& ns, const std::string& name) = 0;
  virtual kube::Result<web::json::value> createExecution(const std::string& ns, const web::json::value& object) = 0;
  virtual kube::Result<web::json::value> stopExecution(const std::string& ns, const std::string& name) = 0;
  // The pods of an execution's Jobs.
  virtual kube::Result<std::vector<web::json::value>> podsOf(const std::string& ns, const std::string& execution) = 0;
  // The last `tailLines` lines of a pod's main container.
  virtual kube::Result<std::string> podLog(const std::string& ns, const std::string& pod, int tailLines) = 0;
  // Streams execution changes until onChange returns false, `cancel`
  // fires or the stream ends (the caller re-subscribes).
  virtual kube::Result<void> watchExecutions(const std::string& ns,
                                             const std::function<bool(ExecutionChange&&)>& onChange,
                                             const pplx::cancellation_token& cancel) = 0;
};

}  // namespace sluice::ui
