// Writes core/v1 Events about an execution or a pipeline, so `kubectl
// describe plx NAME` shows what happened. Best effort: a failed event write
// is logged and never fails a reconcile.
#pragma once

#include <memory>
#include <string>

#include "kube/client.h"

namespace sluice::controller {

struct InvolvedObject {
  std::string apiVersion = "sluice.dev/v1alpha1";
  std::string kind;
  std::string namespace_;
  std::string name;
  std::string uid;
};

class EventRecorder {
 public:
  explicit EventRecorder(std::shared_ptr<kube::Client> client) : client_(std::move(client)) {}
  virtual ~EventRecorder() = default;
  // type: "Normal" or "Warning"; reason: CamelCase; message: one line.
  virtual void record(const InvolvedObject& object, const std::string& type, const std::string& reason,
                      const std::string& message);

 private:
  std::shared_ptr<kube::Client> client_;
};

}  // namespace sluice::controller
