#include "request_costs.h"

#include <thread>

#include "controller/event_recorder.h"
#include "controller/sluice_resources.h"
#include "proc_usage.h"
#include "reference_controller.h"

namespace sluice::bench {

using web::json::value;

namespace {

// One kind of request: `send(i)` sends the i-th one (a fresh name each time
// where the server would refuse a repeat).
struct Kind {
  std::string key;
  std::function<kube::Result<value>(int)> send;
};

std::string numbered(const std::string& prefix, int i) { return prefix + std::to_string(i); }

value executionNamed(const std::string& name) {
  value execution;
  execution["apiVersion"] = value::string("sluice.dev/v1alpha1");
  execution["kind"] = value::string("PipelineExecution");
  execution["metadata"]["name"] = value::string(name);
  execution["spec"]["pipelineRef"]["name"] = value::string("linear10");
  return execution;
}

}  // namespace

std::map<std::string, RequestCost> measureRequestCosts(const std::shared_ptr<kube::Client>& client,
                                                       const std::string& ns, const value& executionStatus,
                                                       int batches, int perBatch, std::string* error) {
  std::map<std::string, RequestCost> costs;
  if (batches <= 0 || perBatch <= 0) {
    *error = "no batches to measure";
    return costs;
  }
  const kube::Resource executions = controller::executionsResource();
  // The executions written: no operator watches this namespace, so nothing
  // else writes them. "cost" gets the status writes, "cost-label" (no
  // status) the label patches.
  auto made = client->create(executions, ns, executionNamed("cost"));
  auto madeLabelled = client->create(executions, ns, executionNamed("cost-label"));
  if (!made.ok() || !madeLabelled.ok()) {
    *error = "create the executions: " + (made.ok() ? madeLabelled.error() : made.error()).to_string();
    return costs;
  }
  value current = made.value();
  std::string labelledVersion = kube::object_resource_version(madeLabelled.value());
  const size_t stepCount = executionStatus.has_field("steps") && executionStatus.at("steps").is_array()
                               ? executionStatus.at("steps").as_array().size()
                               : 0;
  if (stepCount == 0) {
    *error = "the execution status to write has no steps";
    return costs;
  }

  controller::InvolvedObject involved;
  involved.kind = "PipelineExecution";
  involved.namespace_ = ns;
  involved.name = "cost";
  involved.uid = kube::object_uid(current);
  const std::vector<Kind> kinds = {
      {"GET namespaces", [&](int) { return client->get(kube::resources::namespaces(), "", ns); }},
      {"POST events",
       [&](int i) {
         const std::string step = numbered("S", i);
         value e = controller::eventObject(involved, "Normal", "StepSucceeded", "Step '" + step + "' succeeded");
         e["metadata"]["name"] = value::string(controller::transitionEventName(involved, "StepSucceeded", step));
         return client->create(kube::resources::events(), ns, e);
       }},
      {"POST jobs",
       [&](int i) { return client->create(kube::resources::jobs(), ns, ReferenceController::stepJob(numbered("cost", i), 0)); }},
      {"PUT pipelineexecutions/status",
       [&](int i) {
         // One step Executing, a different one from the last PUT's (with one
         // step: it and Succeeded in turn), so that every PUT is a write.
         value status = executionStatus;
         const bool executing = stepCount > 1 || i % 2 == 0;
         status["steps"][i % stepCount]["phase"] = value::string(executing ? "Executing" : "Succeeded");
         current["status"] = status;
         auto r = client->update_status(executions, ns, current);
         if (r.ok()) current = r.value();
         return r;
       }},
      {"PATCH pipelineexecutions",
       [&](int i) {
         value patch;
         patch["metadata"]["labels"]["sluice.dev/pipeline"] = value::string(numbered("linear", i));
         patch["metadata"]["resourceVersion"] = value::string(labelledVersion);
         auto r = client->merge_patch(executions, ns, "cost-label", patch);
         if (r.ok()) labelledVersion = kube::object_resource_version(r.value());
         return r;
       }},
  };

  std::map<std::string, std::vector<double>> apiserverMs, etcdMs, clientMs;
  std::map<std::string, int> sent;
  for (int b = 0; b < batches; ++b) {
    for (const auto& kind : kinds) {
      // Let the previous batch's deferred work (watch fan-out, compaction of
      // the write) finish on its own account, not this batch's.
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      const ClusterCpu before = readClusterCpu();
      for (int i = 0; i < perBatch; ++i) {
        auto r = kind.send(sent[kind.key]++);
        if (!r.ok()) {
          *error = kind.key + ": " + r.error().to_string();
          return costs;
        }
      }
      const ClusterCpu after = readClusterCpu();
      if (before.apiserver < 0 || before.etcd < 0 || after.apiserver < 0 || after.etcd < 0) {
        *error = "the control plane's CPU time is unreadable (no pid files under $SLUICE_TESTENV_RUN)";
        return costs;
      }
      apiserverMs[kind.key].push_back((after.apiserver - before.apiserver) * 1000.0 / perBatch);
      etcdMs[kind.key].push_back((after.etcd - before.etcd) * 1000.0 / perBatch);
      if (before.bench >= 0 && after.bench >= 0)
        clientMs[kind.key].push_back((after.bench - before.bench) * 1000.0 / perBatch);
    }
  }
  for (const auto& kind : kinds) {
    costs[kind.key] = RequestCost{summarize(apiserverMs[kind.key]), summarize(etcdMs[kind.key]),
                                  summarize(clientMs[kind.key])};
  }
  return costs;
}

}  // namespace sluice::bench
