// The few API calls kubectl-sluice makes, all in one namespace (nothing
// here can name another one; `list -A` is the single all-namespaces read).
// Every call blocks and returns kube::Result with the server's words.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <cpprest/json.h>

#include "kube/client.h"

namespace sluice::cli {

inline constexpr const char* kLatest = "@latest";

class SluiceApi {
 public:
  SluiceApi(std::shared_ptr<kube::Client> client, std::string ns) : client_(std::move(client)), ns_(std::move(ns)) {}

  const std::string& ns() const { return ns_; }
  kube::Client& client() { return *client_; }

  kube::Result<web::json::value> pipeline(const std::string& name);
  // name may be @latest: the newest execution in the namespace.
  kube::Result<web::json::value> execution(const std::string& name);
  // Every execution in the namespace ("" = all namespaces, for list -A),
  // newest first (creationTimestamp, then name).
  kube::Result<std::vector<web::json::value>> executions(const std::string& labelSelector = "", bool allNamespaces = false);
  // A concrete name for ref: itself, or for @latest the newest execution
  // (of pipelineName when given).
  kube::Result<std::string> resolveExecutionName(const std::string& ref, const std::string& pipelineName = "");

  kube::Result<web::json::value> createExecution(const web::json::value& object);
  kube::Result<web::json::value> patchExecution(const std::string& name, const web::json::value& patch);
  // Pods of an execution's Jobs (label sluice.dev/execution).
  kube::Result<std::vector<web::json::value>> podsOf(const std::string& execution);

 private:
  std::shared_ptr<kube::Client> client_;
  std::string ns_;
};

// Newest first: creationTimestamp descending, then name descending (the
// order the planner uses to pick a default source).
void sortNewestFirst(std::vector<web::json::value>& executions);

// "a NotFound error" -> a sentence for the user naming what was looked up.
std::string describeError(const kube::Error& e, const std::string& what);

}  // namespace sluice::cli
