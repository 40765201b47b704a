// Backend over a kube::Client: direct reads (list/get) and writes with the
// identity the client carries: the user's kubeconfig (local mode) or the
// user's forwarded bearer token (in-cluster mode), never a shared account.
#pragma once

#include <memory>

#include "kube/client.h"
#include "ui/backend.h"

namespace sluice::ui {

class KubeBackend final : public Backend {
 public:
  explicit KubeBackend(std::shared_ptr<kube::Client> client) : client_(std::move(client)) {}

  kube::Result<std::vector<web::json::value>> pipelines(const std::string& ns) override;
  kube::Result<web::json::value> pipeline(const std::string& ns, const std::string& name) override;
  kube::Result<std::vector<web::json::value>> executions(const std::string& ns) override;
  kube::Result<web::json::value> execution(const std::string& ns, const std::string& name) override;
  kube::Result<web::json::value> createExecution(const std::string& ns, const web::json::value& object) override;
  kube::Result<web::json::value> stopExecution(const std::string& ns, const std::string& name) override;
  kube::Result<std::vector<web::json::value>> podsOf(const std::string& ns, const std::string& execution) override;
  kube::Result<std::string> podLog(const std::string& ns, const std::string& pod, int tailLines) override;
  kube::Result<void> watchExecutions(const std::string& ns, const std::function<bool(ExecutionChange&&)>& onChange,
                                     const pplx::cancellation_token& cancel) override;

 private:
  std::shared_ptr<kube::Client> client_;
};

}  // namespace sluice::ui
